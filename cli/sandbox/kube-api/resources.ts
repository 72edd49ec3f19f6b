import { POLICY_CUSTOM_KINDS } from '#core/netpol/kinds.ts';

/**
 * The resources the in-memory Kubernetes API serves, described as its discovery documents list
 * them. Short names and categories are the API server's own (`kubectl api-resources` on a 1.3x
 * cluster; External Secrets Operator's CRDs), so `kubectl get po`, `get netpol`, `get all` and
 * `get es` resolve as on a real cluster.
 */
export interface ResourceType {
  /** `''` for the core group. */
  group: string;
  version: string;
  /** Plural, as in the URL: `pods`, `networkpolicies`. */
  resource: string;
  kind: string;
  namespaced: boolean;
  /** Custom resources refuse strategic merge patches with 415, as the API server does. @default false */
  custom?: boolean;
  /** Paths a fieldSelector may use besides `metadata.name` and `metadata.namespace`. */
  fields?: readonly string[];
  /** As discovery lists them: `po`, `netpol`. */
  shortNames?: readonly string[];
  /** As discovery lists them: `all` for the workload kinds `kubectl get all` shows. */
  categories?: readonly string[];
}

interface Naming {
  fields?: string[];
  shortNames?: string[];
  categories?: string[];
}

function core(resource: string, kind: string, namespaced: boolean, naming: Naming = {}): ResourceType {
  return { group: '', version: 'v1', resource, kind, namespaced, ...naming };
}

function grouped(
  group: string,
  resource: string,
  kind: string,
  namespaced: boolean,
  naming: Naming = {},
): ResourceType {
  return { group, version: 'v1', resource, kind, namespaced, ...naming };
}

const ALL = ['all'];

export const BUILTIN_RESOURCES: readonly ResourceType[] = [
  core('pods', 'Pod', true, {
    fields: [
      'spec.nodeName',
      'spec.serviceAccountName',
      'spec.restartPolicy',
      'spec.schedulerName',
      'status.phase',
      'status.podIP',
    ],
    shortNames: ['po'],
    categories: ALL,
  }),
  core('namespaces', 'Namespace', false, { fields: ['status.phase'], shortNames: ['ns'] }),
  core('nodes', 'Node', false, { fields: ['spec.unschedulable'], shortNames: ['no'] }),
  core('services', 'Service', true, { shortNames: ['svc'], categories: ALL }),
  core('events', 'Event', true, {
    fields: [
      'involvedObject.kind',
      'involvedObject.namespace',
      'involvedObject.name',
      'involvedObject.uid',
      'involvedObject.apiVersion',
      'involvedObject.resourceVersion',
      'involvedObject.fieldPath',
      'reason',
      'reportingComponent',
      'source',
      'type',
    ],
    shortNames: ['ev'],
  }),
  core('serviceaccounts', 'ServiceAccount', true, { shortNames: ['sa'] }),
  core('secrets', 'Secret', true, { fields: ['type'] }),
  core('configmaps', 'ConfigMap', true, { shortNames: ['cm'] }),
  grouped('networking.k8s.io', 'networkpolicies', 'NetworkPolicy', true, { shortNames: ['netpol'] }),
  grouped('rbac.authorization.k8s.io', 'roles', 'Role', true),
  grouped('rbac.authorization.k8s.io', 'rolebindings', 'RoleBinding', true),
  grouped('rbac.authorization.k8s.io', 'clusterroles', 'ClusterRole', false),
  grouped('rbac.authorization.k8s.io', 'clusterrolebindings', 'ClusterRoleBinding', false),
  grouped('apps', 'deployments', 'Deployment', true, { shortNames: ['deploy'], categories: ALL }),
  grouped('apps', 'replicasets', 'ReplicaSet', true, {
    fields: ['status.replicas'],
    shortNames: ['rs'],
    categories: ALL,
  }),
  grouped('apps', 'statefulsets', 'StatefulSet', true, { shortNames: ['sts'], categories: ALL }),
  grouped('apps', 'daemonsets', 'DaemonSet', true, { shortNames: ['ds'], categories: ALL }),
  grouped('batch', 'jobs', 'Job', true, { fields: ['status.successful'], categories: ALL }),
  grouped('policy', 'poddisruptionbudgets', 'PodDisruptionBudget', true, { shortNames: ['pdb'] }),
];

/**
 * The custom network policy kinds kubeguard lists (core/netpol/kinds.ts): AdminNetworkPolicy, the
 * baseline, Calico (projectcalico.org/v3 and its CRD group crd.projectcalico.org/v1) and Cilium.
 * Pass the ones a cluster has installed as `extraResources`.
 */
export const POLICY_CRD_RESOURCES: readonly ResourceType[] = POLICY_CUSTOM_KINDS.map((kind) => ({
  group: kind.group,
  version: kind.version,
  resource: kind.resource,
  kind: kind.kind,
  namespaced: kind.namespaced,
  custom: true,
}));

/**
 * The other kinds the posture collector lists that are built into Kubernetes (CronJob, Ingress, the
 * webhook configurations): pass them as `extraResources` to a server standing for a whole cluster.
 */
export const POSTURE_RESOURCES: readonly ResourceType[] = [
  grouped('batch', 'cronjobs', 'CronJob', true, { shortNames: ['cj'], categories: ALL }),
  grouped('networking.k8s.io', 'ingresses', 'Ingress', true, { shortNames: ['ing'] }),
  grouped(
    'admissionregistration.k8s.io',
    'mutatingwebhookconfigurations',
    'MutatingWebhookConfiguration',
    false,
  ),
  grouped(
    'admissionregistration.k8s.io',
    'validatingwebhookconfigurations',
    'ValidatingWebhookConfiguration',
    false,
  ),
];

/**
 * External Secrets Operator's kinds as one release serves them: `v1` from ESO 0.17, `v1beta1` only
 * before. Custom resources: strategic merge patches are refused (415).
 */
export function externalSecretsResources(version: 'v1' | 'v1beta1'): ResourceType[] {
  return (
    [
      ['externalsecrets', 'ExternalSecret', true, 'es'],
      ['clusterexternalsecrets', 'ClusterExternalSecret', false, 'ces'],
      ['secretstores', 'SecretStore', true, 'ss'],
      ['clustersecretstores', 'ClusterSecretStore', false, 'css'],
    ] as const
  ).map(([resource, kind, namespaced, shortName]) => ({
    group: 'external-secrets.io',
    version,
    resource,
    kind,
    namespaced,
    custom: true,
    shortNames: [shortName],
    categories: ['external-secrets'],
  }));
}

/** Resources whose `metadata.generation` follows `spec` changes. */
export const GENERATIONAL = new Set([
  'deployments',
  'replicasets',
  'statefulsets',
  'daemonsets',
  'jobs',
  'networkpolicies',
  'poddisruptionbudgets',
  // Argo Rollouts' CRD has the status subresource: its generation follows spec changes.
  'rollouts',
]);

export function apiVersionOf(type: ResourceType): string {
  return type.group === '' ? type.version : `${type.group}/${type.version}`;
}
