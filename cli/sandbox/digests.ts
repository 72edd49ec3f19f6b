import type { FunctionEnvironment } from '#adapters/config/env.ts';
import type { ChatopsLog } from '#core/chatops/ports.ts';
import type { DigestRunReport } from '#core/digest/send.ts';
import type { DigestSubscription } from '#core/digest/subscriptions.ts';
import { digestRunFromEnv } from '#lambdas/digest/composition.ts';
import { createDigestHandler } from '#lambdas/digest/handler.ts';

/**
 * The sandbox's digest schedule: what EventBridge Scheduler does in AWS, in process. Every minute the
 * digest function's own handler (lambdas/digest) runs its due-check with the sandbox's clock, so a
 * digest arrives within a minute of its 09:00. "Send digests now" (`POST /api/sandbox/digests/send`)
 * runs the same handler over every subscription as if it had been made before its current period:
 * each gets the digest of its most recent period (the week up to last Monday 09:00, the day up to the
 * latest 09:00), claimed in the same send ledger — a period already sent is not sent again, and the
 * answer counts it under `alreadySent`.
 */
export interface SandboxDigests {
  /** One scheduled run: the digests that are due. */
  runDue(): Promise<DigestRunReport>;
  /** Every subscription's digest for its current period, unless that period was sent. */
  sendNow(): Promise<DigestRunReport>;
  /** Stops the schedule and waits for a run in progress. */
  stop(): Promise<void>;
}

/** The schedule: AWS runs every 15 minutes; the sandbox every minute, so trying it out is quick. */
export const SANDBOX_DIGEST_INTERVAL_MS = 60_000;
/** A run's budget, as the digest function's timeout (5 minutes). */
const RUN_BUDGET_MS = 5 * 60_000;
const LONG_AGO = '1970-01-01T00:00:00.000Z';

export function startSandboxDigests(options: {
  environment: FunctionEnvironment;
  log: ChatopsLog;
  clock?: () => string;
  /** @default SANDBOX_DIGEST_INTERVAL_MS; 0 = no schedule (tests send by hand) */
  intervalMs?: number;
}): SandboxDigests {
  const run = digestRunFromEnv(options.environment, options.clock);
  const logger = options.log;
  const scheduled = createDigestHandler({ logger, run });
  const now = createDigestHandler({
    logger,
    run: {
      ...run,
      subscriptions: {
        listAll: async () =>
          (await run.subscriptions.listAll()).map(
            (subscription): DigestSubscription => ({ ...subscription, createdAt: LONG_AGO }),
          ),
      },
    },
  });
  let runs = 0;
  // One run at a time, like the function's single schedule: a click during a run waits for it.
  let last: Promise<unknown> = Promise.resolve();
  const invoke = (handler: typeof scheduled): Promise<DigestRunReport> => {
    const next = last.then(() => {
      runs += 1;
      const startedMs = Date.now();
      return handler(
        { source: 'kubeguard.sandbox' },
        {
          awsRequestId: `sandbox-digest-${runs}`,
          getRemainingTimeInMillis: () => startedMs + RUN_BUDGET_MS - Date.now(),
        },
      );
    });
    last = next.catch(() => undefined);
    return next;
  };
  const interval = options.intervalMs ?? SANDBOX_DIGEST_INTERVAL_MS;
  const timer =
    interval > 0
      ? setInterval(() => {
          invoke(scheduled).catch((error: unknown) =>
            options.log.error('digest run failed', { error: (error as Error).message }),
          );
        }, interval)
      : undefined;
  timer?.unref();
  return {
    runDue: () => invoke(scheduled),
    sendNow: () => invoke(now),
    async stop() {
      if (timer !== undefined) clearInterval(timer);
      await last;
    },
  };
}
