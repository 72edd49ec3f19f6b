import { createEvaluator, podEndpoint, podKey } from './evaluate.ts';
import { describeSelector } from './labels.ts';
import type { CompiledPolicy, CompiledRule, Direction, PeerEndpoint } from './policy.ts';
import type {
  NetpolNamespace,
  NetpolPod,
  NetworkPolicy,
  NetworkPolicyPeer,
  NetworkPolicyPort,
} from './types.ts';

/**
 * How isolated a pod really is under the policies that select it. NetworkPolicies only add allows:
 * a deny-all beside another policy that allows something leaves that something allowed. This lists
 * every rule that still lets traffic in or out, so an "isolated" claim never says more than holds.
 */

export interface IsolationReport {
  /** `namespace/name`. */
  pod: string;
  /** True only when the pod is isolated in both directions and no rule allows anything. */
  complete: boolean;
  /** `isolation complete`, or `partial: <policy> still allows <direction> from/to <peers> …`. */
  summary: string;
  ingress: DirectionReport;
  egress: DirectionReport;
}

export interface DirectionReport {
  direction: Direction;
  /**
   * `open`: no policy selects the pod for this direction, so everything is allowed;
   * `partial`: policies select it but some rule still allows traffic; `isolated`: nothing allowed.
   */
  status: 'open' | 'partial' | 'isolated';
  /** `namespace/name` of every policy selecting the pod for this direction. */
  selectingPolicies: string[];
  allowances: Allowance[];
}

/** One rule of one policy that still allows traffic. */
export interface Allowance {
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
  /** Whether the peers also admit IP addresses (no peer list at all, or an ipBlock). */
  admitsIpAddresses: boolean;
}

/**
 * Evaluates every policy in the pod's namespace that selects it (pass the pod as it is now, e.g.
 * after relabelling it out of its workload) against the cluster's namespaces and pods.
 */
export function isolationReport(
  pod: NetpolPod,
  policies: readonly NetworkPolicy[],
  namespaces: readonly NetpolNamespace[],
  pods: readonly NetpolPod[],
): IsolationReport {
  const key = podKey(pod);
  const others = pods.filter((p) => podKey(p) !== key);
  const evaluator = createEvaluator({ namespaces, pods: [...others, pod], policies });
  const labelsByNamespace = new Map(namespaces.map((ns) => [ns.name, ns.labels]));
  const context: ReportContext = {
    pod,
    others: others.map((other) => podEndpoint(other, labelsByNamespace)),
  };
  const ingress = directionReport('ingress', evaluator.policiesSelecting(pod, 'ingress'), context);
  const egress = directionReport('egress', evaluator.policiesSelecting(pod, 'egress'), context);
  const complete = ingress.status === 'isolated' && egress.status === 'isolated';
  return { pod: key, complete, summary: summarize(key, [ingress, egress], complete), ingress, egress };
}

interface ReportContext {
  pod: NetpolPod;
  /** Every other pod, as a peer. */
  others: readonly PeerEndpoint[];
}

function directionReport(
  direction: Direction,
  selecting: readonly CompiledPolicy[],
  context: ReportContext,
): DirectionReport {
  const allowances = selecting.flatMap((policy) =>
    (policy[direction] ?? []).flatMap((rule, index) => {
      const allowance = allowanceOf(policy, rule, index, direction, context);
      return allowance === undefined ? [] : [allowance];
    }),
  );
  const status = selecting.length === 0 ? 'open' : allowances.length > 0 ? 'partial' : 'isolated';
  return { direction, status, selectingPolicies: selecting.map((p) => p.id), allowances };
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

function describePeer(peer: NetworkPolicyPeer, policyNamespace: string): string {
  if (peer.ipBlock) {
    const except = peer.ipBlock.except ?? [];
    return `IPs in ${peer.ipBlock.cidr}${except.length > 0 ? ` except ${except.join(', ')}` : ''}`;
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

const MAX_PODS_NAMED = 5;

function summarize(pod: string, directions: DirectionReport[], complete: boolean): string {
  if (complete) return 'isolation complete';
  const parts = directions.flatMap((report) => {
    if (report.status === 'open') {
      return [`${report.direction} not isolated: no NetworkPolicy selects ${pod} for ${report.direction}`];
    }
    return report.allowances.map((a) => {
      const preposition = a.direction === 'ingress' ? 'from' : 'to';
      return `${a.policy} still allows ${a.direction} ${preposition} ${a.peers.join(' or ')}${podsNamed(a)} on ${a.ports.join(', ')}`;
    });
  });
  return `partial: ${parts.join('; ')}`;
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
