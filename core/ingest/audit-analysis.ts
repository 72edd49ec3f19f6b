import { type AuditEvent, isDenied } from '../detection/audit-event.ts';
import { detectDenialBursts } from '../detection/burst.ts';
import { type AuditContext, evaluateAuditEvent } from '../detection/engine.ts';
import type { AuditRule } from '../detection/rule.ts';
import type { Detection } from '../model/detection.ts';
import type { DenialCounter } from '../ports.ts';

/** An audit event with whatever the caller needs to trace a detection back to it (a line, a log event id). */
export interface AuditRecord<R> {
  event: AuditEvent;
  ref: R;
}

export interface RuleFailure<R> {
  ruleId: string;
  auditId: string;
  ref: R;
  message: string;
}

export interface AuditAnalysis<R> {
  /** In input order; burst detections come right after the event that crossed the threshold. */
  detections: { detection: Detection; ref: R }[];
  /** A rule that threw is a bug: reported here, the other rules' detections are kept. */
  ruleFailures: RuleFailure<R>[];
  /**
   * Set when the denial counter failed (its store is unreachable): the per-event detections are
   * complete, the KD-061 burst of this batch was not evaluated. The Lambda retries the batch.
   */
  burstFailure?: unknown;
}

export interface AuditAnalysisOptions {
  /** Keeps KD-061 burst state; without one, bursts are not evaluated. */
  counter?: DenialCounter;
  /** @default AUDIT_RULES (the registry) */
  rules?: readonly AuditRule[];
  /**
   * `<cluster>\0<event identity>\0<ruleId>` keys already reported. Pass the same set to successive
   * calls to keep one detection per (request, rule) across them (exec logs two stages of one
   * request). The identity is `auditEventIdentity`, not the client-chosen auditID.
   */
  seen?: SeenKeys;
}

/** What deduplication needs of a set: a Set, or a bounded RecentKeys when streaming. */
export interface SeenKeys {
  has(key: string): boolean;
  add(key: string): unknown;
}

/**
 * Runs every rule on each event of one cluster's batch, keeps one detection per (request, rule) —
 * a request is identified by `auditEventIdentity` (detection.eventId), never by the auditID alone,
 * which a client can reuse to hide a second request behind a first —
 * then counts denials for the KD-061 burst. The Lambda, the CLI and the sandbox all go through here.
 * `records` is read once, in order, and may be lazy: only denied events are kept (for the burst), so
 * a streamed batch never holds all its events at once.
 */
export async function analyzeAuditRecords<R>(
  records: Iterable<AuditRecord<R>>,
  context: AuditContext,
  options: AuditAnalysisOptions = {},
): Promise<AuditAnalysis<R>> {
  const seen = options.seen ?? new Set<string>();
  const indexed: { detection: Detection; ref: R; index: number }[] = [];
  const ruleFailures: RuleFailure<R>[] = [];
  const denials: { event: AuditEvent; ref: { ref: R; index: number } }[] = [];
  let index = 0;
  for (const { event, ref } of records) {
    const result = evaluateAuditEvent(event, context, options.rules);
    for (const { ruleId, error } of result.ruleErrors) {
      ruleFailures.push({ ruleId, auditId: event.auditID, ref, message: errorMessage(error) });
    }
    for (const detection of result.detections) {
      // detection.eventId is auditEventIdentity(event): the two stages of one request share it.
      const key = `${context.cluster ?? ''}\u0000${detection.eventId}\u0000${detection.ruleId}`;
      if (seen.has(key)) continue;
      seen.add(key);
      indexed.push({ detection, ref, index });
    }
    if (options.counter !== undefined && isDenied(event)) denials.push({ event, ref: { ref, index } });
    index += 1;
  }
  let burstFailure: unknown;
  if (options.counter !== undefined && denials.length > 0) {
    try {
      for (const burst of await detectDenialBursts(denials, context, options.counter)) {
        indexed.push({ detection: burst.detection, ref: burst.ref.ref, index: burst.ref.index });
      }
    } catch (error) {
      burstFailure = error;
    }
  }
  // Stable: per-event detections keep their order, a burst follows the event that crossed the threshold.
  indexed.sort((a, b) => a.index - b.index);
  const detections = indexed.map(({ detection, ref }) => ({ detection, ref }));
  return burstFailure === undefined
    ? { detections, ruleFailures }
    : { detections, ruleFailures, burstFailure };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
