import type { CompiledAdminPolicy, CompiledAdminRule } from './admin.ts';
import { formatCidr, parseCidr } from './cidr.ts';
import { createEvaluator, podEndpoint, podKey } from './evaluate.ts';
import { describeSelector } from './labels.ts';
import type { CompiledPolicy, CompiledRule, Direction, PeerEndpoint } from './policy.ts';
import type {
  AdminNetworkPolicyEgressPeer,
  AdminNetworkPolicyPort,
  LabelSelector,
  NetpolCluster,
  NetpolPod,
  NetworkPolicyPeer,
  NetworkPolicyPort,
} from './types.ts';

/**
 * How isolated a pod really is under the policies that apply to it. NetworkPolicies only add allows:
 * a deny-all beside another policy that allows something leaves that something allowed. An
 * AdminNetworkPolicy Allow rule admits traffic whatever the NetworkPolicies say. This lists every
 * rule that still lets traffic in or out, so an "isolated" claim never says more than holds, and a
 * policy that may apply but could not be evaluated makes the report "not verified".
 */

export interface IsolationReport {
  /** `namespace/name`. */
  pod: string;
  /**
   * True only when every policy that may apply was evaluated, the pod is isolated in both directions
   * and no rule allows anything.
   */
  complete: boolean;
  /**
   * `isolation complete`; `partial: <policy> still allows <direction> from/to <peers> …`; or
   * `not verified: <kind>/<ns>/<name> could not be evaluated (<reason>)` (then `; partial: …` if
   * the evaluated policies also leave something open).
   */
  summary: string;
  ingress: DirectionReport;
  egress: DirectionReport;
  /** Policies that may apply to the pod but were not evaluated, each as `<id> could not be … (<reason>)`. */
  notVerified: string[];
}

export interface DirectionReport {
  direction: Direction;
  /**
   * `open`: no NetworkPolicy selects the pod for this direction, so what no admin rule denies is
   * allowed; `partial`: policies select it but some rule still allows traffic; `isolated`: nothing
   * allowed.
   */
  status: 'open' | 'partial' | 'isolated';
  /** `namespace/name` of every NetworkPolicy selecting the pod for this direction. */
  selectingPolicies: string[];
  allowances: Allowance[];
}

/** One rule of one policy that still allows traffic. */
export interface Allowance {
  /** `namespace/name` of a NetworkPolicy, or `AdminNetworkPolicy/<name>`. */
  policy: string;
  direction: Direction;
  /** Index of the rule in the policy's `ingress` or `egress` list. */
  rule: number;
  /** The peers as written, in words: `pods app=web in namespace shop`, `IPs in 10.0.0.0/8`, `anyone`. */
  peers: string[];
  /** `TCP/80`, `TCP/32000-32768`, `UDP/any port`, or `any port and protocol`. */
  ports: string[];
  /** Known pods (other than this one) the peers match today; a selector may also match future pods. */
  matchingPods: string[];
  /** Whether the peers also admit IP addresses (no peer list at all, an ipBlock, networks, nodes). */
  admitsIpAddresses: boolean;
}

/**
 * Evaluates every policy that applies to the pod (pass the pod as it is now, e.g. after relabelling
 * it out of its workload) against the cluster's namespaces and pods.
 */
export function isolationReport(pod: NetpolPod, cluster: NetpolCluster): IsolationReport {
  const key = podKey(pod);
  const others = cluster.pods.filter((p) => podKey(p) !== key);
  const evaluator = createEvaluator({ ...cluster, pods: [...others, pod] });
  const labelsByNamespace = new Map(cluster.namespaces.map((ns) => [ns.name, ns.labels]));
  const context: ReportContext = {
    pod,
    others: others.map((other) => podEndpoint(other, labelsByNamespace)),
  };
  const selection = evaluator.selection(pod);
  const admin = selection.admin.flat();
  const ingress = directionReport('ingress', selection.ingress, admin, context);
  const egress = directionReport('egress', selection.egress, admin, context);
  const notVerified = selection.unevaluated.map((u) => u.description);
  const complete = notVerified.length === 0 && ingress.status === 'isolated' && egress.status === 'isolated';
  return {
    pod: key,
    complete,
    summary: summarize(key, [ingress, egress], complete, notVerified),
    ingress,
    egress,
    notVerified,
  };
}

interface ReportContext {
  pod: NetpolPod;
  /** Every other pod, as a peer. */
  others: readonly PeerEndpoint[];
}

function directionReport(
  direction: Direction,
  selecting: readonly CompiledPolicy[],
  admin: readonly CompiledAdminPolicy[],
  context: ReportContext,
): DirectionReport {
  // Allow rules of admin policies first: they take precedence over every NetworkPolicy. (A Deny or
  // Pass written before one may shadow part of it; the report lists the rule as written.)
  const adminAllowances = admin.flatMap((policy) =>
    policy[direction]
      .filter((rule) => rule.action === 'Allow')
      .flatMap((rule) => {
        const allowance = adminAllowanceOf(policy, rule, context);
        return allowance === undefined ? [] : [allowance];
      }),
  );
  const allowances = selecting.flatMap((policy) =>
    (policy[direction] ?? []).flatMap((rule, index) => {
      const allowance = allowanceOf(policy, rule, index, direction, context);
      return allowance === undefined ? [] : [allowance];
    }),
  );
  const all = [...adminAllowances, ...allowances];
  const status = selecting.length === 0 ? 'open' : all.length > 0 ? 'partial' : 'isolated';
  return { direction, status, selectingPolicies: selecting.map((p) => p.id), allowances: all };
}

function allowanceOf(
  policy: CompiledPolicy,
  rule: CompiledRule,
  index: number,
  direction: Direction,
  context: ReportContext,
): Allowance | undefined {
  const ports = portsOf(rule.portsWritten, direction, context.pod);
  // An ingress rule whose ports are all names this pod does not have lets nothing in.
  if (ports.length === 0) return undefined;
  const peers =
    rule.peersWritten.length === 0
      ? ['anyone (every pod and every IP address)']
      : rule.peersWritten.map((peer) => describePeer(peer, policy.namespace));
  const matchingPods = context.others
    .filter((other) => rule.peers === undefined || rule.peers.some((matches) => matches(other)))
    .map((other) => podKey(other.pod as NetpolPod));
  const admitsIpAddresses =
    rule.peersWritten.length === 0 || rule.peersWritten.some((peer) => !!peer.ipBlock);
  return { policy: policy.id, direction, rule: index, peers, ports, matchingPods, admitsIpAddresses };
}

function adminAllowanceOf(
  policy: CompiledAdminPolicy,
  rule: CompiledAdminRule,
  context: ReportContext,
): Allowance | undefined {
  const ports = adminPortsOf(rule.written.ports, rule.direction, context.pod);
  if (ports.length === 0) return undefined;
  const peers = rule.written.to;
  return {
    policy: policy.id,
    direction: rule.direction,
    rule: rule.index,
    peers: peers.map(describeAdminPeer),
    ports,
    matchingPods: context.others
      .filter((other) => rule.peers.some((matches) => matches(other) === true))
      .map((other) => podKey(other.pod as NetpolPod)),
    admitsIpAddresses: peers.some((peer) => !!(peer.networks || peer.nodes || peer.domainNames)),
  };
}

/** The ports a rule opens, in words; empty when every entry names a port this pod lacks (ingress). */
function portsOf(ports: NetworkPolicyPort[], direction: Direction, pod: NetpolPod): string[] {
  if (ports.length === 0) return ['any port and protocol'];
  return ports.flatMap((entry) => {
    const protocol = entry.protocol ?? 'TCP';
    if (entry.port === undefined || entry.port === null) return [`${protocol}/any port`];
    if (typeof entry.port === 'number') {
      const range = entry.endPort ? `${entry.port}-${entry.endPort}` : `${entry.port}`;
      return [`${protocol}/${range}`];
    }
    if (direction === 'egress') return [`${protocol}/${entry.port} (named port of the destination)`];
    const named = (pod.ports ?? []).find((c) => c.name === entry.port && (c.protocol ?? 'TCP') === protocol);
    return named === undefined ? [] : [`${protocol}/${named.containerPort} (${entry.port})`];
  });
}

/** Admin rule ports in words; a `namedPort` takes its protocol from the destination's container port. */
function adminPortsOf(
  ports: AdminNetworkPolicyPort[] | undefined,
  direction: Direction,
  pod: NetpolPod,
): string[] {
  if (ports === undefined || ports.length === 0) return ['any port and protocol'];
  return ports.flatMap((entry) => {
    if (entry.portNumber) return [`${entry.portNumber.protocol ?? 'TCP'}/${entry.portNumber.port}`];
    if (entry.portRange) {
      return [`${entry.portRange.protocol ?? 'TCP'}/${entry.portRange.start}-${entry.portRange.end}`];
    }
    const name = entry.namedPort as string;
    if (direction === 'egress') return [`${name} (named port of the destination)`];
    return (pod.ports ?? [])
      .filter((c) => c.name === name)
      .map((c) => `${c.protocol ?? 'TCP'}/${c.containerPort} (${name})`);
  });
}

function describePeer(peer: NetworkPolicyPeer, policyNamespace: string): string {
  if (peer.ipBlock) {
    const except = (peer.ipBlock.except ?? []).map(asRead);
    return `IPs in ${asRead(peer.ipBlock.cidr)}${except.length > 0 ? ` except ${except.join(', ')}` : ''}`;
  }
  const podPart = peer.podSelector
    ? describeSelector(peer.podSelector) === ''
      ? 'all pods'
      : `pods ${describeSelector(peer.podSelector)}`
    : 'all pods';
  if (!peer.namespaceSelector) return `${podPart} in namespace ${policyNamespace}`;
  const namespaces = describeSelector(peer.namespaceSelector);
  return `${podPart} in ${namespaces === '' ? 'all namespaces' : `namespaces ${namespaces}`}`;
}

/** A CIDR as written, and as read when the legacy spelling hides what it means (`010.0.0.0/8`). */
function asRead(written: string): string {
  const cidr = parseCidr(written, 'legacy');
  if (cidr === undefined) return written;
  const read = formatCidr(cidr);
  return read === written ? written : `${written} (read as ${read})`;
}

function describeAdminPeer(peer: AdminNetworkPolicyEgressPeer): string {
  const inNamespaces = (selector: LabelSelector) => {
    const text = describeSelector(selector);
    return text === '' ? 'all namespaces' : `namespaces ${text}`;
  };
  if (peer.namespaces) return `all pods in ${inNamespaces(peer.namespaces)}`;
  if (peer.pods) {
    const pods = describeSelector(peer.pods.podSelector);
    return `${pods === '' ? 'all pods' : `pods ${pods}`} in ${inNamespaces(peer.pods.namespaceSelector)}`;
  }
  if (peer.networks) return `IPs in ${peer.networks.join(', ')}`;
  if (peer.nodes) {
    const nodes = describeSelector(peer.nodes);
    return nodes === '' ? 'all nodes' : `nodes ${nodes}`;
  }
  return `domain names ${(peer.domainNames ?? []).join(', ')}`;
}

const MAX_PODS_NAMED = 5;

function summarize(
  pod: string,
  directions: DirectionReport[],
  complete: boolean,
  notVerified: string[],
): string {
  if (complete) return 'isolation complete';
  const parts = directions.flatMap((report) => {
    const allowed = report.allowances.map((a) => {
      const preposition = a.direction === 'ingress' ? 'from' : 'to';
      return `${a.policy} still allows ${a.direction} ${preposition} ${a.peers.join(' or ')}${podsNamed(a)} on ${a.ports.join(', ')}`;
    });
    if (report.status !== 'open') return allowed;
    return [
      `${report.direction} not isolated: no NetworkPolicy selects ${pod} for ${report.direction}`,
      ...allowed,
    ];
  });
  const partial = parts.length > 0 ? `partial: ${parts.join('; ')}` : '';
  if (notVerified.length === 0) return partial;
  return `not verified: ${notVerified.join('; ')}${partial === '' ? '' : `; ${partial}`}`;
}

function podsNamed(allowance: Allowance): string {
  const { matchingPods } = allowance;
  // Selectors also admit pods created later; say so rather than implying "nobody".
  if (matchingPods.length === 0) return allowance.admitsIpAddresses ? '' : ' (no known pod matches today)';
  const shown = matchingPods.slice(0, MAX_PODS_NAMED).join(', ');
  const more =
    matchingPods.length > MAX_PODS_NAMED ? ` and ${matchingPods.length - MAX_PODS_NAMED} more` : '';
  return ` (today: ${shown}${more})`;
}
