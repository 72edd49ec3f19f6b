import type { DigestSlack } from '../../core/digest/send.ts';
import { SecretsManagerClient } from '../aws/secrets-manager-lite.ts';
import { fetchSlackCredentials } from '../aws/slack-credentials.ts';
import { type FunctionEnvironment, requireSlackCredentials } from '../config/env.ts';
import { createDigestSlack } from './digest-slack.ts';

/**
 * The digest's Slack calls for the environment's bot token: SLACK_BOT_TOKEN as given, or read once
 * from the secret SLACK_SECRET_ARN on the first call (a run with nothing due never reads it).
 */
export function createDigestSlackFromEnv(environment: FunctionEnvironment): DigestSlack {
  const slack = requireSlackCredentials(environment);
  let inner: Promise<DigestSlack> | undefined;
  const get = () => {
    inner ??= (async () =>
      createDigestSlack({
        token:
          'botToken' in slack
            ? slack.botToken
            : (await fetchSlackCredentials(new SecretsManagerClient({}), slack.secretArn)).botToken,
        ...(environment.slackApiUrl === undefined ? {} : { slackApiUrl: environment.slackApiUrl }),
      }))().catch((error: unknown) => {
      inner = undefined;
      throw error;
    });
    return inner;
  };
  return {
    postMessage: async (message) => (await get()).postMessage(message),
    findPostedMessage: async (query) => (await get()).findPostedMessage(query),
    timeZoneOf: async (user) => (await get()).timeZoneOf(user),
    openDirectMessage: async (user) => (await get()).openDirectMessage(user),
    uploadFile: async (file) => (await get()).uploadFile(file),
  };
}
