import { createFindingStoreFromEnv } from '../../adapters/aws/findings-store-from-env.ts';
import { createDeliveryTriggerFromEnv } from '../../adapters/aws/lambda-delivery-trigger.ts';
import type { FunctionEnvironment } from '../../adapters/config/env.ts';
import { type FindingRecorder, findingRecorderFor } from '../../core/findings/compose-recorder.ts';
import { countingFindingWrites, type MetricsRecorder, noMetrics } from '../../core/observability/recorder.ts';
import type { FunctionLogger } from './logger.ts';
import { systemClock } from './runtime.ts';

/**
 * The ingest functions' finding recorder: the findings store on the kubeguard table, nudging the
 * delivery function when DELIVERY_FUNCTION_NAME is set. A failed nudge is a warning: the schedule
 * delivers within a minute. Each finding written counts as FindingsRecorded.
 */
export function recorderFromEnv(
  environment: FunctionEnvironment,
  logger: FunctionLogger,
  metrics: MetricsRecorder = noMetrics,
): FindingRecorder {
  const trigger = createDeliveryTriggerFromEnv(environment);
  return findingRecorderFor({
    config: environment.config,
    store: countingFindingWrites(createFindingStoreFromEnv(environment), metrics),
    clock: systemClock,
    ...(trigger === undefined ? {} : { trigger }),
    onNudgeFailure: (error) =>
      logger.warn('delivery not nudged; the schedule delivers within a minute', {
        code: error.code,
        error: error.message,
      }),
  });
}
