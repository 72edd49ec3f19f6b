import { accessCheck } from './rbac-support.ts';

export const podExecAttachCheck = accessCheck({
  id: 'KP-052',
  title: 'No pods/exec or pods/attach for non-system subjects',
  severity: 'high',
  category: 'rbac',
  core: true,
  cis: [],
  reads: ['roles', 'rolebindings'],
  remediation:
    'Remove pods/exec and pods/attach from roles given to people and service accounts; use a break-glass role bound for a limited time when debugging is needed.',
  // kubectl exec sends create (SPDY) or, from 1.30 on, get (WebSocket): both are checked.
  requests: ['exec', 'attach'].flatMap((subresource) =>
    ['create', 'get'].map((verb) => ({ verb, resource: 'pods', subresource })),
  ),
  impact: 'can run commands inside pods (pods/exec or pods/attach)',
});
