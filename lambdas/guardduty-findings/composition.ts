import { createFindingStoreFromEnv } from '../../adapters/aws/findings-store-from-env.ts';
import { createDeliveryTriggerFromEnv } from '../../adapters/aws/lambda-delivery-trigger.ts';
import { functionEnvironment } from '../../adapters/config/env.ts';
import { findingRecorderFor } from '../../core/findings/compose-recorder.ts';
import { createFunctionLogger } from '../shared/logger.ts';
import { once, systemClock } from '../shared/runtime.ts';

/**
 * What the guardduty-findings function runs, built once per cold start from the validated
 * environment: the finding recorder on the kubeguard table, nudging the delivery function. It has
 * no Slack client: delivery is the delivery function's job.
 */
export const composeGuardDutyFindings = once(() => {
  const environment = functionEnvironment();
  const logger = createFunctionLogger('guardduty-findings');
  const trigger = createDeliveryTriggerFromEnv(environment);
  return {
    config: environment.config,
    logger,
    findings: findingRecorderFor({
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
  };
});
