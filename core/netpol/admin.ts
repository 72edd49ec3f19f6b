import { KubeguardError } from '../errors.ts';
import { addressKey, type Cidr, cidrContains, parseCidr, parseIp } from './cidr.ts';
import { compileSelector, type LabelMatcher, type Labels } from './labels.ts';
import type { Direction, PeerEndpoint } from './policy.ts';
import {
  type AdminNetworkPolicy,
  type AdminNetworkPolicyEgressPeer,
  type AdminNetworkPolicyEgressRule,
  type AdminNetworkPolicyPort,
  type AdminNetworkPolicySubject,
  type AdminRuleAction,
  type BaselineAdminNetworkPolicy,
  type NetpolNode,
  type NetpolPod,
  PROTOCOLS,
  type Protocol,
} from './types.ts';

/**
 * AdminNetworkPolicy and BaselineAdminNetworkPolicy (`policy.networking.k8s.io/v1alpha1`) compiled
 * once into predicates. Their semantics, from the API types and the upstream conformance suite:
 * - a policy applies to the pods its `subject` selects (namespaces, or pods in namespaces);
 * - within one policy, rules are tried in the order written and the first matching rule acts;
 * - a rule matches when one of its peers matches the other end and, if it has `ports`, one of them
 *   matches the destination port (a `namedPort` is looked up on the destination pod);
 * - `networks` CIDRs match pod IPs as well as outside addresses; `nodes` match node IPs;
 *   `domainNames` depend on DNS answers kubeguard does not see, so such a peer is undecidable.
 */

/** `unknown`: the rule may match, but kubeguard cannot tell (domain names, nodes not read). */
export type Match = boolean | 'unknown';

export type AdminKind = 'AdminNetworkPolicy' | 'BaselineAdminNetworkPolicy';

export interface CompiledAdminRule {
  direction: Direction;
  index: number;
  name?: string;
  action: AdminRuleAction;
  /** Whether the peer matches; `unknown` with `undecidable` saying why. */
  peers: ((peer: PeerEndpoint) => Match)[];
  /** Undefined when the rule has no `ports`: every port of every protocol. */
  ports?: ((port: number, protocol: Protocol, destination: NetpolPod | undefined) => boolean)[];
  /** Why a peer of this rule may be undecidable, for `unknown` verdicts. */
  undecidable?: string;
  written: AdminNetworkPolicyEgressRule;
}

export interface CompiledAdminPolicy {
  /** `AdminNetworkPolicy/<name>`. */
  id: string;
  kind: AdminKind;
  name: string;
  /** The ANP's priority; a baseline has none (it comes after every NetworkPolicy). */
  priority?: number;
  subject: (pod: NetpolPod, namespaceLabels: Labels) => boolean;
  ingress: CompiledAdminRule[];
  egress: CompiledAdminRule[];
}

/** Compiles an AdminNetworkPolicy; throws INVALID_ARGUMENT naming the field the API server would refuse. */
export function compileAdminPolicy(
  policy: AdminNetworkPolicy,
  nodes?: readonly NetpolNode[],
): CompiledAdminPolicy {
  const id = `AdminNetworkPolicy/${policy.metadata.name}`;
  const priority = policy.spec.priority;
  if (!Number.isInteger(priority) || priority < 0 || priority > 1000) {
    throw invalid(`${id} spec.priority is ${JSON.stringify(priority)}; use an integer from 0 to 1000`);
  }
  return { ...compileCommon(policy, 'AdminNetworkPolicy', id, nodes, ['Allow', 'Deny', 'Pass']), priority };
}

/** The API server admits a single BaselineAdminNetworkPolicy, named `default`. */
export function compileBaselinePolicy(
  policy: BaselineAdminNetworkPolicy,
  nodes?: readonly NetpolNode[],
): CompiledAdminPolicy {
  const id = `BaselineAdminNetworkPolicy/${policy.metadata.name}`;
  if (policy.metadata.name !== 'default') {
    throw invalid(
      `${id}: the API server admits only the BaselineAdminNetworkPolicy named "default"; rename it`,
    );
  }
  return compileCommon(policy, 'BaselineAdminNetworkPolicy', id, nodes, ['Allow', 'Deny']);
}

function compileCommon(
  policy: AdminNetworkPolicy | BaselineAdminNetworkPolicy,
  kind: AdminKind,
  id: string,
  nodes: readonly NetpolNode[] | undefined,
  actions: readonly AdminRuleAction[],
): CompiledAdminPolicy {
  const rules = (direction: Direction) =>
    ((direction === 'ingress' ? policy.spec.ingress : policy.spec.egress) ?? []).map((rule, index) =>
      compileRule(rule as AdminNetworkPolicyEgressRule, direction, index, {
        where: `${id} spec.${direction}[${index}]`,
        nodes,
        actions,
      }),
    );
  return {
    id,
    kind,
    name: policy.metadata.name,
    subject: compileSubject(policy.spec.subject, `${id} spec.subject`),
    ingress: rules('ingress'),
    egress: rules('egress'),
  };
}

/** The pods a subject selects: `namespaces` by namespace labels, `pods` by both. */
export function compileSubject(
  subject: AdminNetworkPolicySubject | undefined,
  where: string,
): (pod: NetpolPod, namespaceLabels: Labels) => boolean {
  const namespaced = compileNamespacedPeer(subject ?? {}, where);
  return (pod, namespaceLabels) => namespaced(pod, namespaceLabels);
}

function compileNamespacedPeer(
  peer: { namespaces?: unknown; pods?: unknown },
  where: string,
): (pod: NetpolPod, namespaceLabels: Labels) => boolean {
  const set = [peer.namespaces, peer.pods].filter((v) => v !== undefined && v !== null).length;
  if (set !== 1) throw invalid(`${where} must set exactly one of namespaces, pods (it sets ${set})`);
  if (peer.namespaces !== undefined && peer.namespaces !== null) {
    const namespaces = compileSelector(peer.namespaces as never, `${where}.namespaces`);
    return (_pod, namespaceLabels) => namespaces(namespaceLabels);
  }
  const pods = peer.pods as { namespaceSelector?: unknown; podSelector?: unknown };
  if (pods.namespaceSelector === undefined || pods.podSelector === undefined) {
    throw invalid(`${where}.pods needs both namespaceSelector and podSelector ({} selects all)`);
  }
  const namespaces = compileSelector(pods.namespaceSelector as never, `${where}.pods.namespaceSelector`);
  const podLabels = compileSelector(pods.podSelector as never, `${where}.pods.podSelector`);
  return (pod, namespaceLabels) => namespaces(namespaceLabels) && podLabels(pod.labels);
}

interface RuleContext {
  where: string;
  nodes: readonly NetpolNode[] | undefined;
  actions: readonly AdminRuleAction[];
}

function compileRule(
  rule: AdminNetworkPolicyEgressRule & { from?: AdminNetworkPolicyEgressPeer[] },
  direction: Direction,
  index: number,
  context: RuleContext,
): CompiledAdminRule {
  const { where } = context;
  if (!context.actions.includes(rule.action)) {
    throw invalid(
      `${where}.action is ${JSON.stringify(rule.action)}; use one of ${context.actions.join(', ')}`,
    );
  }
  const peerField = direction === 'ingress' ? 'from' : 'to';
  const peers = (direction === 'ingress' ? rule.from : rule.to) ?? [];
  if (peers.length === 0) throw invalid(`${where}.${peerField} needs at least one peer`);
  const reasons = new Set<string>();
  const compiledPeers = peers.map((peer, i) =>
    compilePeer(peer, direction, `${where}.${peerField}[${i}]`, context.nodes, reasons),
  );
  const ports = rule.ports ?? undefined;
  if (ports !== undefined && ports.length === 0)
    throw invalid(`${where}.ports, when set, needs at least one port`);
  const nonPodPeer = peers.some((p) => p.networks || p.nodes || p.domainNames);
  if (nonPodPeer && (ports ?? []).some((p) => p.namedPort !== undefined)) {
    throw invalid(`${where}: networks/nodes/domainNames peers cannot be combined with a namedPort`);
  }
  return {
    direction,
    index,
    ...(rule.name ? { name: rule.name } : {}),
    action: rule.action,
    peers: compiledPeers,
    ...(ports === undefined ? {} : { ports: ports.map((p, i) => compilePort(p, `${where}.ports[${i}]`)) }),
    ...(reasons.size > 0 ? { undecidable: [...reasons].join('; ') } : {}),
    written: { ...rule, to: peers } as AdminNetworkPolicyEgressRule,
  };
}

function compilePeer(
  peer: AdminNetworkPolicyEgressPeer,
  direction: Direction,
  where: string,
  nodes: readonly NetpolNode[] | undefined,
  reasons: Set<string>,
): (endpoint: PeerEndpoint) => Match {
  const fields = (['namespaces', 'pods', 'nodes', 'networks', 'domainNames'] as const).filter(
    (f) => peer[f] !== undefined && peer[f] !== null,
  );
  if (fields.length !== 1) {
    throw invalid(`${where} must set exactly one peer field (it sets ${fields.join(', ') || 'none'})`);
  }
  const field = fields[0] as (typeof fields)[number];
  if (direction === 'ingress' && !['namespaces', 'pods'].includes(field)) {
    throw invalid(`${where}.${field} is not an ingress peer; use namespaces or pods`);
  }
  switch (field) {
    case 'namespaces':
    case 'pods': {
      const selects = compileNamespacedPeer(peer, where);
      return ({ pod, namespaceLabels }) => pod !== undefined && selects(pod, namespaceLabels ?? {});
    }
    case 'networks': {
      const networks = peer.networks ?? [];
      if (networks.length === 0 || networks.length > 25)
        throw invalid(`${where}.networks needs 1 to 25 CIDRs`);
      const blocks = networks.map((text, i) => strictCidr(text, `${where}.networks[${i}]`));
      return ({ address }) => address !== undefined && blocks.some((block) => cidrContains(block, address));
    }
    case 'nodes': {
      const selects = compileSelector(peer.nodes, `${where}.nodes`);
      if (nodes === undefined) {
        reasons.add('nodes were not read, so which IPs are node IPs is unknown');
        // A pod end is never a node IP (host-network pods are outside every policy).
        return ({ pod, address }) => (pod !== undefined || address === undefined ? false : 'unknown');
      }
      const addresses = nodeAddresses(nodes, selects);
      return ({ pod, address }) =>
        pod === undefined && address !== undefined && addresses.has(addressKey(address));
    }
    case 'domainNames':
      reasons.add(
        `domain names (${(peer.domainNames ?? []).join(', ')}) match the IPs DNS answers with, which kubeguard does not see`,
      );
      return () => 'unknown';
  }
}

function nodeAddresses(nodes: readonly NetpolNode[], selects: LabelMatcher): Set<string> {
  const keys = new Set<string>();
  for (const node of nodes) {
    if (!selects(node.labels)) continue;
    for (const text of node.addresses) {
      const address = parseIp(text);
      if (address !== undefined) keys.add(addressKey(address));
    }
  }
  return keys;
}

/** `networks` are validated by the CRD's CEL isCIDR (netip-strict): no legacy leading zeros. */
function strictCidr(text: string, where: string): Cidr {
  const cidr = parseCidr(text, 'strict');
  if (cidr === undefined) {
    throw invalid(`${where} is ${JSON.stringify(text)}, not a CIDR; write it like 10.0.0.0/8 or fd00::/8`);
  }
  return cidr;
}

function compilePort(
  port: AdminNetworkPolicyPort,
  where: string,
): (number: number, protocol: Protocol, destination: NetpolPod | undefined) => boolean {
  const fields = (['portNumber', 'namedPort', 'portRange'] as const).filter(
    (f) => port[f] !== undefined && port[f] !== null,
  );
  if (fields.length !== 1) {
    throw invalid(
      `${where} must set exactly one of portNumber, namedPort, portRange (it sets ${fields.join(', ') || 'none'})`,
    );
  }
  if (port.namedPort !== undefined) {
    const name = port.namedPort;
    // Looked up on the destination pod; its container port carries the protocol.
    return (n, p, destination) =>
      (destination?.ports ?? []).some(
        (c) => c.name === name && (c.protocol ?? 'TCP') === p && c.containerPort === n,
      );
  }
  if (port.portNumber !== undefined) {
    const protocol = protocolOf(port.portNumber.protocol, `${where}.portNumber.protocol`);
    const number = portNumber(port.portNumber.port, `${where}.portNumber.port`);
    return (n, p) => p === protocol && n === number;
  }
  const range = port.portRange as NonNullable<AdminNetworkPolicyPort['portRange']>;
  const protocol = protocolOf(range.protocol, `${where}.portRange.protocol`);
  const start = portNumber(range.start, `${where}.portRange.start`);
  const end = portNumber(range.end, `${where}.portRange.end`);
  return (n, p) => p === protocol && n >= start && n <= end;
}

function protocolOf(value: Protocol | undefined, where: string): Protocol {
  const protocol = value ?? 'TCP';
  if (PROTOCOLS.includes(protocol)) return protocol;
  throw invalid(`${where} is ${JSON.stringify(value)}; use one of ${PROTOCOLS.join(', ')}`);
}

function portNumber(value: unknown, where: string): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535) return value;
  throw invalid(`${where} is ${JSON.stringify(value)}; use a port number from 1 to 65535`);
}

function invalid(message: string): KubeguardError {
  return new KubeguardError('INVALID_ARGUMENT', `invalid admin network policy: ${message}`);
}

/** Whether a rule matches the connection: ports first (definite), then the peers. */
export function adminRuleMatches(
  rule: CompiledAdminRule,
  peer: PeerEndpoint,
  port: number,
  protocol: Protocol,
  destination: NetpolPod | undefined,
): Match {
  if (rule.ports !== undefined && !rule.ports.some((matches) => matches(port, protocol, destination))) {
    return false;
  }
  let result: Match = false;
  for (const matches of rule.peers) {
    const match = matches(peer);
    if (match === true) return true;
    if (match === 'unknown') result = 'unknown';
  }
  return result;
}

/** `AdminNetworkPolicy/x ingress[2] "deny-from-slytherin": Deny`, for verdicts and reports. */
export function describeAdminRule(policy: CompiledAdminPolicy, rule: CompiledAdminRule): string {
  return `${policy.id} ${rule.direction}[${rule.index}]${rule.name ? ` ${JSON.stringify(rule.name)}` : ''}: ${rule.action}`;
}
