import { functionEnvironment } from '../../adapters/config/env.ts';
import { createSlackMessengerFromEnv } from '../../adapters/slack/messenger-from-env.ts';
import { ConfigError } from '../../core/errors.ts';
import { createFunctionLogger } from '../shared/logger.ts';
import { once } from '../shared/runtime.ts';

/**
 * What the alarm notifier runs, built once per cold start: the ops channel from the configuration
 * and a Slack messenger with the bot token (read from its secret on the first post).
 */
export const composeAlarmNotifier = once(() => {
  const environment = functionEnvironment();
  const channel = environment.config.slack.opsChannel;
  if (channel === undefined) {
    throw new ConfigError(
      'slack.opsChannel is not set in KUBEGUARD_CONFIG; the alarm notifier posts there — set it in kubeguard.config.json and redeploy (the CDK app deploys the notifier only when it is set)',
    );
  }
  return {
    logger: createFunctionLogger('alarm-notifier'),
    slack: createSlackMessengerFromEnv(environment),
    channel,
  };
});
