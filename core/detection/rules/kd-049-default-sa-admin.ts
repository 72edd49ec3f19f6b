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

const ADMIN_ROLES = ['cluster-admin', 'admin'];

export const kd049DefaultSaAdmin: AuditRule = {
  id: 'KD-049',
  title: 'Admin access granted to a default service account',
  severity: 'high',
  mitre: ['T1078.001'],
  core: false,
  resources: ['rolebindings', 'clusterrolebindings'],
  trigger:
    'create (cluster)rolebinding whose `subjects[*]` has `kind: ServiceAccount, name: default` and roleRef ' +
    '∈ {cluster-admin, admin} (any caller, any response: the trigger has neither clause)',
  whatHappened:
    'A binding was created that gives admin or cluster-admin to a namespace’s `default` service account.',
  whyItMatters:
    'Every pod that does not name a service account runs as `default`, and its token is mounted unless ' +
    'disabled. Admin rights on it hand those rights to any workload in the namespace (CIS EKS 4.1.5).',
  firstResponse:
    'Delete the binding unless a reviewed exception exists, give the workload that needed it a ' +
    'dedicated service account with minimal rights, and check what pods in that namespace did since.',
  falsePositives: 'Quick-start manifests and tutorials sometimes do this in test clusters.',
  /** Corpus line 66 (Panther test) with a default service account subject and the admin ClusterRole. */
  example: {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'RequestResponse',
    auditID: '7b2d4f6a-8c0e-4a1b-9d3f-5e7a9c1b3d5f',
    stage: 'ResponseComplete',
    requestURI: '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings',
    verb: 'create',
    user: { username: 'admin@example.com' },
    userAgent: 'kubectl/v1.28.0',
    objectRef: {
      resource: 'rolebindings',
      namespace: 'default',
      name: 'default-admin',
      apiGroup: 'rbac.authorization.k8s.io',
      apiVersion: 'v1',
    },
    responseStatus: { code: 201 },
    requestObject: {
      kind: 'RoleBinding',
      metadata: { name: 'default-admin', namespace: 'default' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin' },
      subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: 'default' }],
    },
  },
  match(event) {
    if (!isRequestOn(event, ['create'], BINDING_RESOURCES)) return null;
    const roleRef = requestedRoleRef(event);
    if (roleRef === undefined || !ADMIN_ROLES.includes(roleRef.name)) return null;
    const defaults = requestedSubjects(event).filter(
      (s) => s.kind === 'ServiceAccount' && s.name === 'default',
    );
    if (defaults.length === 0) return null;
    return {
      summary: sentence`${actor(event)} ${actionPhrase(event)} ${describeTarget(event)} binding ${roleRefSentence(roleRef)} to ${subjectsSentence(defaults)}${outcomeNote(event)}.`,
      evidence: bindingEvidence(event),
      namespace: targetNamespace(event),
      workload: targetWorkload(event),
    };
  },
};
