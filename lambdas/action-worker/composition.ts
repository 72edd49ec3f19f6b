import { functionEnvironment } from '../../adapters/config/env.ts';
import { botTokenFromEnv } from '../../adapters/slack/bot-token-from-env.ts';
import type { WorkerDeps } from '../../core/chatops/worker.ts';
import { countingActionOutcomes, countingDenials } from '../../core/observability/recorder.ts';
import type { FunctionLogger } from '../shared/logger.ts';
import { type FunctionObservability, functionObservability } from '../shared/observability.ts';

/**
 * What the action worker runs, built once per cold start: the findings store, the audit trail, Slack
 * answers and thread notes with the bot token (read once from its secret), and the delivery nudge.
 * Remediation outcomes count as ActionsRun and denials in the trail as ActionsDenied.
 */
export async function composeActionWorker(): Promise<{
  logger: FunctionLogger;
  worker: WorkerDeps;
  observability: FunctionObservability;
}> {
  const environment = functionEnvironment();
  // The Powertools tracer (aws-xray-sdk-core, cls-hooked) is evaluated here, at the first invocation,
  // not when the bundle loads (D56); before the clients: their Slack and AWS calls are traced and
  // Slack's 429s counted through it.
  // The worker's dependencies (the Slack Web API, the stores, remediation and audit adapters) too: they
  // are built here, once, and nothing in the bundle's load needs them.
  const [{ createInvocationTracer }, { workerDepsFromEnv }] = await Promise.all([
    import('../../adapters/observability/tracer.ts'),
    import('../../adapters/slack/worker-from-env.ts'),
  ]);
  const observability = functionObservability('action-worker', createInvocationTracer);
  const { logger, metrics } = observability;
  const botToken = await botTokenFromEnv(environment);
  const worker = workerDepsFromEnv(environment, { botToken, log: logger });
  return {
    logger,
    observability,
    worker: {
      ...worker,
      trail: countingDenials(worker.trail, metrics),
      ...(worker.remediation === undefined
        ? {}
        : {
            remediation: {
              ...worker.remediation,
              plans: countingActionOutcomes(worker.remediation.plans, metrics),
            },
          }),
    },
  };
}
