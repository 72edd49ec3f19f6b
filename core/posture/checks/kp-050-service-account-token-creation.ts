import { accessCheck } from './rbac-support.ts';

export const serviceAccountTokenCreationCheck = accessCheck({
  id: 'KP-050',
  title: 'Minimize create on serviceaccounts/token',
  severity: 'high',
  category: 'rbac',
  core: false,
  cis: ['4.1.12'],
  reads: ['roles', 'rolebindings'],
  remediation:
    'Remove create on serviceaccounts/token, or restrict it with resourceNames to the one service account needed.',
  requests: [{ verb: 'create', resource: 'serviceaccounts', subresource: 'token' }],
  impact: 'can mint tokens for service accounts (and act with their permissions)',
});
