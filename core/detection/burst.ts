import { createHash } from 'node:crypto';
import type { Detection } from '../model/detection.ts';
import { sentence } from '../model/sentence.ts';
import type { DenialCounter } from '../ports.ts';
import { type AuditEvent, eventTime, isDenied, namespaceOf, username } from './audit-event.ts';
import { type AuditContext, isSuppressed, principalAllowed } from './engine.ts';
import { auditActor, auditEventIdentity } from './event-identity.ts';

/**
 * KD-061 burst: N or more denied requests (401/403) from one principal or one public source IP
 * within a sliding window (config `denialBurst`, default 10 in 600 s) → one medium-severity
 * detection when the count reaches the threshold.
 *
 * "Once per window per key": after a key fires, it stays quiet until the next fixed window of
 * `windowSeconds` (aligned on the epoch) starts, so a denial storm that lasts an hour yields one
 * detection per window, not one per denial. The gate is itself a count kept through the same
 * DenialCounter port (key `burst#<key>#<window start>`), so it holds across Lambda invocations.
 *
 * Counting is at-least-once: a batch that Lambda redelivers is counted again, which can only make a
 * burst fire earlier, never hide one. A burst whose delivery failed is not re-emitted by the retry
 * (its gate is already taken); if the denials go on, the next window fires again.
 */

export const BURST_RULE_ID = 'KD-061';
export const BURST_TITLE = 'Burst of forbidden or unauthorized requests';
const BURST_MITRE = ['T1613', 'T1078'];
/** Longer key values are hashed so that a hostile username cannot exceed a store's key size limit. */
const MAX_KEY_VALUE_LENGTH = 200;
/** Keys are counted concurrently (each key's denials in order) so that a storm does not serialize I/O. */
const KEY_CONCURRENCY = 8;
/** The in-memory counter forgets occurrences older than a window once a key holds this many. */
const IN_MEMORY_PRUNE_AT = 4096;

// Just enough IP parsing to tell a public source address from a private one (node:net is off limits in core).

function parseIpv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const octets = parts.map((part) => (/^\d{1,3}$/.test(part) ? Number(part) : Number.NaN));
  return octets.every((octet) => octet <= 255) ? octets : undefined;
}

/** 0/8, 10/8, 100.64/10 (carrier-grade NAT), 127/8, 169.254/16, 172.16/12, 192.168/16, 224/3. */
function isNonPublicIpv4([a, b]: number[]): boolean {
  const first = a ?? 0;
  const second = b ?? 0;
  return (
    first === 0 ||
    first === 10 ||
    first === 127 ||
    first >= 224 ||
    (first === 100 && second >= 64 && second <= 127) ||
    (first === 169 && second === 254) ||
    (first === 172 && second >= 16 && second <= 31) ||
    (first === 192 && second === 168)
  );
}

/** The eight 16-bit groups of an IPv6 address, or undefined when it is not one. */
function parseIpv6(text: string): number[] | undefined {
  if (!/^[0-9a-f:]+$/.test(text) || text.split('::').length > 2) return undefined;
  const [head = '', tail] = text.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return undefined;
  const all = [...left, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...right];
  if (all.some((group) => group.length === 0 || group.length > 4)) return undefined;
  return all.map((group) => Number.parseInt(group, 16));
}

function isNonPublicIpv6(groups: number[]): boolean {
  const first = groups[0] ?? 0;
  const allZeroBeforeLast = groups.slice(0, 7).every((g) => g === 0);
  return (
    (allZeroBeforeLast && (groups[7] ?? 0) <= 1) || // :: and ::1
    (first & 0xffc0) === 0xfe80 || // link-local fe80::/10
    (first & 0xfe00) === 0xfc00 || // unique local fc00::/7
    (first & 0xff00) === 0xff00 // multicast
  );
}

/**
 * True for a syntactically valid, publicly routable IPv4 or IPv6 address. IPv4-mapped IPv6
 * (`::ffff:10.0.0.1`) is judged by its IPv4 part; an IPv6 zone id (`%eth0`) is ignored.
 */
export function isPublicIp(address: string): boolean {
  const text = address.trim().toLowerCase().replace(/%.*$/, '');
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return !isNonPublicIpv4(v4);
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  if (mapped?.[1] !== undefined) {
    const inner = parseIpv4(mapped[1]);
    return inner !== undefined && !isNonPublicIpv4(inner);
  }
  const v6 = parseIpv6(text);
  return v6 !== undefined && !isNonPublicIpv6(v6);
}

export type BurstKeyKind = 'principal' | 'sourceIp';

export interface BurstKey {
  kind: BurstKeyKind;
  /** The principal or the address, as seen in the event. */
  value: string;
  /** The counter key: `<cluster>|principal:<name>` or `<cluster>|sourceIp:<address>` (long values hashed). */
  counterKey: string;
}

function burstKey(cluster: string | undefined, kind: BurstKeyKind, value: string): BurstKey {
  const keyValue =
    value.length > MAX_KEY_VALUE_LENGTH
      ? `sha256:${createHash('sha256').update(value).digest('hex')}`
      : value;
  return { kind, value, counterKey: `${cluster ?? '-'}|${kind}:${keyValue}` };
}

/**
 * The keys a denial counts against: the username, if any, and the request's remote address when it
 * is public. kube-apiserver lists `sourceIPs` as X-Forwarded-For entries, then X-Real-Ip, then the
 * remote address last; only the last one cannot be forged by the client, so only it is counted
 * (otherwise a scanner could pin its denials on someone else's address). Keys are per cluster:
 * usernames mean different people in different clusters.
 */
export function burstKeys(event: AuditEvent, cluster?: string): BurstKey[] {
  const keys: BurstKey[] = [];
  const principal = username(event);
  if (principal !== '') keys.push(burstKey(cluster, 'principal', principal));
  const remote = event.sourceIPs?.at(-1)?.trim().toLowerCase();
  if (remote !== undefined && isPublicIp(remote)) keys.push(burstKey(cluster, 'sourceIp', remote));
  return keys;
}

interface Observation<R> {
  key: BurstKey;
  event: AuditEvent;
  ref: R;
  index: number;
  atMs: number;
}

/**
 * When the denial happened. An event without a usable timestamp (trimmed test traces) cannot be
 * placed in a window and is not counted: pinning it to "now" would invent bursts.
 */
function timeOf(event: AuditEvent): number | undefined {
  const at = Date.parse(eventTime(event) ?? '');
  return Number.isFinite(at) ? at : undefined;
}

function isCountedDenial(event: AuditEvent, context: AuditContext): boolean {
  // RequestReceived carries no response; the other stages of one request are deduplicated by identity.
  if (event.stage === 'RequestReceived' || !isDenied(event)) return false;
  const principal = username(event);
  if (principal !== '' && principalAllowed(principal, context.config.principalAllowList)) return false;
  const namespace = namespaceOf(event);
  return namespace === undefined || !context.config.namespaceAllowList.includes(namespace);
}

/**
 * Denials grouped by counter key, each group in input order, one per (key, request). A request is
 * `auditEventIdentity`, not the auditID: a scanner that sends every probe with one Audit-ID must
 * not count as one denial.
 */
function groupDenials<R>(
  records: readonly { event: AuditEvent; ref: R }[],
  context: AuditContext,
): Observation<R>[][] {
  const groups = new Map<string, { seen: Set<string>; observations: Observation<R>[] }>();
  records.forEach(({ event, ref }, index) => {
    if (!isCountedDenial(event, context)) return;
    const atMs = timeOf(event);
    if (atMs === undefined) return;
    const identity = auditEventIdentity(event);
    for (const key of burstKeys(event, context.cluster)) {
      let group = groups.get(key.counterKey);
      if (group === undefined) {
        group = { seen: new Set(), observations: [] };
        groups.set(key.counterKey, group);
      }
      if (group.seen.has(identity)) continue;
      group.seen.add(identity);
      group.observations.push({ key, event, ref, index, atMs });
    }
  });
  return [...groups.values()].map((group) => group.observations);
}

async function forEachConcurrently<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function toBurstDetection<R>(
  observation: Observation<R>,
  count: number,
  windowStartMs: number,
  context: AuditContext,
): Detection {
  const { key, event, atMs } = observation;
  const { threshold, windowSeconds } = context.config.denialBurst;
  const principal = username(event);
  const who = key.kind === 'principal' ? sentence`by ${key.value}` : sentence`from source IP ${key.value}`;
  const summary = sentence`${count} denied requests ${who} within ${windowSeconds} s (threshold ${threshold})`;
  const evidence: Record<string, string> = {
    burstKey: key.kind,
    burstValue: key.value,
    denials: String(count),
    threshold: String(threshold),
    windowSeconds: String(windowSeconds),
    windowStart: iso(windowStartMs),
    lastAuditId: event.auditID,
    verb: event.verb,
  };
  if (event.requestURI !== undefined) evidence.requestUri = event.requestURI;
  if (event.responseStatus?.code !== undefined) evidence.responseCode = String(event.responseStatus.code);
  const detection: Detection = {
    ruleId: BURST_RULE_ID,
    title: BURST_TITLE,
    severity: context.config.rules[BURST_RULE_ID]?.severity ?? 'medium',
    mitre: [...BURST_MITRE],
    source: 'audit-log',
    summary: summary.text,
    summaryParts: [...summary.parts],
    account: context.account,
    region: context.region,
    cluster: context.cluster,
    principal: principal === '' ? undefined : principal,
    sourceIps: key.kind === 'sourceIp' ? [key.value] : [...(event.sourceIPs ?? [])],
    userAgent: event.userAgent,
    evidence,
    eventId: `${BURST_RULE_ID}-burst#${key.counterKey}#${iso(windowStartMs)}`,
    firstSeen: iso(atMs),
    lastSeen: iso(atMs),
    count,
  };
  const actor = auditActor(event);
  if (actor !== undefined) detection.actor = actor;
  return detection;
}

/**
 * Counts every denied event of a batch (in order) and returns a KD-061 burst detection for each key
 * that reaches the threshold, with the `ref` of the event that reached it. Rule enablement, the
 * principal and namespace allow-lists and suppressions apply as for any rule.
 */
export async function detectDenialBursts<R>(
  records: readonly { event: AuditEvent; ref: R }[],
  context: AuditContext,
  counter: DenialCounter,
): Promise<{ detection: Detection; ref: R }[]> {
  if (context.config.rules[BURST_RULE_ID]?.enabled === false) return [];
  const { threshold, windowSeconds } = context.config.denialBurst;
  const windowMs = windowSeconds * 1000;
  const found: { detection: Detection; ref: R; index: number }[] = [];
  await forEachConcurrently(groupDenials(records, context), KEY_CONCURRENCY, async (observations) => {
    const gated = new Set<number>();
    for (const observation of observations) {
      const count = await counter.record(observation.key.counterKey, iso(observation.atMs), windowSeconds);
      if (count < threshold) continue;
      const windowStartMs = Math.floor(observation.atMs / windowMs) * windowMs;
      if (gated.has(windowStartMs)) continue;
      gated.add(windowStartMs);
      // Every gate occurrence is recorded at the window start, so the gate's count is exact.
      const gateKey = `burst#${observation.key.counterKey}#${windowStartMs}`;
      if ((await counter.record(gateKey, iso(windowStartMs), windowSeconds)) !== 1) continue;
      const detection = toBurstDetection(observation, count, windowStartMs, context);
      if (isSuppressed(detection, context.config.suppressions, context.now)) continue;
      found.push({ detection, ref: observation.ref, index: observation.index });
    }
  });
  return found.sort((a, b) => a.index - b.index).map(({ detection, ref }) => ({ detection, ref }));
}

function upperBound(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle] ?? 0) <= value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * An exact sliding-window DenialCounter in memory, for the CLI, the sandbox and tests. Occurrences
 * may arrive out of order; a key that holds many occurrences forgets those older than one window
 * before its newest.
 */
export class InMemoryDenialCounter implements DenialCounter {
  readonly #occurrences = new Map<string, number[]>();

  async record(key: string, at: string, windowSeconds: number): Promise<number> {
    const atMs = Date.parse(at);
    if (!Number.isFinite(atMs))
      throw new RangeError(`denial time must be ISO-8601; received ${JSON.stringify(at)}`);
    let sorted = this.#occurrences.get(key);
    if (sorted === undefined) {
      sorted = [];
      this.#occurrences.set(key, sorted);
    }
    sorted.splice(upperBound(sorted, atMs), 0, atMs);
    const windowMs = windowSeconds * 1000;
    if (sorted.length > IN_MEMORY_PRUNE_AT) {
      sorted.splice(0, upperBound(sorted, (sorted.at(-1) ?? atMs) - windowMs));
    }
    return upperBound(sorted, atMs) - upperBound(sorted, atMs - windowMs);
  }
}
