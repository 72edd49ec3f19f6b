import { accessCheck } from './rbac-support.ts';

export const nodeProxyCheck = accessCheck({
  id: 'KP-048',
  title: 'Minimize access to nodes/proxy',
  severity: 'high',
  category: 'rbac',
  core: true,
  cis: ['4.1.10'],
  reads: ['roles', 'rolebindings'],
  remediation:
    'Remove nodes/proxy from roles; monitoring agents can read kubelet metrics through nodes/metrics and nodes/stats instead.',
  requests: ['get', 'create'].map((verb) => ({ verb, resource: 'nodes', subresource: 'proxy' })),
  impact:
    'can call the kubelet API through nodes/proxy (exec into any pod of a node, bypassing audit of pods/exec)',
});
