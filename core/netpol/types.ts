/**
 * The slice of Kubernetes the NetworkPolicy evaluator needs. Policies keep the `networking.k8s.io/v1`
 * shape as a user writes them (before API defaulting); pods and namespaces are reduced to what
 * policies can see: labels, the pod IP and the named container ports.
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

/** What the evaluator decides over. */
export interface NetpolCluster {
  namespaces: readonly NetpolNamespace[];
  pods: readonly NetpolPod[];
  policies: readonly NetworkPolicy[];
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

export type Verdict = 'allow' | 'deny';

/** The verdict of one side; `n/a` when that end is an IP outside the cluster's pods. */
export interface SideVerdict {
  verdict: Verdict | 'n/a';
  /** Whether any policy selects the pod for this direction. */
  isolated: boolean;
  /**
   * `namespace/name` of the policies that allow the connection, or, when it is denied, of the
   * policies that isolate the pod. Empty when the pod is not isolated (or the end is an IP).
   */
  decidedBy: string[];
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
