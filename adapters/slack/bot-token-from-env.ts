import { SecretsManagerClient } from '../aws/secrets-manager-lite.ts';
import { fetchSlackCredentials } from '../aws/slack-credentials.ts';
import { type FunctionEnvironment, requireSlackCredentials } from '../config/env.ts';

/** The bot token: SLACK_BOT_TOKEN as given (local runs), or read from the secret SLACK_SECRET_ARN. */
export async function botTokenFromEnv(
  environment: FunctionEnvironment,
  client: SecretsManagerClient = new SecretsManagerClient({}),
): Promise<string> {
  const slack = requireSlackCredentials(environment);
  if ('botToken' in slack) return slack.botToken;
  return (await fetchSlackCredentials(client, slack.secretArn)).botToken;
}
