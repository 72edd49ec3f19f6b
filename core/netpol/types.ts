/**
 * The slice of Kubernetes the NetworkPolicy evaluator needs. Policies keep the `networking.k8s.io/v1`
 * and `policy.networking.k8s.io/v1alpha1` shapes as a user writes them (before API defaulting); pods,
 * namespaces and nodes are reduced to what policies can see: labels, IPs and named container ports.
 */

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

export type PolicyType = 'Ingress' | 'Egress';

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[] | null;
}

/** `{}` (or all parts missing/null) selects everything. */
export interface LabelSelector {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: LabelSelectorRequirement[] | null;
}

export interface IpBlock {
  cidr: string;
  except?: string[] | null;
}

export interface NetworkPolicyPeer {
  podSelector?: LabelSelector | null;
  namespaceSelector?: LabelSelector | null;
  ipBlock?: IpBlock | null;
}

export interface NetworkPolicyPort {
  /** Defaults to TCP. */
  protocol?: Protocol | null;
  /** A number, or the name of a container port on the destination pod. Missing = every port. */
  port?: number | string | null;
  /** Inclusive upper end of a numeric port range. */
  endPort?: number | null;
}

export interface NetworkPolicyIngressRule {
  from?: NetworkPolicyPeer[] | null;
  ports?: NetworkPolicyPort[] | null;
}

export interface NetworkPolicyEgressRule {
  to?: NetworkPolicyPeer[] | null;
  ports?: NetworkPolicyPort[] | null;
}

export interface NetworkPolicy {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string };
  spec: {
    podSelector?: LabelSelector | null;
    policyTypes?: PolicyType[] | null;
    ingress?: NetworkPolicyIngressRule[] | null;
    egress?: NetworkPolicyEgressRule[] | null;
  };
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  /** Defaults to TCP. */
  protocol?: Protocol;
}

export interface NetpolPod {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  /** `status.podIP`; a pod without one (pending) is never matched by an ipBlock. */
  ip?: string;
  ports?: ContainerPort[];
}

export interface NetpolNamespace {
  name: string;
  /** Includes `kubernetes.io/metadata.name`, as the API server sets it. */
  labels: Record<string, string>;
}

/** A node as an AdminNetworkPolicy `nodes` peer sees it: its labels and `status.addresses`. */
export interface NetpolNode {
  name: string;
  labels: Record<string, string>;
  addresses: string[];
}

/** What the evaluator decides over. */
export interface NetpolCluster {
  namespaces: readonly NetpolNamespace[];
  pods: readonly NetpolPod[];
  policies: readonly NetworkPolicy[];
  /** `policy.networking.k8s.io/v1alpha1` AdminNetworkPolicies (cluster-scoped). */
  adminPolicies?: readonly AdminNetworkPolicy[];
  /** The BaselineAdminNetworkPolicy (the API server admits one, named `default`). */
  baselinePolicies?: readonly BaselineAdminNetworkPolicy[];
  /**
   * Policies that exist but are not evaluated: objects that do not parse, kinds kubeguard does not
   * evaluate (Calico, Cilium), and kinds that could not be read at all. A connection of a pod one of
   * them may select is `unknown`, never a guess.
   */
  unevaluated?: readonly UnevaluatedPolicy[];
  /** Undefined when nodes were not read: a `nodes` peer then cannot be decided for an IP. */
  nodes?: readonly NetpolNode[];
}

/** A policy (or a whole policy kind) that may select pods but is not evaluated, and why. */
export interface UnevaluatedPolicy {
  /** `NetworkPolicy`, `AdminNetworkPolicy`, `GlobalNetworkPolicy`, `CiliumNetworkPolicy`, … */
  kind: string;
  apiVersion?: string;
  /** Set for namespaced objects (and for a kind that could not be read in one namespace). */
  namespace?: string;
  /** Undefined when the kind could not be read at all (e.g. 403): any object of it may exist. */
  name?: string;
  reason: string;
  /** The object as read, so that a selector that still parses can show which pods it may select. */
  object?: unknown;
}

export type AdminRuleAction = 'Allow' | 'Deny' | 'Pass';

/** `policy.networking.k8s.io/v1alpha1` NamespacedPod: pods in namespaces (both selectors required). */
export interface NamespacedPodSelector {
  namespaceSelector: LabelSelector;
  podSelector: LabelSelector;
}

/** Exactly one of `namespaces`, `pods` (the CRD's MinProperties/MaxProperties = 1). */
export interface AdminNetworkPolicySubject {
  namespaces?: LabelSelector;
  pods?: NamespacedPodSelector;
}

/** Exactly one of `portNumber`, `namedPort`, `portRange`. Protocols default to TCP. */
export interface AdminNetworkPolicyPort {
  portNumber?: { protocol?: Protocol; port: number };
  namedPort?: string;
  portRange?: { protocol?: Protocol; start: number; end: number };
}

export interface AdminNetworkPolicyIngressPeer {
  namespaces?: LabelSelector;
  pods?: NamespacedPodSelector;
}

export interface AdminNetworkPolicyEgressPeer extends AdminNetworkPolicyIngressPeer {
  /** Node IPs (`status.addresses`) of the selected nodes. */
  nodes?: LabelSelector;
  /** CIDRs; they match pod IPs too. */
  networks?: string[];
  /** DNS names (Allow only); kubeguard cannot tell which IPs they resolve to. */
  domainNames?: string[];
}

export interface AdminNetworkPolicyIngressRule {
  name?: string;
  action: AdminRuleAction;
  from: AdminNetworkPolicyIngressPeer[];
  ports?: AdminNetworkPolicyPort[];
}

export interface AdminNetworkPolicyEgressRule {
  name?: string;
  action: AdminRuleAction;
  to: AdminNetworkPolicyEgressPeer[];
  ports?: AdminNetworkPolicyPort[];
}

export interface AdminNetworkPolicy {
  apiVersion?: string;
  kind?: 'AdminNetworkPolicy';
  metadata: { name: string };
  spec: {
    /** 0–1000; lower numbers take precedence. */
    priority: number;
    subject: AdminNetworkPolicySubject;
    ingress?: AdminNetworkPolicyIngressRule[];
    egress?: AdminNetworkPolicyEgressRule[];
  };
}

/** Like an AdminNetworkPolicy without priority, whose rules may only Allow or Deny. */
export interface BaselineAdminNetworkPolicy {
  apiVersion?: string;
  kind?: 'BaselineAdminNetworkPolicy';
  metadata: { name: string };
  spec: {
    subject: AdminNetworkPolicySubject;
    ingress?: AdminNetworkPolicyIngressRule[];
    egress?: AdminNetworkPolicyEgressRule[];
  };
}

/** One end of a connection: a pod by `namespace/name`, or an IP address. */
export type EndpointRef = { pod: string } | { ip: string };

export interface ConnectionQuery {
  from: EndpointRef;
  to: EndpointRef;
  /** The destination pod's port: a number, or one of its container port names. */
  port: number | string;
  /** @default 'TCP' */
  protocol?: Protocol;
}

/** `unknown`: a policy that may decide it could not be evaluated (`reason` says which and why). */
export type Verdict = 'allow' | 'deny' | 'unknown';

/** The verdict of one side; `n/a` when that end is an IP outside the cluster's pods. */
export interface SideVerdict {
  verdict: Verdict | 'n/a';
  /** Whether any NetworkPolicy selects the pod for this direction. */
  isolated: boolean;
  /**
   * `namespace/name` of the NetworkPolicies that allow the connection, or, when they deny it, of the
   * policies that isolate the pod; `AdminNetworkPolicy/<name>` or `BaselineAdminNetworkPolicy/<name>`
   * when an admin rule decided. Empty when nothing selects the pod (or the end is an IP).
   */
  decidedBy: string[];
  /** The admin rule that decided: `AdminNetworkPolicy/<name> ingress[0] "<rule name>": Allow`. */
  rule?: string;
  /** The AdminNetworkPolicy rule whose Pass handed the connection to NetworkPolicies and the baseline. */
  passedBy?: string;
  /** Why the verdict is `unknown`. */
  reason?: string;
}

export interface ConnectionVerdict {
  from: EndpointRef;
  to: EndpointRef;
  /** Resolved to a number (a named port is looked up on the destination pod). */
  port: number;
  protocol: Protocol;
  verdict: Verdict;
  egress: SideVerdict;
  ingress: SideVerdict;
}
