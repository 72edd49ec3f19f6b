import { describe, expect, it } from 'vitest';
import { readFunctionEnvironment, requireSlackCredentials } from '../../../../adapters/config/env.ts';
import { ConfigError } from '../../../../core/errors.ts';

const CONFIG = JSON.stringify({
  clusters: [{ name: 'prod-cluster', region: 'us-east-1' }],
  slack: { defaultChannel: 'C0ALERTS' },
});
const TOKEN = 'xoxb-1111-2222-secretvalue';

function configErrorOf(env: Record<string, string | undefined>): ConfigError {
  try {
    readFunctionEnvironment(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('function environment', () => {
  it('reads the validated config, the bot token and the optional API URL', () => {
    const environment = readFunctionEnvironment({
      KUBEGUARD_CONFIG: CONFIG,
      SLACK_BOT_TOKEN: TOKEN,
      SLACK_API_URL: 'http://127.0.0.1:3000/api',
    });
    expect(environment.config.clusters[0]).toEqual({
      name: 'prod-cluster',
      region: 'us-east-1',
      auditLogGroup: '/aws/eks/prod-cluster/cluster',
    });
    expect(environment.slack).toEqual({ botToken: TOKEN });
    expect(environment.slackApiUrl).toBe('http://127.0.0.1:3000/api/');
  });

  it('is frozen, config included', () => {
    const environment = readFunctionEnvironment({ KUBEGUARD_CONFIG: CONFIG, SLACK_BOT_TOKEN: TOKEN });
    expect(Object.isFrozen(environment)).toBe(true);
    expect(Object.isFrozen(environment.config.slack)).toBe(true);
    expect(environment.slackApiUrl).toBeUndefined();
  });

  it('says when KUBEGUARD_CONFIG is missing', () => {
    expect(configErrorOf({ SLACK_BOT_TOKEN: TOKEN }).message).toContain('KUBEGUARD_CONFIG is not set');
  });

  it('says when KUBEGUARD_CONFIG is not JSON, quoting the start of the value', () => {
    const error = configErrorOf({ KUBEGUARD_CONFIG: "{clusters: ['x']}", SLACK_BOT_TOKEN: TOKEN });
    expect(error.message).toContain('KUBEGUARD_CONFIG is not valid JSON');
    expect(error.message).toContain("{clusters: ['x']}");
  });

  it('names the invalid config field', () => {
    const invalid = JSON.stringify({
      clusters: [{ name: 'prod', region: 'mars' }],
      slack: { defaultChannel: 'C0A' },
    });
    const error = configErrorOf({ KUBEGUARD_CONFIG: invalid, SLACK_BOT_TOKEN: TOKEN });
    expect(error.message).toContain('invalid KUBEGUARD_CONFIG: clusters.0.region');
  });

  it('has no Slack credentials without a token or a secret (ingest needs none), and never echoes a token', () => {
    const withoutSlack = readFunctionEnvironment({ KUBEGUARD_CONFIG: CONFIG });
    expect(withoutSlack.slack).toBeUndefined();
    expect(() => requireSlackCredentials(withoutSlack)).toThrow(
      'SLACK_BOT_TOKEN is not set (nor SLACK_SECRET_ARN); set it to the Slack app’s bot token (xoxb-…)',
    );
    const error = configErrorOf({ KUBEGUARD_CONFIG: CONFIG, SLACK_BOT_TOKEN: `${TOKEN} extra` });
    expect(error.message).toContain('SLACK_BOT_TOKEN contains whitespace');
    expect(error.message).not.toContain('secretvalue');
  });

  it('takes the Slack credentials from the secret named by SLACK_SECRET_ARN when no token is given', () => {
    const arn = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:kubeguard-slack-AbCdEf';
    expect(readFunctionEnvironment({ KUBEGUARD_CONFIG: CONFIG, SLACK_SECRET_ARN: arn }).slack).toEqual({
      secretArn: arn,
    });
    expect(
      configErrorOf({ KUBEGUARD_CONFIG: CONFIG, SLACK_SECRET_ARN: 'kubeguard-slack' }).message,
    ).toContain('SLACK_SECRET_ARN is not a Secrets Manager secret ARN');
  });

  it('reads the table name the CDK app passes', () => {
    const environment = readFunctionEnvironment({
      KUBEGUARD_CONFIG: CONFIG,
      SLACK_BOT_TOKEN: TOKEN,
      KUBEGUARD_TABLE_NAME: 'kg',
    });
    expect(environment.tableName).toBe('kg');
  });

  it('rejects an API URL that is not http(s)', () => {
    const bad = configErrorOf({
      KUBEGUARD_CONFIG: CONFIG,
      SLACK_BOT_TOKEN: TOKEN,
      SLACK_API_URL: 'ftp://x/',
    });
    expect(bad.message).toContain('SLACK_API_URL must be http(s)');
    const garbage = configErrorOf({
      KUBEGUARD_CONFIG: CONFIG,
      SLACK_BOT_TOKEN: TOKEN,
      SLACK_API_URL: 'not a url',
    });
    expect(garbage.message).toContain('SLACK_API_URL is not a URL');
  });
});
