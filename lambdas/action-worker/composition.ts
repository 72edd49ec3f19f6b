import { functionEnvironment } from '../../adapters/config/env.ts';
import { botTokenFromEnv } from '../../adapters/slack/bot-token-from-env.ts';
import { workerDepsFromEnv } from '../../adapters/slack/worker-from-env.ts';
import type { WorkerDeps } from '../../core/chatops/worker.ts';
import { createFunctionLogger, type FunctionLogger } from '../shared/logger.ts';

/**
 * What the action worker runs, built once per cold start: the findings store, the audit trail, Slack
 * answers and thread notes with the bot token (read once from its secret), and the delivery nudge.
 */
export async function composeActionWorker(): Promise<{ logger: FunctionLogger; worker: WorkerDeps }> {
  const environment = functionEnvironment();
  const logger = createFunctionLogger('action-worker');
  const botToken = await botTokenFromEnv(environment);
  return { logger, worker: workerDepsFromEnv(environment, { botToken, log: logger }) };
}
