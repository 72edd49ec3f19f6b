import type { Context } from 'aws-lambda';
import { type DigestRunDeps, type DigestRunReport, runDueDigests } from '../../core/digest/send.ts';
import type { FunctionLogger } from '../shared/logger.ts';
import { observeInvocation } from '../shared/observability.ts';
import { composeDigest } from './composition.ts';

/** The part of the Lambda context the digest function reads. */
export interface InvocationContext {
  awsRequestId: string;
  getRemainingTimeInMillis(): number;
}

export interface DigestHandlerDeps {
  logger: FunctionLogger;
  /** Everything a run needs but its owner and time budget, which come from each invocation. */
  run: Omit<DigestRunDeps, 'owner' | 'remainingMs'>;
}

export type DigestHandler = (event: unknown, context: InvocationContext) => Promise<DigestRunReport>;

/**
 * The digest function: EventBridge Scheduler invokes it every 15 minutes; it sends the digests that
 * are due (core/digest/send.ts), each exactly once, and stops starting new ones when its time runs
 * short (the next run takes the rest). A digest that failed is logged and retried by the next run;
 * the invocation itself succeeds, so the scheduler's retry never races a healthy next run.
 */
export function createDigestHandler(deps: DigestHandlerDeps): DigestHandler {
  return async (_event, context) => {
    const report = await runDueDigests({
      ...deps.run,
      owner: context.awsRequestId,
      remainingMs: () => context.getRemainingTimeInMillis(),
    });
    if (report.sent.length > 0 || report.failed.length > 0 || report.deferred > 0) {
      deps.logger.info('digest run', { ...report });
    }
    for (const failure of report.failed)
      deps.logger.error('digest not sent; the next run retries', { ...failure });
    return report;
  };
}

let composed: DigestHandler | undefined;

/** Lambda entry point (EventBridge Scheduler, every 15 minutes): context on the log lines, Slack traced. */
export async function handler(
  event: unknown,
  context: InvocationContext & Partial<Context>,
): Promise<DigestRunReport> {
  const deps = composeDigest();
  composed ??= createDigestHandler(deps);
  const run = composed;
  return observeInvocation(deps.observability, context, () => run(event, context));
}
