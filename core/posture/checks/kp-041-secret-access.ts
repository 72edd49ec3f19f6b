import { accessCheck } from './rbac-support.ts';

export const secretAccessCheck = accessCheck({
  id: 'KP-041',
  title: 'Minimize get/list/watch on Secrets',
  severity: 'high',
  category: 'rbac',
  core: true,
  cis: ['4.1.2'],
  reads: ['roles', 'rolebindings'],
  remediation:
    'Remove get/list/watch on secrets from the role, or limit it to named secrets with resourceNames in a namespaced Role; prefer mounting secrets into the pods that need them.',
  requests: ['get', 'list', 'watch'].map((verb) => ({ verb, resource: 'secrets' })),
  impact: 'can read Secrets',
});
