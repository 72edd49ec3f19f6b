import type { AccessRequest } from '../rbac.ts';
import { accessCheck } from './rbac-support.ts';

const DELETE_TARGETS: readonly AccessRequest[] = [
  ...[
    'pods',
    'services',
    'secrets',
    'configmaps',
    'persistentvolumeclaims',
    'persistentvolumes',
    'namespaces',
  ].map((resource) => ({ verb: 'delete', resource })),
  ...['deployments', 'statefulsets', 'daemonsets'].map((resource) => ({
    verb: 'delete',
    resource,
    apiGroup: 'apps',
  })),
];

export const deleteAndPortForwardCheck = accessCheck({
  id: 'KP-054',
  title: 'Minimize delete and port-forward permissions',
  severity: 'low',
  category: 'rbac',
  core: false,
  cis: [],
  reads: ['roles', 'rolebindings'],
  remediation:
    'Keep delete on workloads, data and namespaces, and pods/portforward, for the people and controllers that need them.',
  requests: [
    ...DELETE_TARGETS,
    { verb: 'deletecollection', resource: 'pods' },
    { verb: 'create', resource: 'pods', subresource: 'portforward' },
    { verb: 'get', resource: 'pods', subresource: 'portforward' },
  ],
  impact: 'can delete workloads or data, or port-forward into pods',
});
