import type { AccessRequest } from '../rbac.ts';
import { accessCheck } from './rbac-support.ts';

const RBAC = 'rbac.authorization.k8s.io';

export const ESCALATION_REQUESTS: readonly AccessRequest[] = [
  ...['roles', 'clusterroles'].flatMap((resource) => [
    { verb: 'bind', resource, apiGroup: RBAC },
    { verb: 'escalate', resource, apiGroup: RBAC },
  ]),
  ...['users', 'groups', 'serviceaccounts'].map((resource) => ({ verb: 'impersonate', resource })),
  ...['userextras', 'uids'].map((resource) => ({
    verb: 'impersonate',
    resource,
    apiGroup: 'authentication.k8s.io',
  })),
];

export const bindEscalateImpersonateCheck = accessCheck({
  id: 'KP-046',
  title: 'Limit the bind, escalate and impersonate verbs',
  severity: 'high',
  category: 'rbac',
  core: true,
  cis: ['4.1.8'],
  reads: ['roles', 'rolebindings'],
  remediation:
    'Remove bind / escalate on roles and clusterroles and impersonate on users, groups and service accounts from every role that is not the RBAC-managing controller.',
  requests: ESCALATION_REQUESTS,
  impact: 'can raise its own privileges (bind / escalate roles or impersonate other identities)',
});
