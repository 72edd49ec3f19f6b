import type { Actor } from '../model/actor.ts';
import type { Detection } from '../model/detection.ts';
import { type AuditEvent, eventTime, namespaceOf, username } from './audit-event.ts';
import type { DetectionConfig, Suppression } from './config.ts';
import { auditActor, auditEventIdentity } from './event-identity.ts';
import { AUDIT_RULES } from './registry.ts';
import type { AuditRule, RuleMatch } from './rule.ts';

export interface AuditContext {
  /** Cluster name (from the CloudWatch log group `/aws/eks/<cluster>/cluster`). */
  cluster?: string;
  account?: string;
  region?: string;
  config: DetectionConfig;
  /** ISO-8601 "now", for suppression expiry; passed in because core has no clock. */
  now: string;
}

/** Stages at which rules are evaluated (catalog conventions): ResponseComplete, or no stage at all. */
function ruleAppliesAtStage(rule: AuditRule, stage: string | undefined): boolean {
  if (stage === undefined || stage === 'ResponseComplete') return true;
  return stage === 'ResponseStarted' && rule.evaluatesResponseStarted === true;
}

export function principalAllowed(principal: string, allowList: readonly string[]): boolean {
  return allowList.some((entry) =>
    entry.endsWith('*') ? principal.startsWith(entry.slice(0, -1)) : principal === entry,
  );
}

export function isSuppressed(
  detection: Detection,
  suppressions: readonly Suppression[],
  now: string,
): boolean {
  return suppressions.some(
    (s) =>
      s.until > now &&
      (s.ruleId === undefined || s.ruleId === detection.ruleId) &&
      (s.cluster === undefined || s.cluster === detection.cluster) &&
      (s.namespace === undefined || s.namespace === detection.namespace) &&
      (s.principal === undefined || s.principal === detection.principal),
  );
}

/**
 * What every detection of one event shares, read once per event that some rule matched (an
 * analyzer-throughput hot path: bench `detection`).
 */
interface EventFacts {
  /** auditEventIdentity: hashed once per event, and only for events that some rule matched. */
  eventId: string;
  at: string;
  principal: string | undefined;
  sourceIps: readonly string[];
  userAgent: string | undefined;
  /** verb, requestUri, responseCode, auditId: the evidence every detection of the event starts with. */
  evidence: Readonly<Record<string, string>>;
  actor: Actor | undefined;
}

function eventFacts(event: AuditEvent, context: AuditContext): EventFacts {
  const principal = username(event);
  // The decoder guarantees a verb, but rules are also run on raw events: never put undefined in evidence.
  const evidence: Record<string, string> = {};
  if (typeof event.verb === 'string') evidence.verb = event.verb;
  if (typeof event.requestURI === 'string') evidence.requestUri = event.requestURI;
  if (typeof event.responseStatus?.code === 'number')
    evidence.responseCode = String(event.responseStatus.code);
  // The client-chosen Audit-ID is not the event's identity (see event-identity.ts), but responders
  // grep the API server's logs for it.
  if (typeof event.auditID === 'string') evidence.auditId = event.auditID;
  return {
    eventId: auditEventIdentity(event),
    at: eventTime(event) ?? context.now,
    principal: principal === '' ? undefined : principal,
    sourceIps: Array.isArray(event.sourceIPs) ? event.sourceIPs.filter((ip) => typeof ip === 'string') : [],
    userAgent: typeof event.userAgent === 'string' ? event.userAgent : undefined,
    evidence,
    actor: auditActor(event),
  };
}

function toDetection(
  rule: AuditRule,
  match: RuleMatch,
  event: AuditEvent,
  context: AuditContext,
  facts: EventFacts,
): Detection {
  const override = context.config.rules[rule.id];
  const detection: Detection = {
    ruleId: rule.id,
    title: rule.title,
    severity: override?.severity ?? match.severity ?? rule.severity,
    mitre: [...rule.mitre],
    source: 'audit-log',
    summary: typeof match.summary === 'string' ? match.summary : match.summary.text,
    account: context.account,
    region: context.region,
    cluster: context.cluster,
    namespace: match.namespace ?? namespaceOf(event),
    workload: match.workload,
    pod: match.pod,
    container: match.container,
    image: match.image,
    node: match.node,
    principal: facts.principal,
    sourceIps: [...facts.sourceIps],
    userAgent: facts.userAgent,
    evidence: { ...facts.evidence, ...match.evidence },
    eventId: facts.eventId,
    firstSeen: facts.at,
    lastSeen: facts.at,
    count: 1,
    secretNames: match.secretNames,
  };
  // A plain-string summary has no trustworthy parts: renderers treat all of it as untrusted text.
  if (typeof match.summary !== 'string') {
    // A built sentence's parts are never changed after it is built: sharing them is safe.
    detection.summaryParts = match.summary.parts.slice();
  }
  if (facts.actor !== undefined) detection.actor = { ...facts.actor };
  return detection;
}

/**
 * Runs every enabled rule on one audit event and returns its detections, after allow-lists and
 * suppressions. A rule that throws is a bug, not a reason to lose the other rules' detections:
 * its error is returned in `ruleErrors` and the rest go on.
 */
interface RuleIndex {
  byResource: Map<string, readonly AuditRule[]>;
  /** Rules about any request (no `resources`), for events about other resources. */
  universal: readonly AuditRule[];
}

const ruleIndexes = new WeakMap<readonly AuditRule[], RuleIndex>();

/** Rules grouped by the resources they declare, built once per rule list; catalog order is kept. */
function ruleIndex(rules: readonly AuditRule[]): RuleIndex {
  let index = ruleIndexes.get(rules);
  if (index !== undefined) return index;
  const resources = new Set(rules.flatMap((rule) => rule.resources ?? []));
  const byResource = new Map<string, readonly AuditRule[]>();
  for (const resource of resources) {
    byResource.set(
      resource,
      rules.filter((rule) => rule.resources === undefined || rule.resources.includes(resource)),
    );
  }
  index = { byResource, universal: rules.filter((rule) => rule.resources === undefined) };
  ruleIndexes.set(rules, index);
  return index;
}

/** The rules that can match this event: those declaring its resource, and those about any request. */
function rulesFor(event: AuditEvent, rules: readonly AuditRule[]): readonly AuditRule[] {
  const index = ruleIndex(rules);
  const resource = event.objectRef?.resource;
  return (typeof resource === 'string' ? index.byResource.get(resource) : undefined) ?? index.universal;
}

export function evaluateAuditEvent(
  event: AuditEvent,
  context: AuditContext,
  rules: readonly AuditRule[] = AUDIT_RULES,
): { detections: Detection[]; ruleErrors: { ruleId: string; error: unknown }[] } {
  const detections: Detection[] = [];
  const ruleErrors: { ruleId: string; error: unknown }[] = [];
  const principal = username(event);
  if (principal !== '' && principalAllowed(principal, context.config.principalAllowList)) {
    return { detections, ruleErrors };
  }
  const namespace = namespaceOf(event);
  if (namespace !== undefined && context.config.namespaceAllowList.includes(namespace)) {
    return { detections, ruleErrors };
  }
  let facts: EventFacts | undefined;
  for (const rule of rulesFor(event, rules)) {
    if (context.config.rules[rule.id]?.enabled === false) continue;
    if (!ruleAppliesAtStage(rule, event.stage)) continue;
    let match: RuleMatch | null;
    try {
      match = rule.match(event, { config: context.config });
    } catch (error) {
      ruleErrors.push({ ruleId: rule.id, error });
      continue;
    }
    if (match === null) continue;
    facts ??= eventFacts(event, context);
    const detection = toDetection(rule, match, event, context, facts);
    if (!isSuppressed(detection, context.config.suppressions, context.now)) detections.push(detection);
  }
  return { detections, ruleErrors };
}

/**
 * Evaluates a batch and keeps one detection per (request, rule): exec/attach requests log both
 * ResponseStarted and ResponseComplete of one request (same identity, see event-identity.ts).
 */
export function evaluateAuditEvents(events: readonly AuditEvent[], context: AuditContext): Detection[] {
  const seen = new Set<string>();
  const result: Detection[] = [];
  for (const event of events) {
    for (const detection of evaluateAuditEvent(event, context).detections) {
      const key = `${detection.eventId}\u0000${detection.ruleId}`;
      if (seen.has(key)) continue;
      seen.add(key);
      result.push(detection);
    }
  }
  return result;
}
