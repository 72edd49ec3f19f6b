import { KubeguardError } from '../errors.ts';
import { type IpAddress, parseIp } from './cidr.ts';
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

/**
 * Answers "may A connect to B on port P?" under `networking.k8s.io/v1` semantics:
 * - a pod selected by no policy for a direction is open in that direction;
 * - when several policies select it, the union of their rules decides (policies only add allows);
 * - the connection needs BOTH the source pod's egress and the destination pod's ingress to allow it;
 * - an end that is an IP of no known pod has no side of its own: only the pod end is evaluated.
 */
export interface NetpolEvaluator {
  evaluate(query: ConnectionQuery): ConnectionVerdict;
  /** Policies that select this pod for a direction (they isolate it in that direction). */
  policiesSelecting(pod: NetpolPod, direction: Direction): readonly CompiledPolicy[];
  /** The pod called `namespace/name`, or a NOT_FOUND error listing the pods that exist. */
  pod(key: string): NetpolPod;
}

export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export function createEvaluator(cluster: NetpolCluster): NetpolEvaluator {
  const index = indexCluster(cluster);
  const selecting = new Map<string, { ingress: CompiledPolicy[]; egress: CompiledPolicy[] }>();

  function policiesFor(pod: NetpolPod): { ingress: CompiledPolicy[]; egress: CompiledPolicy[] } {
    const key = podKey(pod);
    let cached = selecting.get(key);
    if (cached === undefined) {
      const candidates = (index.policiesByNamespace.get(pod.namespace) ?? []).filter((p) =>
        p.selects(pod.labels),
      );
      cached = {
        ingress: candidates.filter((p) => p.ingress !== undefined),
        egress: candidates.filter((p) => p.egress !== undefined),
      };
      selecting.set(key, cached);
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
    const policies = policiesFor(subject)[direction];
    if (policies.length === 0) return { verdict: 'allow', isolated: false, decidedBy: [] };
    const allowing = policies.filter((policy) =>
      (policy[direction] ?? []).some((rule) => ruleMatches(rule, peer, port, protocol, destination)),
    );
    return allowing.length > 0
      ? { verdict: 'allow', isolated: true, decidedBy: allowing.map((p) => p.id) }
      : { verdict: 'deny', isolated: true, decidedBy: policies.map((p) => p.id) };
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
      const verdict = egress.verdict === 'deny' || ingress.verdict === 'deny' ? 'deny' : 'allow';
      return { from: query.from, to: query.to, port, protocol, verdict, egress, ingress };
    },
    policiesSelecting: (pod, direction) => policiesFor(pod)[direction],
    pod: (key) => findPod(key, index),
  };
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
}

function indexCluster(cluster: NetpolCluster): ClusterIndex {
  const index: ClusterIndex = {
    podsByKey: new Map(),
    endpoints: new Map(),
    podsByIp: new Map(),
    namespaceLabels: new Map(cluster.namespaces.map((ns) => [ns.name, ns.labels])),
    policiesByNamespace: new Map(),
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

function addressKey(address: IpAddress): string {
  return `${address.family}:${address.bytes.join('.')}`;
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
