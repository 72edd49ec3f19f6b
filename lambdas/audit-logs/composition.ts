import { createDenialCounterFromEnv } from '../../adapters/aws/denial-counter.ts';
import { createFindingStoreFromEnv } from '../../adapters/aws/findings-store-from-env.ts';
import { functionEnvironment } from '../../adapters/config/env.ts';
import { createSlackMessengerFromEnv } from '../../adapters/slack/messenger-from-env.ts';
import { findingPipelineFor } from '../../core/findings/compose.ts';
import { createFunctionLogger } from '../shared/logger.ts';
import { once, realTimers, systemClock } from '../shared/runtime.ts';

/**
 * What the audit-logs function runs, built once per cold start from the validated environment:
 * the detection sink (findings store + alert delivery) and the KD-061 denial counter on the
 * kubeguard table.
 */
export const composeAuditLogs = once(() => {
  const environment = functionEnvironment();
  return {
    config: environment.config,
    sink: findingPipelineFor({
      config: environment.config,
      store: createFindingStoreFromEnv(environment),
      messenger: createSlackMessengerFromEnv(environment),
      timers: realTimers,
    }),
    counter: createDenialCounterFromEnv(environment),
    logger: createFunctionLogger('audit-logs'),
    clock: systemClock,
  };
});
