import { literal, type Sentence, sentence } from '../../model/sentence.ts';
import { type AuditEvent, asString, asStringArray, isSuccess } from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import {
  actor,
  matchesNameList,
  pastTense,
  targetName,
  targetNamespace,
  targetWorkload,
} from './shared-rbac-objects.ts';

const PRIVILEGED_USERS = [
  'admin',
  'cluster-admin',
  'kubernetes-admin',
  'system:admin',
  'system:kube-controller-manager',
  'system:kube-scheduler',
  'system:node:*',
  'system:serviceaccount:kube-system:*',
];
const PRIVILEGED_GROUP = 'system:masters';

/**
 * "decision allow": the authorization annotation when the event has one; trimmed logs without
 * annotations fall back to a successful response (the request could not succeed unless allowed).
 */
function allowed(event: AuditEvent): boolean {
  const decision = asString(event.annotations?.['authorization.k8s.io/decision']);
  return decision === undefined ? isSuccess(event) : decision === 'allow';
}

/** Why the impersonated identity is privileged, or undefined when it is not. */
function privilegedIdentity(event: AuditEvent): Sentence | undefined {
  const name = asString(event.impersonatedUser?.username) ?? '';
  if (name !== '' && matchesNameList(name, PRIVILEGED_USERS)) return sentence`user ${name}`;
  const groups = asStringArray(event.impersonatedUser?.groups);
  return groups.includes(PRIVILEGED_GROUP)
    ? sentence`group ${PRIVILEGED_GROUP}${name === '' ? literal('') : sentence` (as ${name})`}`
    : undefined;
}

export const kd055PrivilegedImpersonation: AuditRule = {
  id: 'KD-055',
  title: 'Impersonation of a privileged identity',
  severity: 'high',
  mitre: ['T1134'],
  core: false,
  trigger:
    '`impersonatedUser.username` ∈ {admin, cluster-admin, kubernetes-admin, system:admin, ' +
    'system:kube-controller-manager, system:kube-scheduler, system:node:*, system:serviceaccount:kube-system:*} ' +
    'or `impersonatedUser.groups` ∋ `system:masters`; decision allow (without the annotation: success)',
  whatHappened:
    'A caller used Kubernetes impersonation (`--as` / `--as-group`) to act as a privileged identity, and it was allowed.',
  whyItMatters:
    'Impersonation grants the impersonated identity’s full permissions. Acting as a node, a control-plane ' +
    'component or system:masters is a direct privilege escalation, and the audit log attributes the ' +
    'actions to the impersonated identity.',
  firstResponse:
    'Find out who holds the `impersonate` permission that allowed this (KD-045) and what was done under ' +
    'the borrowed identity; remove the permission if it is not a sanctioned break-glass path.',
  falsePositives: 'Administrators testing permissions with `kubectl --as`; identity-aware proxies.',
  /** A kubectl --as request in the shape of the EKS fixtures (Metadata level, IAM-mapped user). */
  example: {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: '4d6f8a0c-2e4a-4c6e-8a0c-4e6a8c0e2a4d',
    stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces/kube-system/secrets',
    verb: 'list',
    user: { username: 'developer@example.com', groups: ['system:authenticated'] },
    impersonatedUser: { username: 'system:kube-controller-manager' },
    sourceIPs: ['203.0.113.42'],
    userAgent: 'kubectl/v1.28.0',
    objectRef: { resource: 'secrets', namespace: 'kube-system', apiVersion: 'v1' },
    responseStatus: { code: 200 },
    requestReceivedTimestamp: '2024-05-15T16:11:02.004512Z',
    stageTimestamp: '2024-05-15T16:11:02.014871Z',
    annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
  },
  match(event) {
    const identity = privilegedIdentity(event);
    if (identity === undefined || !allowed(event)) return null;
    const objectResource = asString(event.objectRef?.resource);
    const what = objectResource || (asString(event.requestURI) ?? '');
    return {
      summary: sentence`${actor(event)} impersonated ${identity} and ${pastTense(event.verb)} ${what}.`,
      evidence: { impersonated: identity.text },
      namespace: targetNamespace(event),
      workload: targetName(event) === undefined ? undefined : targetWorkload(event),
    };
  },
};
