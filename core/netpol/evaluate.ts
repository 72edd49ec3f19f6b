import { KubeguardError } from '../errors.ts';
import {
  adminRuleMatches,
  type CompiledAdminPolicy,
  type CompiledAdminRule,
  compileAdminPolicy,
  compileBaselinePolicy,
  describeAdminRule,
} from './admin.ts';
import { addressKey, parseIp } from './cidr.ts';
import type { Labels } from './labels.ts';
import {
  type CompiledPolicy,
  compilePolicy,
  type Direction,
  type PeerEndpoint,
  ruleMatches,
} from './policy.ts';
import {
  type ConnectionQuery,
  type ConnectionVerdict,
  type EndpointRef,
  type NetpolCluster,
  type NetpolPod,
  PROTOCOLS,
  type Protocol,
  type SideVerdict,
} from './types.ts';
import { type CompiledUnevaluated, compileUnevaluated } from './unevaluated.ts';

/**
 * Answers "may A connect to B on port P?". Each end that is a pod has a side (A's egress, B's
 * ingress); the connection needs both. A side is decided in tiers, as the policy API defines them:
 *
 * 1. AdminNetworkPolicies selecting the pod, by priority (lower first); in each, the first rule that
 *    matches acts: Allow and Deny decide, Pass skips the remaining admin policies.
 * 2. NetworkPolicies: when any selects the pod for the direction, the union of their rules decides
 *    (they only add allows).
 * 3. Otherwise the BaselineAdminNetworkPolicy's first matching rule (Allow or Deny); otherwise allow.
 *
 * A side that a policy kubeguard could not evaluate may decide is `unknown`, with the reason: an
 * unreadable or unparsable admin policy, a Calico or Cilium policy, or a NetworkPolicy that does not
 * parse (unless another NetworkPolicy already allows the connection).
 */
export interface NetpolEvaluator {
  evaluate(query: ConnectionQuery): ConnectionVerdict;
  /** NetworkPolicies that select this pod for a direction (they isolate it in that direction). */
  policiesSelecting(pod: NetpolPod, direction: Direction): readonly CompiledPolicy[];
  /** Everything that applies to the pod, in precedence order within each tier. */
  selection(pod: NetpolPod): PodSelection;
  /** The pod called `namespace/name`, or a NOT_FOUND error listing the pods that exist. */
  pod(key: string): NetpolPod;
}

export interface PodSelection {
  ingress: CompiledPolicy[];
  egress: CompiledPolicy[];
  /** AdminNetworkPolicies whose subject selects the pod, grouped by priority (lowest first). */
  admin: CompiledAdminPolicy[][];
  /** The baseline, when its subject selects the pod. */
  baseline: CompiledAdminPolicy[];
  /** Policies not evaluated that may select the pod. */
  unevaluated: CompiledUnevaluated[];
}

export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export function createEvaluator(cluster: NetpolCluster): NetpolEvaluator {
  const index = indexCluster(cluster);
  const selections = new Map<string, PodSelection>();

  function selectionOf(pod: NetpolPod): PodSelection {
    const key = podKey(pod);
    let cached = selections.get(key);
    if (cached === undefined) {
      cached = select(pod, index);
      selections.set(key, cached);
    }
    return cached;
  }

  function evaluateSide(
    subject: NetpolPod,
    direction: Direction,
    peer: PeerEndpoint,
    port: number,
    protocol: Protocol,
    destination: NetpolPod | undefined,
  ): SideVerdict {
    const selection = selectionOf(subject);
    const policies = selection[direction];
    const isolated = policies.length > 0;
    const blocking = selection.unevaluated.filter((u) => u.tier === 'admin' || u.tier === 'opaque');
    if (blocking.length > 0) return unknown(isolated, blocking);
    const connection: Connection = { direction, peer, port, protocol, destination };
    const admin = decideTier(selection.admin, connection);
    if (admin.outcome === 'unknown')
      return { verdict: 'unknown', isolated, decidedBy: [], reason: admin.reason };
    if (admin.outcome === 'Allow' || admin.outcome === 'Deny') {
      return {
        verdict: admin.outcome === 'Allow' ? 'allow' : 'deny',
        isolated,
        decidedBy: [admin.policy.id],
        rule: describeAdminRule(admin.policy, admin.rule),
      };
    }
    const passedBy =
      admin.outcome === 'Pass' ? { passedBy: describeAdminRule(admin.policy, admin.rule) } : {};
    if (isolated) {
      const allowing = policies.filter((policy) =>
        (policy[direction] ?? []).some((rule) => ruleMatches(rule, peer, port, protocol, destination)),
      );
      if (allowing.length > 0)
        return { verdict: 'allow', isolated, decidedBy: allowing.map((p) => p.id), ...passedBy };
    }
    // An unevaluated NetworkPolicy can only add allows (or, if nothing else selects the pod, isolate it).
    const networkPolicies = selection.unevaluated.filter((u) => u.tier === 'networkpolicy');
    if (networkPolicies.length > 0) return { ...unknown(isolated, networkPolicies), ...passedBy };
    if (isolated) return { verdict: 'deny', isolated, decidedBy: policies.map((p) => p.id), ...passedBy };
    const baselines = selection.unevaluated.filter((u) => u.tier === 'baseline');
    if (baselines.length > 0) return { ...unknown(isolated, baselines), ...passedBy };
    const baseline = decideTier(selection.baseline.length > 0 ? [selection.baseline] : [], connection);
    if (baseline.outcome === 'unknown') {
      return { verdict: 'unknown', isolated, decidedBy: [], reason: baseline.reason, ...passedBy };
    }
    if (baseline.outcome === 'Allow' || baseline.outcome === 'Deny') {
      return {
        verdict: baseline.outcome === 'Allow' ? 'allow' : 'deny',
        isolated,
        decidedBy: [baseline.policy.id],
        rule: describeAdminRule(baseline.policy, baseline.rule),
        ...passedBy,
      };
    }
    return { verdict: 'allow', isolated, decidedBy: [], ...passedBy };
  }

  return {
    evaluate(query) {
      const protocol = protocolOf(query.protocol);
      const source = resolveEndpoint(query.from, index, 'from');
      const destination = resolveEndpoint(query.to, index, 'to');
      const port = resolvePort(query.port, protocol, destination.pod, query.to);
      const notApplicable: SideVerdict = { verdict: 'n/a', isolated: false, decidedBy: [] };
      const egress =
        source.pod === undefined
          ? notApplicable
          : evaluateSide(source.pod, 'egress', destination, port, protocol, destination.pod);
      const ingress =
        destination.pod === undefined
          ? notApplicable
          : evaluateSide(destination.pod, 'ingress', source, port, protocol, destination.pod);
      // A side that denies decides, whatever the other side could not tell.
      const verdict =
        egress.verdict === 'deny' || ingress.verdict === 'deny'
          ? 'deny'
          : egress.verdict === 'unknown' || ingress.verdict === 'unknown'
            ? 'unknown'
            : 'allow';
      return { from: query.from, to: query.to, port, protocol, verdict, egress, ingress };
    },
    policiesSelecting: (pod, direction) => selectionOf(pod)[direction],
    selection: selectionOf,
    pod: (key) => findPod(key, index),
  };
}

function unknown(isolated: boolean, because: readonly CompiledUnevaluated[]): SideVerdict {
  return {
    verdict: 'unknown',
    isolated,
    decidedBy: [],
    reason: because.map((u) => u.description).join('; '),
  };
}

interface Connection {
  direction: Direction;
  peer: PeerEndpoint;
  port: number;
  protocol: Protocol;
  destination: NetpolPod | undefined;
}

type TierOutcome =
  | { outcome: 'none' }
  | { outcome: 'unknown'; reason: string }
  | { outcome: 'Allow' | 'Deny' | 'Pass'; policy: CompiledAdminPolicy; rule: CompiledAdminRule };

/**
 * The first priority group with a matching rule decides. Within a group (same priority) the API
 * leaves the order to the implementation, so policies that disagree make the outcome unknown.
 */
function decideTier(groups: readonly CompiledAdminPolicy[][], connection: Connection): TierOutcome {
  for (const group of groups) {
    const matched: { policy: CompiledAdminPolicy; rule: CompiledAdminRule }[] = [];
    for (const policy of group) {
      const first = firstMatch(policy, connection);
      if (first === undefined) continue;
      if (first.match === 'unknown') {
        return {
          outcome: 'unknown',
          reason: `${describeAdminRule(policy, first.rule)} may match: ${first.rule.undecidable ?? 'undecidable peer'}`,
        };
      }
      matched.push({ policy, rule: first.rule });
    }
    if (matched.length === 0) continue;
    const actions = [...new Set(matched.map((m) => m.rule.action))];
    if (actions.length > 1) {
      return {
        outcome: 'unknown',
        reason: `${matched.map((m) => describeAdminRule(m.policy, m.rule)).join(' and ')} share priority ${matched[0]?.policy.priority} and disagree; the API lets the implementation apply either`,
      };
    }
    const decided = matched[0] as { policy: CompiledAdminPolicy; rule: CompiledAdminRule };
    return { outcome: decided.rule.action, ...decided };
  }
  return { outcome: 'none' };
}

function firstMatch(
  policy: CompiledAdminPolicy,
  { direction, peer, port, protocol, destination }: Connection,
): { rule: CompiledAdminRule; match: true | 'unknown' } | undefined {
  for (const rule of policy[direction]) {
    const match = adminRuleMatches(rule, peer, port, protocol, destination);
    if (match !== false) return { rule, match };
  }
  return undefined;
}

export function podKey(pod: { namespace: string; name: string }): string {
  return `${pod.namespace}/${pod.name}`;
}

/** A namespace's labels; one not listed still carries the label the API server always sets. */
export function namespaceLabelsOf(name: string, labelsByNamespace: ReadonlyMap<string, Labels>): Labels {
  return labelsByNamespace.get(name) ?? { [NAMESPACE_NAME_LABEL]: name };
}

interface ClusterIndex {
  podsByKey: Map<string, NetpolPod>;
  /** Each pod as a peer (labels, namespace labels, parsed IP), built once. */
  endpoints: Map<NetpolPod, PeerEndpoint>;
  podsByIp: Map<string, NetpolPod[]>;
  namespaceLabels: Map<string, Labels>;
  policiesByNamespace: Map<string, CompiledPolicy[]>;
  /** Sorted by priority, then name, so that reports list them in a stable order. */
  admin: CompiledAdminPolicy[];
  baseline: CompiledAdminPolicy[];
  unevaluated: CompiledUnevaluated[];
}

function indexCluster(cluster: NetpolCluster): ClusterIndex {
  const index: ClusterIndex = {
    podsByKey: new Map(),
    endpoints: new Map(),
    podsByIp: new Map(),
    namespaceLabels: new Map(cluster.namespaces.map((ns) => [ns.name, ns.labels])),
    policiesByNamespace: new Map(),
    admin: (cluster.adminPolicies ?? [])
      .map((policy) => compileAdminPolicy(policy, cluster.nodes))
      .sort((a, b) => (a.priority as number) - (b.priority as number) || a.name.localeCompare(b.name)),
    baseline: (cluster.baselinePolicies ?? []).map((policy) => compileBaselinePolicy(policy, cluster.nodes)),
    unevaluated: dedupe((cluster.unevaluated ?? []).map(compileUnevaluated)),
  };
  for (const pod of cluster.pods) {
    index.podsByKey.set(podKey(pod), pod);
    const endpoint = podEndpoint(pod, index.namespaceLabels);
    index.endpoints.set(pod, endpoint);
    const address = endpoint.address;
    if (address === undefined) continue;
    const key = addressKey(address);
    index.podsByIp.set(key, [...(index.podsByIp.get(key) ?? []), pod]);
  }
  for (const policy of cluster.policies) {
    const compiled = compilePolicy(policy);
    const list = index.policiesByNamespace.get(compiled.namespace) ?? [];
    list.push(compiled);
    index.policiesByNamespace.set(compiled.namespace, list);
  }
  return index;
}

/** Calico's two API groups serve the same objects: name each once. */
function dedupe(entries: CompiledUnevaluated[]): CompiledUnevaluated[] {
  const seen = new Set<string>();
  return entries.filter((entry) => !seen.has(entry.description) && seen.add(entry.description));
}

function select(pod: NetpolPod, index: ClusterIndex): PodSelection {
  const namespaceLabels = namespaceLabelsOf(pod.namespace, index.namespaceLabels);
  const candidates = (index.policiesByNamespace.get(pod.namespace) ?? []).filter((p) =>
    p.selects(pod.labels),
  );
  const admin: CompiledAdminPolicy[][] = [];
  for (const policy of index.admin) {
    if (!policy.subject(pod, namespaceLabels)) continue;
    const last = admin[admin.length - 1];
    if (last !== undefined && last[0]?.priority === policy.priority) last.push(policy);
    else admin.push([policy]);
  }
  return {
    ingress: candidates.filter((p) => p.ingress !== undefined),
    egress: candidates.filter((p) => p.egress !== undefined),
    admin,
    baseline: index.baseline.filter((policy) => policy.subject(pod, namespaceLabels)),
    unevaluated: index.unevaluated.filter((u) => u.mayApplyTo(pod, namespaceLabels)),
  };
}

function resolveEndpoint(ref: EndpointRef, index: ClusterIndex, side: 'from' | 'to'): PeerEndpoint {
  if ('pod' in ref) {
    return index.endpoints.get(findPod(ref.pod, index)) as PeerEndpoint;
  }
  const address = typeof ref.ip === 'string' ? parseIp(ref.ip) : undefined;
  if (address === undefined) {
    throw new KubeguardError(
      'INVALID_ARGUMENT',
      `${side}: ${JSON.stringify(ref.ip)} is not an IP address; give an IPv4 or IPv6 address, or a pod as NS/POD`,
      { details: { side, ip: ref.ip } },
    );
  }
  // An IP that belongs to exactly one known pod is that pod: its policies apply.
  const owners = index.podsByIp.get(addressKey(address)) ?? [];
  return owners.length === 1 ? (index.endpoints.get(owners[0] as NetpolPod) as PeerEndpoint) : { address };
}

/** A pod as policies see it when it is the other end of a connection. */
export function podEndpoint(pod: NetpolPod, labelsByNamespace: ReadonlyMap<string, Labels>): PeerEndpoint {
  return {
    pod,
    namespaceLabels: namespaceLabelsOf(pod.namespace, labelsByNamespace),
    address: pod.ip === undefined ? undefined : parseIp(pod.ip),
  };
}

function findPod(key: string, index: ClusterIndex): NetpolPod {
  const pod = index.podsByKey.get(key);
  if (pod !== undefined) return pod;
  const namespace = key.includes('/') ? key.slice(0, key.indexOf('/')) : '';
  const siblings = [...index.podsByKey.values()].filter((p) => p.namespace === namespace).map((p) => p.name);
  const hint =
    siblings.length > 0
      ? `pods in namespace "${namespace}": ${listSome(siblings.sort())}`
      : `no pods in namespace "${namespace}"; namespaces with pods: ${listSome([...new Set([...index.podsByKey.values()].map((p) => p.namespace))].sort())}`;
  throw new KubeguardError('NOT_FOUND', `unknown pod "${key}"; ${hint}`, { details: { pod: key } });
}

function listSome(names: string[]): string {
  if (names.length === 0) return '(none)';
  const shown = names.slice(0, 10).join(', ');
  return names.length > 10 ? `${shown} … (${names.length - 10} more)` : shown;
}

function protocolOf(protocol: Protocol | undefined): Protocol {
  if (protocol === undefined) return 'TCP';
  if (PROTOCOLS.includes(protocol)) return protocol;
  throw new KubeguardError(
    'INVALID_ARGUMENT',
    `protocol ${JSON.stringify(protocol)} is not supported; use one of ${PROTOCOLS.join(', ')}`,
    { details: { protocol } },
  );
}

/** A number, or a container port name looked up on the destination pod. */
function resolvePort(
  port: number | string,
  protocol: Protocol,
  destination: NetpolPod | undefined,
  to: EndpointRef,
): number {
  if (typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535) return port;
  if (typeof port !== 'string' || port === '') {
    throw new KubeguardError(
      'INVALID_ARGUMENT',
      `port ${JSON.stringify(port)} is not a port; use a number from 1 to 65535 or a container port name`,
      { details: { port } },
    );
  }
  const target = 'pod' in to ? to.pod : to.ip;
  const named = destination?.ports?.find((c) => c.name === port && (c.protocol ?? 'TCP') === protocol);
  if (named !== undefined) return named.containerPort;
  const known = (destination?.ports ?? [])
    .filter((c) => c.name !== undefined)
    .map((c) => `${c.name} (${c.containerPort}/${c.protocol ?? 'TCP'})`);
  throw new KubeguardError(
    'INVALID_ARGUMENT',
    `port "${port}" is not a ${protocol} container port name of ${target}; ${
      destination === undefined
        ? 'a named port needs a pod as destination'
        : `its named ports: ${known.length > 0 ? known.join(', ') : '(none)'}`
    }`,
    { details: { port, protocol, to: target } },
  );
}
