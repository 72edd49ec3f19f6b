import type { DeliveryRun } from '../../core/delivery/deliver.ts';
import type { DeliveryRunReport } from '../../core/delivery/outbox.ts';
import type { FunctionLogger } from '../shared/logger.ts';
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
  /**
   * Time kept free at the end of the invocation: a Slack call started just before the budget ends
   * (10 s client timeout) and the store write after it must finish before Lambda's timeout.
   * @default 12000
   */
  safetyMarginMs?: number;
}

export type DeliveryHandler = (event: unknown, context: InvocationContext) => Promise<DeliveryRunReport>;

const DEFAULT_SAFETY_MARGIN_MS = 12_000;

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
    return report;
  };
}

/** `aws.events` for the schedule, `kubeguard.ingest` for a nudge. */
function wokenBy(event: unknown): string {
  const source =
    typeof event === 'object' && event !== null ? (event as { source?: unknown }).source : undefined;
  return typeof source === 'string' ? source.slice(0, 100) : 'unknown';
}

let composed: DeliveryHandler | undefined;

/** Lambda entry point (EventBridge schedule every minute; asynchronous nudges from ingest). */
export async function handler(event: unknown, context: InvocationContext): Promise<DeliveryRunReport> {
  composed ??= createDeliveryHandler(composeDelivery());
  return composed(event, context);
}
