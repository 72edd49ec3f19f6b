import { ConfigError } from '../../core/errors.ts';
import { GetSecretValueCommand, type SecretsManagerClient } from './secrets-manager-lite.ts';

export interface SlackCredentials {
  botToken: string;
  signingSecret?: string;
}

/**
 * Reads the Slack app credentials from the secret the CDK app creates (JSON
 * `{"botToken": "xoxb-…", "signingSecret": "…"}`). Errors describe what is wrong and never echo
 * the secret's content.
 */
export async function fetchSlackCredentials(
  client: SecretsManagerClient,
  secretArn: string,
): Promise<SlackCredentials> {
  let text: string | undefined;
  try {
    text = (await client.send(new GetSecretValueCommand({ SecretId: secretArn }))).SecretString;
  } catch (error) {
    throw new ConfigError(`cannot read the Slack secret ${secretArn}: ${(error as Error).name}`, {
      cause: error,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text ?? '');
  } catch {
    throw new ConfigError(
      `the Slack secret ${secretArn} is not JSON; store {"botToken": "xoxb-…", "signingSecret": "…"} (docs/deploy.md)`,
    );
  }
  const botToken = (parsed as { botToken?: unknown }).botToken;
  if (typeof botToken !== 'string' || !botToken.startsWith('xox')) {
    throw new ConfigError(`the Slack secret ${secretArn} has no botToken (xoxb-…); see docs/deploy.md`);
  }
  const signingSecret = (parsed as { signingSecret?: unknown }).signingSecret;
  return { botToken, ...(typeof signingSecret === 'string' ? { signingSecret } : {}) };
}
