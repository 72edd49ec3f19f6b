/**
 * The Kubernetes kinds kubeguard reads or writes, with where the API serves them. The read adapter
 * (adapters/kubernetes/client.ts) builds every URL from this table, so a kind added here can be
 * listed by posture, netpol and remediation alike.
 */
export interface KindInfo {
  /** The group version read first: `v1`, `apps/v1`, `external-secrets.io/v1`. */
  apiVersion: string;
  /** Plural, as in the URL and in RBAC rules. */
  resource: string;
  namespaced: boolean;
  /**
   * Older group versions read, in order, when the collection of `apiVersion` is not served (404):
   * an operator release that predates the preferred version.
   */
  olderVersions?: readonly string[];
  /** For custom resources: what installs the kind. Not installed (404 on every version) means none. */
  installedBy?: string;
}

const ESO = 'External Secrets Operator';

const KINDS = {
  Pod: { apiVersion: 'v1', resource: 'pods', namespaced: true },
  Namespace: { apiVersion: 'v1', resource: 'namespaces', namespaced: false },
  Node: { apiVersion: 'v1', resource: 'nodes', namespaced: false },
  Service: { apiVersion: 'v1', resource: 'services', namespaced: true },
  Event: { apiVersion: 'v1', resource: 'events', namespaced: true },
  ServiceAccount: { apiVersion: 'v1', resource: 'serviceaccounts', namespaced: true },
  Secret: { apiVersion: 'v1', resource: 'secrets', namespaced: true },
  ConfigMap: { apiVersion: 'v1', resource: 'configmaps', namespaced: true },
  NetworkPolicy: { apiVersion: 'networking.k8s.io/v1', resource: 'networkpolicies', namespaced: true },
  Ingress: { apiVersion: 'networking.k8s.io/v1', resource: 'ingresses', namespaced: true },
  Role: { apiVersion: 'rbac.authorization.k8s.io/v1', resource: 'roles', namespaced: true },
  RoleBinding: { apiVersion: 'rbac.authorization.k8s.io/v1', resource: 'rolebindings', namespaced: true },
  ClusterRole: { apiVersion: 'rbac.authorization.k8s.io/v1', resource: 'clusterroles', namespaced: false },
  ClusterRoleBinding: {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    resource: 'clusterrolebindings',
    namespaced: false,
  },
  Deployment: { apiVersion: 'apps/v1', resource: 'deployments', namespaced: true },
  ReplicaSet: { apiVersion: 'apps/v1', resource: 'replicasets', namespaced: true },
  StatefulSet: { apiVersion: 'apps/v1', resource: 'statefulsets', namespaced: true },
  DaemonSet: { apiVersion: 'apps/v1', resource: 'daemonsets', namespaced: true },
  Job: { apiVersion: 'batch/v1', resource: 'jobs', namespaced: true },
  CronJob: { apiVersion: 'batch/v1', resource: 'cronjobs', namespaced: true },
  PodDisruptionBudget: { apiVersion: 'policy/v1', resource: 'poddisruptionbudgets', namespaced: true },
  MutatingWebhookConfiguration: {
    apiVersion: 'admissionregistration.k8s.io/v1',
    resource: 'mutatingwebhookconfigurations',
    namespaced: false,
  },
  ValidatingWebhookConfiguration: {
    apiVersion: 'admissionregistration.k8s.io/v1',
    resource: 'validatingwebhookconfigurations',
    namespaced: false,
  },
  /** v1 is served from ESO 0.17 (the API server converts v1beta1 objects); older releases serve v1beta1 only. */
  ExternalSecret: {
    apiVersion: 'external-secrets.io/v1',
    resource: 'externalsecrets',
    namespaced: true,
    olderVersions: ['external-secrets.io/v1beta1'],
    installedBy: ESO,
  },
  /** Cluster-scoped: creates an ExternalSecret from `spec.externalSecretSpec` in each selected namespace. */
  ClusterExternalSecret: {
    apiVersion: 'external-secrets.io/v1',
    resource: 'clusterexternalsecrets',
    namespaced: false,
    olderVersions: ['external-secrets.io/v1beta1'],
    installedBy: ESO,
  },
  SecretStore: {
    apiVersion: 'external-secrets.io/v1',
    resource: 'secretstores',
    namespaced: true,
    olderVersions: ['external-secrets.io/v1beta1'],
    installedBy: ESO,
  },
  ClusterSecretStore: {
    apiVersion: 'external-secrets.io/v1',
    resource: 'clustersecretstores',
    namespaced: false,
    olderVersions: ['external-secrets.io/v1beta1'],
    installedBy: ESO,
  },
  /** Argo Rollouts: a Deployment-like controller; rotate-secret restarts it through `spec.restartAt`. */
  Rollout: {
    apiVersion: 'argoproj.io/v1alpha1',
    resource: 'rollouts',
    namespaced: true,
    installedBy: 'Argo Rollouts',
  },
  /** Secrets Store CSI driver. */
  SecretProviderClass: {
    apiVersion: 'secrets-store.csi.x-k8s.io/v1',
    resource: 'secretproviderclasses',
    namespaced: true,
    installedBy: 'the Secrets Store CSI driver',
  },
  /** Network policy kinds that apply beside NetworkPolicies (core/netpol/kinds.ts says how each is used). */
  AdminNetworkPolicy: {
    apiVersion: 'policy.networking.k8s.io/v1alpha1',
    resource: 'adminnetworkpolicies',
    namespaced: false,
    installedBy: 'the network-policy-api CRDs',
  },
  BaselineAdminNetworkPolicy: {
    apiVersion: 'policy.networking.k8s.io/v1alpha1',
    resource: 'baselineadminnetworkpolicies',
    namespaced: false,
    installedBy: 'the network-policy-api CRDs',
  },
  /** Calico's `NetworkPolicy`: through the Calico API server, or its CRD when that is not installed. */
  CalicoNetworkPolicy: {
    apiVersion: 'projectcalico.org/v3',
    resource: 'networkpolicies',
    namespaced: true,
    olderVersions: ['crd.projectcalico.org/v1'],
    installedBy: 'Calico',
  },
  CalicoGlobalNetworkPolicy: {
    apiVersion: 'projectcalico.org/v3',
    resource: 'globalnetworkpolicies',
    namespaced: false,
    olderVersions: ['crd.projectcalico.org/v1'],
    installedBy: 'Calico',
  },
  CiliumNetworkPolicy: {
    apiVersion: 'cilium.io/v2',
    resource: 'ciliumnetworkpolicies',
    namespaced: true,
    installedBy: 'Cilium',
  },
  CiliumClusterwideNetworkPolicy: {
    apiVersion: 'cilium.io/v2',
    resource: 'ciliumclusterwidenetworkpolicies',
    namespaced: false,
    installedBy: 'Cilium',
  },
} as const satisfies Record<string, KindInfo>;

export type KubeKind = keyof typeof KINDS;

export const KUBE_KINDS: Readonly<Record<KubeKind, KindInfo>> = KINDS;

export function isKubeKind(kind: string): kind is KubeKind {
  return Object.hasOwn(KUBE_KINDS, kind);
}

/** The API group of a kind: `''` for the core group. */
export function apiGroupOf(kind: KubeKind): string {
  return groupOf(KUBE_KINDS[kind].apiVersion);
}

/** `apps/v1` → `apps`, `v1` → `''`. */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

/** Every group version a kind may be served at, preferred first. */
export function servedVersions(kind: KubeKind): readonly string[] {
  const info = KUBE_KINDS[kind];
  return [info.apiVersion, ...(info.olderVersions ?? [])];
}
