import { describe, expect, it } from 'vitest';
import { readBotEnvironment, requireSigningSecret } from '../../../../adapters/config/bot-env.ts';

const BASE = {
  KUBEGUARD_CONFIG: JSON.stringify({
    clusters: [{ name: 'prod-cluster', region: 'us-east-1' }],
    slack: { defaultChannel: 'C0ALERTS' },
  }),
};

describe('the bot’s environment', () => {
  it('reads the signing secret, the action queue, the app token and the port', () => {
    const environment = readBotEnvironment({
      ...BASE,
      SLACK_SIGNING_SECRET: ' 8f742231b10e8888abcd99yyyzzz85a5 ',
      KUBEGUARD_ACTION_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/111122223333/kubeguard-actions',
      SLACK_APP_TOKEN: 'xapp-1-A111-111-abc',
      KUBEGUARD_BOT_PORT: '3100',
    });

    expect(environment.signingSecret).toEqual({ value: '8f742231b10e8888abcd99yyyzzz85a5' });
    expect(environment.actionQueueUrl).toBe(
      'https://sqs.us-east-1.amazonaws.com/111122223333/kubeguard-actions',
    );
    expect(environment.appToken).toBe('xapp-1-A111-111-abc');
    expect(environment.port).toBe(3100);
    expect(environment.base.config.clusters[0]?.name).toBe('prod-cluster');
  });

  it('takes the signing secret’s ARN in AWS and defaults the port to 3000', () => {
    const arn = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:kubeguard/slack-signing-AbCdEf';

    const environment = readBotEnvironment({ ...BASE, SLACK_SIGNING_SECRET_ARN: arn });

    expect(requireSigningSecret(environment)).toEqual({ secretArn: arn });
    expect(environment.port).toBe(3000);
  });

  it.each([
    [
      { SLACK_SIGNING_SECRET: 'two words' },
      'SLACK_SIGNING_SECRET contains whitespace; set it to the signing secret alone',
    ],
    [
      { SLACK_SIGNING_SECRET_ARN: 'kubeguard/slack' },
      'SLACK_SIGNING_SECRET_ARN is not a Secrets Manager secret ARN; received "kubeguard/slack"',
    ],
    [{ SLACK_APP_TOKEN: 'xoxb-1' }, 'SLACK_APP_TOKEN is not an app-level token'],
    [{ KUBEGUARD_BOT_PORT: 'http' }, 'KUBEGUARD_BOT_PORT must be a port number (0–65535); received "http"'],
  ])('refuses %j with a message that never echoes a secret', (env, message) => {
    expect(() => readBotEnvironment({ ...BASE, ...env })).toThrow(message);
  });

  it('says what to set when there is no signing secret', () => {
    expect(() => requireSigningSecret(readBotEnvironment(BASE))).toThrow(
      'SLACK_SIGNING_SECRET is not set (nor SLACK_SIGNING_SECRET_ARN)',
    );
  });
});
