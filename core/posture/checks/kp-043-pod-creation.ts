import type { AccessRequest } from '../rbac.ts';
import { accessCheck } from './rbac-support.ts';

/** Creating a pod, directly or through a controller, runs code as any service account of the namespace. */
export const POD_CREATION_REQUESTS: readonly AccessRequest[] = [
  { verb: 'create', resource: 'pods' },
  ...['deployments', 'daemonsets', 'statefulsets', 'replicasets'].map((resource) => ({
    verb: 'create',
    resource,
    apiGroup: 'apps',
  })),
  ...['jobs', 'cronjobs'].map((resource) => ({ verb: 'create', resource, apiGroup: 'batch' })),
];

export const podCreationCheck = accessCheck({
  id: 'KP-043',
  title: 'Minimize create on pods and workload controllers',
  severity: 'high',
  category: 'rbac',
  core: false,
  cis: ['4.1.4'],
  reads: ['roles', 'rolebindings'],
  remediation:
    'Grant create on pods / workloads only to CI and controllers that deploy, scoped to their namespaces with a Role; let people deploy through GitOps.',
  requests: POD_CREATION_REQUESTS,
  impact: 'can start pods (and so run as any service account, mount any Secret of the namespace)',
});
