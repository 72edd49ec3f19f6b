import { createDenialCounterFromEnv } from '#adapters/aws/denial-counter.ts';
import { createFindingStoreFromEnv } from '#adapters/aws/findings-store-from-env.ts';
import { kubeguardTableFromEnv } from '#adapters/aws/kubeguard-table.ts';
import type { BotEnvironment } from '#adapters/config/bot-env.ts';
import { InProcessActionQueue } from '#adapters/local/in-process-action-queue.ts';
import { InProcessDeliveryTrigger } from '#adapters/local/in-process-delivery-trigger.ts';
import { ingressDepsFromEnv } from '#adapters/slack/ingress-from-env.ts';
import { createSlackMessengerFromEnv } from '#adapters/slack/messenger-from-env.ts';
import { workerDepsFromEnv } from '#adapters/slack/worker-from-env.ts';
import type { IngressDeps } from '#core/chatops/ingress.ts';
import type { ChatopsLog } from '#core/chatops/ports.ts';
import { runQueuedRequest, type WorkerDeps } from '#core/chatops/worker.ts';
import { alertDeliveryFor, findingRecorderFor } from '#core/findings/compose.ts';
import { createAuditLogsHandler } from '#lambdas/audit-logs/handler.ts';
import { createDeliveryHandler } from '#lambdas/delivery/handler.ts';
import { createGuardDutyHandler } from '#lambdas/guardduty-findings/handler.ts';
import type { SandboxCluster } from './cluster.ts';
import type { IngestHandlers } from './ingest.ts';

/**
 * kubeguard itself, in one process, composed as in AWS from the same environment the functions read
 * (adapters/config): the ingest functions' handlers (audit-logs, guardduty-findings) recording into
 * the outbox, the delivery function's handler posting from it — woken by each record as the nudge
 * would, and every minute as the schedule does — and the bot's listeners with an in-process action
 * queue running the worker (bot/local.ts does the same). Cluster access is the sandbox's
 * (cluster.ts), not the EKS role.
 */
export interface Kubeguard {
  deps: IngressDeps;
  worker: WorkerDeps;
  ingest: IngestHandlers;
  /** Resolves when the worker and alert delivery have nothing left to do. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The sandbox's Slack does not rate-limit, so alerts are not paced a second apart per channel as for
 * slack.com: a replay of 1,000 findings shows in seconds, not in 17 minutes. A real workspace is paced.
 */
export const SANDBOX_CHANNEL_PACE_MS = 0;
/** The delivery function's timeout (infra), which bounds one delivery run. */
const DELIVERY_BUDGET_MS = 60_000;
/** The delivery schedule: a run every minute picks up whatever a failed run left. */
const SCHEDULE_MS = 60_000;

export function composeKubeguard(options: {
  environment: BotEnvironment;
  botToken: string;
  cluster: SandboxCluster;
  /** The AWS account the demo's audit logs belong to. */
  account: string;
  log: ChatopsLog;
  /** Pace alerts as slack.com needs (a real workspace). */
  paced: boolean;
}): Kubeguard {
  const { environment, log } = options;
  const base = environment.base;
  const table = kubeguardTableFromEnv(base);
  const store = createFindingStoreFromEnv(base);
  const timers = {
    nowMs: () => Date.now(),
    sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
  };
  const clock = () => new Date().toISOString();
  const delivery = createDeliveryHandler({
    logger: log,
    timers,
    delivery: alertDeliveryFor({
      config: base.config,
      store,
      messenger: createSlackMessengerFromEnv(base),
      timers,
      ...(options.paced ? {} : { channelPaceMs: SANDBOX_CHANNEL_PACE_MS }),
    }),
  });
  let runs = 0;
  const trigger = new InProcessDeliveryTrigger(
    async () => {
      // One invocation per run; a run that ran out of its budget is followed by another at once.
      for (;;) {
        runs += 1;
        const startedMs = Date.now();
        const report = await delivery(
          { source: 'kubeguard.sandbox' },
          {
            awsRequestId: `sandbox-delivery-${runs}`,
            getRemainingTimeInMillis: () => startedMs + DELIVERY_BUDGET_MS - Date.now(),
          },
        );
        if (!report.outOfTime) return;
      }
    },
    (error) => log.error('alert delivery run failed', { error: (error as Error).message }),
  );
  const schedule = setInterval(() => void trigger.nudge(), SCHEDULE_MS);
  schedule.unref();

  const composed = workerDepsFromEnv(base, {
    botToken: options.botToken,
    log,
    delivery: trigger,
    remediation: options.cluster.remediation(table),
  });
  // `/k8s audit` collects the sandbox cluster's Kubernetes side; the AWS collectors are not run.
  const worker: WorkerDeps =
    composed.audit === undefined
      ? composed
      : { ...composed, audit: { ...composed.audit, runner: options.cluster.audit } };
  const queue = new InProcessActionQueue((request, attempt) => runQueuedRequest(request, worker, attempt), {
    onError: (error) => log.error('action worker failed', { error: (error as Error).message }),
  });
  const deps = ingressDepsFromEnv(environment, { botToken: options.botToken, log, queue });

  const recorder = findingRecorderFor({
    config: base.config,
    store,
    clock,
    trigger,
    onNudgeFailure: (error) => log.warn('delivery not nudged', { error: error.message }),
  });
  const ingest: IngestHandlers = {
    auditLogs: createAuditLogsHandler({
      config: base.config,
      sink: recorder,
      counter: createDenialCounterFromEnv(base),
      logger: log,
      clock,
    }),
    guardDuty: createGuardDutyHandler({ config: base.config, logger: log, findings: recorder }),
    cluster: options.cluster.name,
    account: options.account,
  };

  const settle = async () => {
    do {
      await queue.idle();
      await trigger.idle();
    } while (queue.pending() > 0);
  };
  return {
    deps,
    worker,
    ingest,
    settle,
    async stop() {
      clearInterval(schedule);
      await settle();
    },
  };
}
