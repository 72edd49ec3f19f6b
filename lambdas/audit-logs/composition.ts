import { createDenialCounterFromEnv } from '../../adapters/aws/denial-counter.ts';
import { createFindingStoreFromEnv } from '../../adapters/aws/findings-store-from-env.ts';
import { createDeliveryTriggerFromEnv } from '../../adapters/aws/lambda-delivery-trigger.ts';
import { functionEnvironment } from '../../adapters/config/env.ts';
import { findingRecorderFor } from '../../core/findings/compose-recorder.ts';
import { createFunctionLogger } from '../shared/logger.ts';
import { once, systemClock } from '../shared/runtime.ts';

/**
 * What the audit-logs function runs, built once per cold start from the validated environment:
 * the detection sink (the finding recorder, nudging the delivery function) and the KD-061 denial
 * counter on the kubeguard table. It has no Slack client: delivery is the delivery function's job.
 */
export const composeAuditLogs = once(() => {
  const environment = functionEnvironment();
  const logger = createFunctionLogger('audit-logs');
  const trigger = createDeliveryTriggerFromEnv(environment);
  return {
    config: environment.config,
    sink: findingRecorderFor({
      config: environment.config,
      store: createFindingStoreFromEnv(environment),
      clock: systemClock,
      ...(trigger === undefined ? {} : { trigger }),
      onNudgeFailure: (error) =>
        logger.warn('delivery not nudged; the schedule delivers within a minute', {
          code: error.code,
          error: error.message,
        }),
    }),
    counter: createDenialCounterFromEnv(environment),
    logger,
    clock: systemClock,
  };
});
