import { functionEnvironment } from '../../adapters/config/env.ts';
import { functionObservability } from '../shared/observability.ts';
import { recorderFromEnv } from '../shared/recorder.ts';
import { once } from '../shared/runtime.ts';

/**
 * What the guardduty-findings function runs, built once per cold start from the validated
 * environment: the finding recorder on the kubeguard table, nudging the delivery function. It has
 * no Slack client: delivery is the delivery function's job.
 */
export const composeGuardDutyFindings = once(() => {
  const environment = functionEnvironment();
  const observability = functionObservability('guardduty-findings');
  const { logger, metrics } = observability;
  return {
    config: environment.config,
    logger,
    findings: recorderFromEnv(environment, logger, metrics),
    metrics,
    observability,
  };
});
