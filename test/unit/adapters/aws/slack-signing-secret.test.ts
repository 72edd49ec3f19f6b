import { describe, expect, it } from 'vitest';
import type { SecretsManagerClient } from '../../../../adapters/aws/secrets-manager-lite.ts';
import { fetchSigningSecret } from '../../../../adapters/aws/slack-signing-secret.ts';

const ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:kubeguard/slack-signing-AbCdEf';

function client(secretString: string | undefined, failure?: Error): SecretsManagerClient {
  return {
    send: async () => {
      if (failure !== undefined) throw failure;
      return { SecretString: secretString, $metadata: {} };
    },
  } as unknown as SecretsManagerClient;
}

describe('the Slack signing secret', () => {
  it('is the plain string stored, trimmed', async () => {
    expect(await fetchSigningSecret(client(' 8f742231b10e8888abcd99yyyzzz85a5\n'), ARN)).toBe(
      '8f742231b10e8888abcd99yyyzzz85a5',
    );
  });

  it('may be stored as {"signingSecret": …}', async () => {
    expect(
      await fetchSigningSecret(client('{"signingSecret":"8f742231b10e8888abcd99yyyzzz85a5"}'), ARN),
    ).toBe('8f742231b10e8888abcd99yyyzzz85a5');
  });

  it('refuses the placeholder the stack creates, without echoing it', async () => {
    const placeholder = '{"replaceWith":"the Slack signing secret (docs/deploy.md)","placeholder":"Zx8#q2"}';

    const refusal = fetchSigningSecret(client(placeholder), ARN);

    await expect(refusal).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      message: `the Slack signing secret ${ARN} is empty or not a single string; store the signing secret itself (docs/deploy.md)`,
    });
    await expect(refusal).rejects.not.toMatchObject({ message: expect.stringContaining('Zx8#q2') });
  });

  it('names the failure of the read by its kind only', async () => {
    const denied = Object.assign(
      new Error('User: arn:aws:sts::111122223333:assumed-role/x is not authorized'),
      {
        name: 'AccessDeniedException',
      },
    );

    await expect(fetchSigningSecret(client(undefined, denied), ARN)).rejects.toMatchObject({
      message: `cannot read the Slack signing secret ${ARN}: AccessDeniedException`,
    });
  });
});
