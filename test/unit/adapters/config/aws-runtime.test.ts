import { describe, expect, it } from 'vitest';
import { awsRuntimeFromEnv } from '../../../../adapters/config/aws-runtime.ts';

describe('the AWS runtime from the environment Lambda sets', () => {
  it('reads the region and the execution role session', () => {
    expect(
      awsRuntimeFromEnv({
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'secret',
        AWS_SESSION_TOKEN: 'session',
      }),
    ).toEqual({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session' },
    });
  });

  it('takes AWS_DEFAULT_REGION and long-term keys without a session token', () => {
    expect(
      awsRuntimeFromEnv({
        AWS_DEFAULT_REGION: 'us-east-2',
        AWS_ACCESS_KEY_ID: 'AKIA',
        AWS_SECRET_ACCESS_KEY: 's',
      }),
    ).toEqual({ region: 'us-east-2', credentials: { accessKeyId: 'AKIA', secretAccessKey: 's' } });
  });

  it('names every missing variable and how to set it, never a secret value', () => {
    expect(() => awsRuntimeFromEnv({ AWS_SECRET_ACCESS_KEY: 'do-not-echo' })).toThrow(
      'AWS_REGION, AWS_ACCESS_KEY_ID not set: Lambda sets them for every function; for a local run against AWS, export them (aws configure export-credentials --format env), or set DYNAMODB_ENDPOINT for a local DynamoDB',
    );
  });
});
