import { ConfigError } from '../../core/errors.ts';
import { GetSecretValueCommand, type SecretsManagerClient } from './secrets-manager-lite.ts';

/**
 * Reads the Slack signing secret from its own Secrets Manager secret (only the ingress function may
 * read it): the plain string from the app's Basic Information page. A JSON object with a
 * `signingSecret` field is accepted too. Errors describe what is wrong and never echo the content.
 */
export async function fetchSigningSecret(client: SecretsManagerClient, secretArn: string): Promise<string> {
  let text: string | undefined;
  try {
    text = (await client.send(new GetSecretValueCommand({ SecretId: secretArn }))).SecretString;
  } catch (error) {
    throw new ConfigError(`cannot read the Slack signing secret ${secretArn}: ${(error as Error).name}`, {
      cause: error,
    });
  }
  let value = text?.trim() ?? '';
  if (value.startsWith('{')) {
    try {
      const field = (JSON.parse(value) as { signingSecret?: unknown }).signingSecret;
      value = typeof field === 'string' ? field.trim() : '';
    } catch {
      value = '';
    }
  }
  if (value === '' || /\s/.test(value)) {
    throw new ConfigError(
      `the Slack signing secret ${secretArn} is empty or not a single string; store the signing secret itself (docs/deploy.md)`,
    );
  }
  return value;
}
