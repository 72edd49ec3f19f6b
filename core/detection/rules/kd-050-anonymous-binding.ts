import { sentence } from '../../model/sentence.ts';
import { isRequestOn } from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import {
  actionPhrase,
  actor,
  BINDING_RESOURCES,
  bindingEvidence,
  describeTarget,
  outcomeNote,
  requestedRoleRef,
  requestedSubjects,
  roleRefSentence,
  subjectsSentence,
  targetNamespace,
  targetWorkload,
} from './shared-rbac-objects.ts';

const VERBS = ['create', 'update', 'patch'];
const ANONYMOUS_IDENTITIES = ['system:anonymous', 'system:unauthenticated'];

export const kd050AnonymousBinding: AuditRule = {
  id: 'KD-050',
  title: 'Anonymous / unauthenticated identity bound to a role',
  severity: 'high',
  mitre: ['T1078.001'],
  core: true,
  resources: ['rolebindings', 'clusterrolebindings'],
  trigger:
    'create/update/patch (cluster)rolebinding whose `subjects[*].name` ∈ {`system:anonymous`, ' +
    '`system:unauthenticated`} (whoever the caller; the trigger has no success clause, so a denied ' +
    'attempt fires too)',
  whatHappened:
    'A binding was created or changed so that anonymous (unauthenticated) requests receive a role.',
  whyItMatters:
    'Anyone who can reach the API endpoint — for EKS public endpoints, anyone on the internet — gets ' +
    'the bound permissions without credentials. GuardDuty reports this as AnonymousAccessGranted.',
  firstResponse:
    'Remove the anonymous subjects (or the binding) at once, then search the audit log for requests by ' +
    '`system:anonymous` since the change (KD-060). Consider restricting the public endpoint CIDRs.',
  falsePositives:
    'Very rare: some legacy health-check setups bind a read-only role to system:unauthenticated.',
  /** The EKS fixture eks-audit-clusterrolebinding-cluster-admin.json, bound to view for system:anonymous. */
  example: {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'RequestResponse',
    auditID: 'f3a1c5e7-9b2d-4f6a-8c0e-1d3f5a7b9c2e',
    stage: 'ResponseComplete',
    requestURI: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
    verb: 'create',
    user: { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] },
    sourceIPs: ['203.0.113.45'],
    userAgent: 'kubectl/v1.28.4 (linux/amd64) kubernetes/bae2c62',
    objectRef: {
      apiGroup: 'rbac.authorization.k8s.io',
      apiVersion: 'v1',
      name: 'anonymous-view',
      resource: 'clusterrolebindings',
    },
    responseStatus: { code: 201 },
    requestObject: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'anonymous-view' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'system:anonymous' }],
    },
    requestReceivedTimestamp: '2024-05-15T14:26:34.238974Z',
    stageTimestamp: '2024-05-15T14:26:34.242498Z',
    annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
  },
  match(event) {
    if (!isRequestOn(event, VERBS, BINDING_RESOURCES)) return null;
    const anonymous = requestedSubjects(event).filter((s) => ANONYMOUS_IDENTITIES.includes(s.name));
    if (anonymous.length === 0) return null;
    return {
      summary: sentence`${actor(event)} ${actionPhrase(event)} ${describeTarget(event)} binding ${roleRefSentence(requestedRoleRef(event))} to ${subjectsSentence(anonymous)}${outcomeNote(event)}.`,
      evidence: bindingEvidence(event),
      namespace: targetNamespace(event),
      workload: targetWorkload(event),
    };
  },
};
