import type { PipelineReport } from '../../core/findings/pipeline.ts';
import type { FunctionLogger } from '../shared/logger.ts';
import { composeDeliverySweeper } from './composition.ts';

export interface SweeperDeps {
  logger: FunctionLogger;
  findings: { sweep(limit?: number): Promise<PipelineReport> };
}

/** Pending deliveries retried per invocation; the schedule runs every minute. */
const SWEEP_LIMIT = 200;

/**
 * Scheduled every minute: retries every finding whose Slack delivery is pending and due (Slack was
 * down or rate limited, or a thread summary waits for its minute). Nothing the store holds is
 * left undelivered for long.
 */
export function createSweeperHandler(deps: SweeperDeps): () => Promise<PipelineReport> {
  return async () => {
    const report = await deps.findings.sweep(SWEEP_LIMIT);
    if (report.delivered + report.pending > 0) deps.logger.info('pending deliveries swept', { ...report });
    return report;
  };
}

let composed: (() => Promise<PipelineReport>) | undefined;

/** Lambda entry point (EventBridge Scheduler, every minute). */
export async function handler(): Promise<PipelineReport> {
  composed ??= createSweeperHandler(composeDeliverySweeper());
  return composed();
}
