import { KubeguardError } from '../errors.ts';
import { type Cidr, cidrContains, type IpAddress, parseCidr } from './cidr.ts';
import { compileSelector, type LabelMatcher, type Labels } from './labels.ts';
import {
  type NetpolPod,
  type NetworkPolicy,
  type NetworkPolicyPeer,
  type NetworkPolicyPort,
  type PolicyType,
  PROTOCOLS,
  type Protocol,
} from './types.ts';

/**
 * A NetworkPolicy with the API server's defaults applied and every selector, CIDR and port compiled
 * once, so evaluating a connection is a handful of predicate calls.
 */

export type Direction = 'ingress' | 'egress';

/** One end of a connection as policies see it. */
export interface PeerEndpoint {
  /** Set when the end is a known pod. */
  pod?: NetpolPod;
  namespaceLabels?: Labels;
  /** The pod IP, or the external IP address. */
  address?: IpAddress;
}

export interface CompiledRule {
  /** Undefined when `from`/`to` is missing or empty: every peer, external IPs included. */
  peers?: ((peer: PeerEndpoint) => boolean)[];
  /** Undefined when `ports` is missing or empty: every port of every protocol. */
  ports?: ((port: number, protocol: Protocol, destination: NetpolPod | undefined) => boolean)[];
  /** The rule as written, for reports. */
  peersWritten: NetworkPolicyPeer[];
  portsWritten: NetworkPolicyPort[];
}

export interface CompiledPolicy {
  /** `namespace/name`. */
  id: string;
  namespace: string;
  selects: LabelMatcher;
  /** Undefined when the policy is not of type Ingress (its ingress rules, if any, have no effect). */
  ingress?: CompiledRule[];
  egress?: CompiledRule[];
  written: NetworkPolicy;
}

/** A policy without `metadata.namespace` lives where `kubectl apply` would put it. */
export const DEFAULT_NAMESPACE = 'default';

export function compilePolicy(policy: NetworkPolicy): CompiledPolicy {
  const namespace = policy.metadata.namespace ?? DEFAULT_NAMESPACE;
  const id = `${namespace}/${policy.metadata.name}`;
  const types = effectivePolicyTypes(policy, id);
  const spec = policy.spec;
  return {
    id,
    namespace,
    selects: compileSelector(spec.podSelector, `${id} spec.podSelector`),
    ingress: types.includes('Ingress')
      ? (spec.ingress ?? []).map((rule, i) =>
          compileRule(rule.from, rule.ports, namespace, { rule: `${id} spec.ingress[${i}]`, peers: 'from' }),
        )
      : undefined,
    egress: types.includes('Egress')
      ? (spec.egress ?? []).map((rule, i) =>
          compileRule(rule.to, rule.ports, namespace, { rule: `${id} spec.egress[${i}]`, peers: 'to' }),
        )
      : undefined,
    written: policy,
  };
}

/**
 * `policyTypes` as the API server defaults it (pkg/apis/networking/v1/defaults.go): when missing or
 * empty, always Ingress, plus Egress only when the egress list is non-empty.
 */
export function effectivePolicyTypes(policy: NetworkPolicy, id = policy.metadata.name): PolicyType[] {
  const written = policy.spec.policyTypes ?? [];
  for (const type of written) {
    if (type !== 'Ingress' && type !== 'Egress') {
      throw invalid(`${id} spec.policyTypes contains ${JSON.stringify(type)}; use Ingress and/or Egress`);
    }
  }
  if (written.length > 0) return [...new Set(written)];
  return (policy.spec.egress ?? []).length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}

function compileRule(
  peers: NetworkPolicyPeer[] | null | undefined,
  ports: NetworkPolicyPort[] | null | undefined,
  policyNamespace: string,
  where: { rule: string; peers: 'from' | 'to' },
): CompiledRule {
  const peerList = peers ?? [];
  const portList = ports ?? [];
  return {
    peers:
      peerList.length === 0
        ? undefined
        : peerList.map((peer, i) => compilePeer(peer, policyNamespace, `${where.rule}.${where.peers}[${i}]`)),
    ports:
      portList.length === 0
        ? undefined
        : portList.map((port, i) => compilePort(port, `${where.rule}.ports[${i}]`)),
    peersWritten: peerList,
    portsWritten: portList,
  };
}

function compilePeer(
  peer: NetworkPolicyPeer,
  policyNamespace: string,
  where: string,
): (endpoint: PeerEndpoint) => boolean {
  const hasSelector = isSet(peer.podSelector) || isSet(peer.namespaceSelector);
  if (isSet(peer.ipBlock)) {
    if (hasSelector) throw invalid(`${where} sets ipBlock together with a selector; a peer may set only one`);
    return compileIpBlock(peer.ipBlock.cidr, peer.ipBlock.except ?? [], where);
  }
  if (!hasSelector) throw invalid(`${where} sets none of podSelector, namespaceSelector or ipBlock`);
  const podMatches = isSet(peer.podSelector)
    ? compileSelector(peer.podSelector, `${where}.podSelector`)
    : () => true;
  const namespaceMatches = isSet(peer.namespaceSelector)
    ? compileSelector(peer.namespaceSelector, `${where}.namespaceSelector`)
    : undefined;
  return ({ pod, namespaceLabels }) =>
    pod !== undefined &&
    // Without a namespaceSelector, a peer only means pods in the policy's own namespace.
    (namespaceMatches === undefined
      ? pod.namespace === policyNamespace
      : namespaceMatches(namespaceLabels ?? {})) &&
    podMatches(pod.labels);
}

function compileIpBlock(
  cidrText: string,
  exceptTexts: string[],
  where: string,
): (endpoint: PeerEndpoint) => boolean {
  const cidr = cidrOrThrow(cidrText, `${where}.ipBlock.cidr`);
  const excepts = exceptTexts.map((text, i) => cidrOrThrow(text, `${where}.ipBlock.except[${i}]`));
  // `except` only narrows this one block; it never denies what another peer or policy allows.
  return ({ address }) =>
    address !== undefined &&
    cidrContains(cidr, address) &&
    !excepts.some((except) => cidrContains(except, address));
}

function cidrOrThrow(text: string, where: string): Cidr {
  // Read as kube-apiserver's legacy validation admitted it: leading zeros are decimal.
  const cidr = typeof text === 'string' ? parseCidr(text, 'legacy') : undefined;
  if (cidr === undefined) {
    throw invalid(
      `${where} is ${JSON.stringify(text)}, not a CIDR; write it like 10.0.0.0/8 or 2001:db8::/32`,
    );
  }
  return cidr;
}

function compilePort(
  port: NetworkPolicyPort,
  where: string,
): (number: number, protocol: Protocol, destination: NetpolPod | undefined) => boolean {
  const protocol = port.protocol ?? 'TCP';
  if (!PROTOCOLS.includes(protocol)) {
    throw invalid(`${where}.protocol is ${JSON.stringify(protocol)}; use one of ${PROTOCOLS.join(', ')}`);
  }
  const written = port.port;
  if (written === undefined || written === null) {
    if (isSet(port.endPort)) throw invalid(`${where} sets endPort without port`);
    return (_n, p) => p === protocol;
  }
  if (typeof written === 'string') {
    if (isSet(port.endPort))
      throw invalid(`${where} sets endPort with the named port ${JSON.stringify(written)}`);
    // A named port is looked up on the destination pod: name AND protocol must match.
    return (n, p, destination) =>
      p === protocol &&
      (destination?.ports ?? []).some(
        (c) => c.name === written && (c.protocol ?? 'TCP') === protocol && c.containerPort === n,
      );
  }
  const first = portNumberOrThrow(written, `${where}.port`);
  const last = isSet(port.endPort) ? portNumberOrThrow(port.endPort, `${where}.endPort`) : first;
  if (last < first) throw invalid(`${where}.endPort ${last} is below port ${first}`);
  return (n, p) => p === protocol && n >= first && n <= last;
}

function portNumberOrThrow(value: unknown, where: string): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535) return value;
  throw invalid(`${where} is ${JSON.stringify(value)}; use a port number from 1 to 65535`);
}

function isSet<T>(value: T | null | undefined): value is T {
  return value !== undefined && value !== null;
}

function invalid(message: string): KubeguardError {
  return new KubeguardError('INVALID_ARGUMENT', `invalid NetworkPolicy: ${message}`);
}

/** Whether one compiled rule lets this peer through on this port. */
export function ruleMatches(
  rule: CompiledRule,
  peer: PeerEndpoint,
  port: number,
  protocol: Protocol,
  destination: NetpolPod | undefined,
): boolean {
  const peerOk = rule.peers === undefined || rule.peers.some((matches) => matches(peer));
  return (
    peerOk && (rule.ports === undefined || rule.ports.some((matches) => matches(port, protocol, destination)))
  );
}
