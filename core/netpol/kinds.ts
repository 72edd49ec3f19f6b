/**
 * Every kind of network policy kubeguard knows a cluster may hold, beside `networking.k8s.io/v1`
 * NetworkPolicy: the ones it evaluates (AdminNetworkPolicy, BaselineAdminNetworkPolicy) and the ones
 * it reads only to say they exist (Calico, Cilium), since a pod they select is not verified by
 * evaluating the others. Sources (manifests, a kubeconfig, the remediation reader) list them from here.
 */

export interface PolicyKind {
  kind: string;
  group: string;
  version: string;
  /** Plural, as in the URL and in RBAC rules. */
  resource: string;
  namespaced: boolean;
  /** The engine whose policies these are, for kinds kubeguard does not evaluate. */
  engine?: 'Calico' | 'Cilium';
}

export const ADMIN_NETWORK_POLICY: PolicyKind = {
  kind: 'AdminNetworkPolicy',
  group: 'policy.networking.k8s.io',
  version: 'v1alpha1',
  resource: 'adminnetworkpolicies',
  namespaced: false,
};

export const BASELINE_ADMIN_NETWORK_POLICY: PolicyKind = {
  kind: 'BaselineAdminNetworkPolicy',
  group: 'policy.networking.k8s.io',
  version: 'v1alpha1',
  resource: 'baselineadminnetworkpolicies',
  namespaced: false,
};

/**
 * Calico serves its policies as `projectcalico.org/v3` through its API server and stores them as
 * `crd.projectcalico.org/v1` custom resources (the only form when the Calico API server is not
 * installed); both are read.
 */
export const OPAQUE_POLICY_KINDS: readonly PolicyKind[] = [
  {
    kind: 'NetworkPolicy',
    group: 'projectcalico.org',
    version: 'v3',
    resource: 'networkpolicies',
    namespaced: true,
    engine: 'Calico',
  },
  {
    kind: 'GlobalNetworkPolicy',
    group: 'projectcalico.org',
    version: 'v3',
    resource: 'globalnetworkpolicies',
    namespaced: false,
    engine: 'Calico',
  },
  {
    kind: 'NetworkPolicy',
    group: 'crd.projectcalico.org',
    version: 'v1',
    resource: 'networkpolicies',
    namespaced: true,
    engine: 'Calico',
  },
  {
    kind: 'GlobalNetworkPolicy',
    group: 'crd.projectcalico.org',
    version: 'v1',
    resource: 'globalnetworkpolicies',
    namespaced: false,
    engine: 'Calico',
  },
  {
    kind: 'CiliumNetworkPolicy',
    group: 'cilium.io',
    version: 'v2',
    resource: 'ciliumnetworkpolicies',
    namespaced: true,
    engine: 'Cilium',
  },
  {
    kind: 'CiliumClusterwideNetworkPolicy',
    group: 'cilium.io',
    version: 'v2',
    resource: 'ciliumclusterwidenetworkpolicies',
    namespaced: false,
    engine: 'Cilium',
  },
];

/** Every custom policy kind a source lists: the evaluated admin kinds, then the opaque ones. */
export const POLICY_CUSTOM_KINDS: readonly PolicyKind[] = [
  ADMIN_NETWORK_POLICY,
  BASELINE_ADMIN_NETWORK_POLICY,
  ...OPAQUE_POLICY_KINDS,
];

export function apiVersionOf(kind: PolicyKind): string {
  return `${kind.group}/${kind.version}`;
}

/** The custom policy kind of an object by its `apiVersion` group and `kind`, if it is one. */
export function policyKindOf(apiVersion: unknown, kind: unknown): PolicyKind | undefined {
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return undefined;
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  return POLICY_CUSTOM_KINDS.find((k) => k.kind === kind && k.group === group);
}

/**
 * The kind as reports name it: `NetworkPolicy.projectcalico.org` where the bare kind would read as
 * the built-in NetworkPolicy, the bare kind otherwise.
 */
export function displayKind(kind: string, apiVersion: string | undefined): string {
  const group = apiVersion?.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  return kind === 'NetworkPolicy' && group !== '' && group !== 'networking.k8s.io'
    ? `${kind}.${group}`
    : kind;
}
