import { createFindingStoreFromEnv } from '../../adapters/aws/findings-store-from-env.ts';
import { functionEnvironment } from '../../adapters/config/env.ts';
import { createSlackMessengerFromEnv } from '../../adapters/slack/messenger-from-env.ts';
import { findingPipelineFor } from '../../core/findings/compose.ts';
import { createFunctionLogger } from '../shared/logger.ts';
import { once, realTimers } from '../shared/runtime.ts';

/**
 * What the delivery sweeper runs, built once per cold start from the validated environment: the
 * finding pipeline's sweep over pending deliveries.
 */
export const composeDeliverySweeper = once(() => {
  const environment = functionEnvironment();
  return {
    logger: createFunctionLogger('delivery-sweeper'),
    findings: findingPipelineFor({
      config: environment.config,
      store: createFindingStoreFromEnv(environment),
      messenger: createSlackMessengerFromEnv(environment),
      timers: realTimers,
    }),
  };
});
