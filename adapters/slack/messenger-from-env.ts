import type { SlackMessenger } from '../../core/ports.ts';
import { SecretsManagerClient } from '../aws/secrets-manager-lite.ts';
import { fetchSlackCredentials } from '../aws/slack-credentials.ts';
import { type FunctionEnvironment, requireSlackCredentials } from '../config/env.ts';
import { createWebApiMessenger } from './web-api-messenger.ts';

/**
 * The Slack messenger for the environment's bot token: SLACK_BOT_TOKEN as given (local runs), or read
 * once from the Secrets Manager secret SLACK_SECRET_ARN on the first call, so a function that never
 * posts never reads the secret. A failed secret read is retried on the next call.
 */
export function createSlackMessengerFromEnv(environment: FunctionEnvironment): SlackMessenger {
  const slack = requireSlackCredentials(environment);
  return lazyMessenger(async () =>
    createWebApiMessenger({
      token: await slackBotToken(slack),
      ...(environment.slackApiUrl === undefined ? {} : { slackApiUrl: environment.slackApiUrl }),
    }),
  );
}

async function slackBotToken(slack: NonNullable<FunctionEnvironment['slack']>): Promise<string> {
  if ('botToken' in slack) return slack.botToken;
  const credentials = await fetchSlackCredentials(new SecretsManagerClient({}), slack.secretArn);
  return credentials.botToken;
}

function lazyMessenger(build: () => Promise<SlackMessenger>): SlackMessenger {
  let inner: Promise<SlackMessenger> | undefined;
  const get = () => {
    inner ??= build().catch((error: unknown) => {
      inner = undefined;
      throw error;
    });
    return inner;
  };
  return {
    postMessage: async (message) => (await get()).postMessage(message),
    updateMessage: async (message) => (await get()).updateMessage(message),
    findPostedMessage: async (query) => (await get()).findPostedMessage(query),
  };
}
