import { sentence } from '../../model/sentence.ts';
import { isRequestOn, isSuccess } from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import {
  actor,
  BINDING_RESOURCES,
  bindingEvidence,
  describeTarget,
  isNonSystemCaller,
  pastTense,
  requestedRoleRef,
  requestedSubjects,
  roleRefSentence,
  targetNamespace,
  targetWorkload,
  toSubjectsPhrase,
} from './shared-rbac-objects.ts';

const VERBS = ['create', 'update', 'patch'];

export const kd040ClusterAdminBinding: AuditRule = {
  id: 'KD-040',
  title: 'Binding to cluster-admin',
  severity: 'high',
  mitre: ['T1078.003', 'T1098'],
  core: true,
  resources: ['rolebindings', 'clusterrolebindings'],
  trigger:
    '`create` (also update/patch) `clusterrolebindings` or `rolebindings`, success, ' +
    '`requestObject.roleRef.name == cluster-admin`; non-system user',
  whatHappened:
    'A person (not a Kubernetes or EKS system component) created or changed a RoleBinding or ' +
    'ClusterRoleBinding that grants the cluster-admin role.',
  whyItMatters:
    'cluster-admin can do anything in the cluster (a ClusterRoleBinding) or in the namespace (a ' +
    'RoleBinding), including reading every secret and creating privileged pods. Attackers bind it to ' +
    'an identity they control to keep full access.',
  firstResponse:
    'Confirm with the caller that the binding is intended and approved. If not, delete the binding ' +
    '(`kubectl delete clusterrolebinding <name>`), review what the bound subjects did since, and rotate ' +
    "the caller's credentials.",
  falsePositives:
    'Platform administrators bootstrapping a cluster or granting break-glass access by hand; prefer ' +
    'EKS access entries or narrower roles for routine access.',
  /** The EKS fixture eks-audit-clusterrolebinding-cluster-admin.json (Falco trace attach_cluster_admin_role), trimmed. */
  example: {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'RequestResponse',
    auditID: 'c97244c7-4aec-4714-946a-8204d00ecdca',
    stage: 'ResponseComplete',
    requestURI: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
    verb: 'create',
    user: { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] },
    sourceIPs: ['203.0.113.45'],
    userAgent: 'kubectl/v1.28.4 (linux/amd64) kubernetes/bae2c62',
    objectRef: {
      apiGroup: 'rbac.authorization.k8s.io',
      apiVersion: 'v1',
      name: 'some-reader-binding',
      resource: 'clusterrolebindings',
    },
    responseStatus: { code: 201 },
    requestObject: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'some-reader-binding' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'minikube' }],
    },
    requestReceivedTimestamp: '2024-05-15T14:26:34.238974Z',
    stageTimestamp: '2024-05-15T14:26:34.242498Z',
    annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
  },
  match(event) {
    if (!isRequestOn(event, VERBS, BINDING_RESOURCES) || !isSuccess(event)) return null;
    if (!isNonSystemCaller(event)) return null;
    const roleRef = requestedRoleRef(event);
    if (roleRef?.name !== 'cluster-admin') return null;
    return {
      summary: sentence`${actor(event)} ${pastTense(event.verb)} ${describeTarget(event)} binding ${roleRefSentence(roleRef)}${toSubjectsPhrase(requestedSubjects(event))}.`,
      evidence: bindingEvidence(event),
      namespace: targetNamespace(event),
      workload: targetWorkload(event),
    };
  },
};
