import { createFindingStoreFromEnv } from '../../adapters/aws/findings-store-from-env.ts';
import { functionEnvironment } from '../../adapters/config/env.ts';
import { createSlackMessengerFromEnv } from '../../adapters/slack/messenger-from-env.ts';
import { findingPipelineFor } from '../../core/findings/compose.ts';
import { createFunctionLogger } from '../shared/logger.ts';
import { once, realTimers } from '../shared/runtime.ts';

/**
 * What the guardduty-findings function runs, built once per cold start from the validated
 * environment: the finding pipeline (findings store + alert delivery).
 */
export const composeGuardDutyFindings = once(() => {
  const environment = functionEnvironment();
  return {
    config: environment.config,
    logger: createFunctionLogger('guardduty-findings'),
    findings: findingPipelineFor({
      config: environment.config,
      store: createFindingStoreFromEnv(environment),
      messenger: createSlackMessengerFromEnv(environment),
      timers: realTimers,
    }),
  };
});
