import type { Context } from 'aws-lambda';
import type { DeliveryRun } from '../../core/delivery/deliver.ts';
import type { DeliveryRunReport } from '../../core/delivery/outbox.ts';
import { asKubeguardError } from '../../core/errors.ts';
import type { FindingStore, PendingDelivery } from '../../core/findings/ports.ts';
import { METRICS } from '../../core/observability/metrics.ts';
import { type MetricsRecorder, noMetrics } from '../../core/observability/recorder.ts';
import type { FunctionLogger } from '../shared/logger.ts';
import { observeInvocation } from '../shared/observability.ts';
import { composeDelivery } from './composition.ts';

/** The part of the Lambda context the delivery function reads. */
export interface InvocationContext {
  awsRequestId: string;
  getRemainingTimeInMillis(): number;
}

export interface DeliveryHandlerDeps {
  logger: FunctionLogger;
  delivery: { deliverPending(run: DeliveryRun): Promise<DeliveryRunReport> };
  timers: { nowMs(): number };
  /** The outbox (the store's pending index), read after each run for the pending gauges. @default not read */
  outbox?: Pick<FindingStore, 'listPendingDeliveries'>;
  /** DeliveriesPending and OldestPendingDeliveryAgeSeconds, every run. @default none */
  metrics?: MetricsRecorder;
  /**
   * Time kept free at the end of the invocation: a Slack call started just before the budget ends
   * (10 s client timeout) and the store write after it must finish before Lambda's timeout.
   * @default 12000
   */
  safetyMarginMs?: number;
}

export type DeliveryHandler = (event: unknown, context: InvocationContext) => Promise<DeliveryRunReport>;

const DEFAULT_SAFETY_MARGIN_MS = 12_000;

/** Outbox entries read for the gauges: past it, DeliveriesPending says "at least this many". */
export const PENDING_GAUGE_LIMIT = 1000;
/** Every entry, whenever it is due. */
const ANY_TIME = '9999-12-31T23:59:59.999Z';

/**
 * The delivery function: every minute (EventBridge schedule) and whenever ingest recorded something
 * (an asynchronous nudge), it delivers the outbox — pending findings, most severe first — to Slack,
 * paced per channel, and stops within its time budget (the invocation's remaining time less a safety
 * margin), leaving the rest pending and due for the next run. Whatever woke it, it delivers what is
 * due; the event only goes into the log.
 */
export function createDeliveryHandler(deps: DeliveryHandlerDeps): DeliveryHandler {
  const margin = deps.safetyMarginMs ?? DEFAULT_SAFETY_MARGIN_MS;
  return async (event, context) => {
    const deadlineMs = deps.timers.nowMs() + context.getRemainingTimeInMillis() - margin;
    const report = await deps.delivery.deliverPending({ owner: context.awsRequestId, deadlineMs });
    if (report.listed > 0) deps.logger.info('alert delivery run', { ...report, wokenBy: wokenBy(event) });
    await publishPendingGauges(deps);
    return report;
  };
}

/**
 * What is left in the outbox after the run: how many alerts wait, and how long the most overdue one
 * has waited past its due time (0 when none is due) — the "oldest pending delivery" alarm reads it.
 * A failed read is a warning: the run itself succeeded, and the gauges miss one data point.
 */
async function publishPendingGauges(deps: DeliveryHandlerDeps): Promise<void> {
  if (deps.outbox === undefined) return;
  let pending: PendingDelivery[];
  try {
    pending = await deps.outbox.listPendingDeliveries(ANY_TIME, PENDING_GAUGE_LIMIT);
  } catch (error) {
    const failure = asKubeguardError(error);
    deps.logger.warn('pending deliveries not counted', { code: failure.code, error: failure.message });
    return;
  }
  const metrics = deps.metrics ?? noMetrics;
  metrics.add(METRICS.deliveriesPending, pending.length);
  metrics.add(METRICS.oldestPendingDeliveryAge, oldestWaitSeconds(pending, deps.timers.nowMs()));
}

/** Seconds the most overdue entry has waited past its due time; 0 when none is due yet. */
export function oldestWaitSeconds(pending: readonly PendingDelivery[], nowMs: number): number {
  let oldestDueMs = nowMs;
  for (const entry of pending) {
    const dueMs = Date.parse(entry.dueAt);
    if (Number.isFinite(dueMs) && dueMs < oldestDueMs) oldestDueMs = dueMs;
  }
  return Math.floor((nowMs - oldestDueMs) / 1000);
}

/** `aws.events` for the schedule, `kubeguard.ingest` for a nudge. */
function wokenBy(event: unknown): string {
  const source =
    typeof event === 'object' && event !== null ? (event as { source?: unknown }).source : undefined;
  return typeof source === 'string' ? source.slice(0, 100) : 'unknown';
}

let composed: DeliveryHandler | undefined;

/**
 * Lambda entry point (EventBridge schedule every minute; asynchronous nudges from ingest): the Lambda
 * context on every log line, the Slack calls traced, metrics written when the invocation ends.
 */
export async function handler(
  event: unknown,
  context: InvocationContext & Partial<Context>,
): Promise<DeliveryRunReport> {
  const deps = composeDelivery();
  composed ??= createDeliveryHandler(deps);
  const run = composed;
  return observeInvocation(deps.observability, context, () => run(event, context));
}
