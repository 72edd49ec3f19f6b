import { createFindingStoreFromEnv } from '../../adapters/aws/findings-store-from-env.ts';
import { functionEnvironment } from '../../adapters/config/env.ts';
import { createInvocationTracer } from '../../adapters/observability/tracer.ts';
import { createSlackMessengerFromEnv } from '../../adapters/slack/messenger-from-env.ts';
import { alertDeliveryFor } from '../../core/findings/compose.ts';
import { functionObservability } from '../shared/observability.ts';
import { once, realTimers } from '../shared/runtime.ts';

/**
 * What the delivery function runs, built once per cold start from the validated environment: alert
 * delivery from the kubeguard table's outbox to Slack. Its channel pacer lives as long as the warm
 * instance, and reserved concurrency 1 keeps it the only one.
 */
export const composeDelivery = once(() => {
  const environment = functionEnvironment();
  // Before the messenger: its Slack calls are traced and their 429s counted through it.
  const observability = functionObservability('delivery', createInvocationTracer);
  const store = createFindingStoreFromEnv(environment);
  return {
    logger: observability.logger,
    metrics: observability.metrics,
    observability,
    outbox: store,
    delivery: alertDeliveryFor({
      config: environment.config,
      store,
      messenger: createSlackMessengerFromEnv(environment),
      timers: realTimers,
    }),
    timers: realTimers,
  };
});
