import { createDenialCounterFromEnv } from '../../adapters/aws/denial-counter.ts';
import { functionEnvironment } from '../../adapters/config/env.ts';
import { functionObservability } from '../shared/observability.ts';
import { recorderFromEnv } from '../shared/recorder.ts';
import { once, systemClock } from '../shared/runtime.ts';

/**
 * What the audit-logs function runs, built once per cold start from the validated environment:
 * the detection sink (the finding recorder, nudging the delivery function) and the KD-061 denial
 * counter on the kubeguard table. It has no Slack client: delivery is the delivery function's job.
 */
export const composeAuditLogs = once(() => {
  const environment = functionEnvironment();
  const observability = functionObservability('audit-logs');
  const { logger, metrics } = observability;
  return {
    config: environment.config,
    sink: recorderFromEnv(environment, logger, metrics),
    counter: createDenialCounterFromEnv(environment),
    logger,
    clock: systemClock,
    metrics,
    observability,
  };
});
