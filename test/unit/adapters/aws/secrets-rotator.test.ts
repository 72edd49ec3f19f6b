import {
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  InternalServiceError,
  InvalidRequestException,
  PutSecretValueCommand,
  ResourceNotFoundException,
  RotateSecretCommand,
  SecretsManagerClient,
  SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SecretsManagerRotator } from '#adapters/aws/secrets-rotator.ts';
import { KubeguardError } from '#core/errors.ts';
import { loadAwsResponse } from '#test/support/aws-fixtures.ts';
import { ManualTimers } from '#test/support/fake-timers.ts';

const smMock = mockClient(SecretsManagerClient);
const NEW_VERSION = '5d1c4a0e-7b7f-4f0c-9a55-0c9d1e2f3a4b';
const SENTINEL = 'SENTINEL-do-not-leak-8c1f7e2a';

type Describe = Record<string, unknown> & { VersionIdsToStages: Record<string, string[]> };

function describeResponse(name: string, stages?: Record<string, string[]>): Describe {
  const response = loadAwsResponse<Describe>(`secretsmanager-${name}.json`);
  return stages === undefined ? response : { ...response, VersionIdsToStages: stages };
}

/** Errors the model does not declare (AccessDenied) reach callers as the service exception, by name. */
function accessDenied(message: string): SecretsManagerServiceException {
  return new SecretsManagerServiceException({
    name: 'AccessDeniedException',
    $fault: 'client',
    message,
    $metadata: { httpStatusCode: 400 },
  });
}

interface LogLine {
  message: string;
  attributes?: Record<string, unknown>;
}

function setup(options: { timeoutMs?: number } = {}) {
  const timers = new ManualTimers();
  const logs: LogLine[] = [];
  const rotator = new SecretsManagerRotator({
    client: new SecretsManagerClient({ region: 'us-west-2' }),
    timers,
    logger: { info: (message, attributes) => logs.push({ message, attributes }) },
    wait: options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs },
  });
  return { rotator, timers, logs };
}

async function rejection(promise: Promise<unknown>): Promise<KubeguardError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(KubeguardError);
  return error as KubeguardError;
}

/** Everything an error could carry to a log or a Slack reply, flattened to text. */
function everythingIn(error: KubeguardError): string {
  return [error.message, error.stack, JSON.stringify(error.details), String(error.cause)].join('\n');
}

beforeEach(() => smMock.reset());
afterEach(() => smMock.reset());

describe('SecretsManagerRotator.describe', () => {
  it('reads rotation, its function, version stages and tags from DescribeSecret', async () => {
    smMock.on(DescribeSecretCommand).resolves(describeResponse('describe-secret-rotating'));
    const secret = await setup().rotator.describe('MyTestSecret');
    expect(secret).toEqual({
      arn: 'arn:aws:secretsmanager:us-west-2:123456789012:secret:MyTestSecret-Ca8JGt',
      name: 'MyTestSecret',
      rotationEnabled: true,
      rotationLambdaArn: 'arn:aws:lambda:us-west-2:123456789012:function:MyTestRotationLambda',
      versionStages: {
        'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111': ['AWSPREVIOUS'],
        'a1b2c3d4-5678-90ab-cdef-EXAMPLE22222': ['AWSCURRENT'],
        'a1b2c3d4-5678-90ab-cdef-EXAMPLE33333': ['AWSPENDING'],
      },
      tags: { SecondTag: 'AnotherValue', FirstTag: 'SomeValue' },
    });
    expect(smMock.commandCalls(DescribeSecretCommand)[0]?.args[0].input).toEqual({
      SecretId: 'MyTestSecret',
    });
  });

  it('reads a never-configured secret (RotationEnabled absent) as not rotating', async () => {
    smMock.on(DescribeSecretCommand).resolves(describeResponse('describe-secret-never-rotated'));
    const secret = await setup().rotator.describe('prod/payments/api-key');
    expect(secret.rotationEnabled).toBe(false);
    expect(secret.rotationLambdaArn).toBeUndefined();
    expect(secret.tags).toEqual({ team: 'payments', env: 'prod' });
  });

  it('reads a cancelled rotation as not rotating although its old function is still reported', async () => {
    smMock.on(DescribeSecretCommand).resolves(describeResponse('describe-secret-rotation-cancelled'));
    const secret = await setup().rotator.describe('MyTestDatabaseSecret');
    expect(secret.rotationEnabled).toBe(false);
    expect(secret.rotationLambdaArn).toBe(
      'arn:aws:lambda:us-west-2:123456789012:function:MyTestRotationLambda',
    );
  });

  it('turns ResourceNotFoundException into NOT_FOUND naming the secret', async () => {
    smMock.on(DescribeSecretCommand).rejects(
      new ResourceNotFoundException({
        message: "Secrets Manager can't find the specified secret.",
        $metadata: { httpStatusCode: 400, requestId: 'req-1' },
      }),
    );
    const error = await rejection(setup().rotator.describe('prod/missing'));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toContain('"prod/missing"');
    expect(error.details).toMatchObject({ awsError: 'ResourceNotFoundException', requestId: 'req-1' });
  });

  it('turns AccessDeniedException into FORBIDDEN naming the IAM action to allow', async () => {
    smMock.on(DescribeSecretCommand).rejects(accessDenied('not authorized'));
    const error = await rejection(setup().rotator.describe('MyTestSecret'));
    expect(error.code).toBe('FORBIDDEN');
    expect(error.message).toContain('secretsmanager:DescribeSecret');
  });

  it('names the tag value and the configured rotation functions a denied RotateSecret needs', async () => {
    smMock.on(RotateSecretCommand).rejects(accessDenied('not authorized'));
    const error = await rejection(setup().rotator.startRotation('MyTestSecret', NEW_VERSION));
    expect(error.code).toBe('FORBIDDEN');
    expect(error.message).toContain(
      "kubeguard's worker role may call secretsmanager:RotateSecret only on secrets tagged kubeguard.io/rotation=rotate, " +
        'and start only the rotation functions listed in remediation.rotationFunctionArns (docs/configuration.md)',
    );
  });
});

describe('SecretsManagerRotator.startRotation', () => {
  it('calls RotateSecret with the stored configuration and the version id as ClientRequestToken', async () => {
    smMock.on(RotateSecretCommand).resolves(loadAwsResponse('secretsmanager-rotate-secret.json'));
    const { rotator, logs } = setup();
    const started = await rotator.startRotation(
      'MyTestDatabaseSecret',
      'EXAMPLE2-90ab-cdef-fedc-ba987SECRET2',
    );
    expect(started).toEqual({ versionId: 'EXAMPLE2-90ab-cdef-fedc-ba987SECRET2' });
    expect(smMock.commandCalls(RotateSecretCommand)[0]?.args[0].input).toEqual({
      SecretId: 'MyTestDatabaseSecret',
      ClientRequestToken: 'EXAMPLE2-90ab-cdef-fedc-ba987SECRET2',
    });
    expect(logs).toEqual([
      {
        message: 'secret rotation started',
        attributes: { secretId: 'MyTestDatabaseSecret', versionId: 'EXAMPLE2-90ab-cdef-fedc-ba987SECRET2' },
      },
    ]);
  });

  it('turns "a previous rotation isn\'t complete" into CONFLICT that says how to clear a stuck rotation', async () => {
    smMock.on(RotateSecretCommand).rejects(
      new InvalidRequestException({
        message: "A previous rotation isn't complete. That rotation will be reattempted.",
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const error = await rejection(setup().rotator.startRotation('MyTestSecret', NEW_VERSION));
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toContain('already in progress');
    expect(error.message).toContain('update-secret-version-stage --version-stage AWSPENDING');
  });

  it('recognizes a secret scheduled for deletion and says so in its own words', async () => {
    smMock.on(RotateSecretCommand).rejects(
      new InvalidRequestException({
        message: "You can't perform this operation on the secret because it was marked for deletion.",
        $metadata: { httpStatusCode: 400, requestId: 'c9a6f1de-2f4e-4c1b-9d07-5b1a2e3f4a5b' },
      }),
    );
    const error = await rejection(setup().rotator.startRotation('MyTestSecret', NEW_VERSION));
    expect(error).toMatchObject({
      code: 'PRECONDITION_FAILED',
      message:
        'RotateSecret on secret "MyTestSecret" failed: InvalidRequestException (client fault, HTTP 400, request id c9a6f1de-2f4e-4c1b-9d07-5b1a2e3f4a5b). ' +
        'The secret is scheduled for deletion: restore it (aws secretsmanager restore-secret) before rotating it.',
      details: {
        awsError: 'InvalidRequestException',
        fault: 'client',
        requestId: 'c9a6f1de-2f4e-4c1b-9d07-5b1a2e3f4a5b',
      },
    });
  });

  it('does not repeat the message of any other refused write, and points to CloudTrail', async () => {
    smMock.on(RotateSecretCommand).rejects(
      new InvalidRequestException({
        message: 'Rotation is not configured for this secret type.',
        $metadata: { httpStatusCode: 400, requestId: 'c9a6f1de-2f4e-4c1b-9d07-5b1a2e3f4a5c' },
      }),
    );
    const error = await rejection(setup().rotator.startRotation('MyTestSecret', NEW_VERSION));
    expect(error.code).toBe('PRECONDITION_FAILED');
    expect(error.message).not.toContain('not configured for this secret type');
    expect(error.message).toContain('look the request id up in CloudTrail');
  });

  it('turns a service fault into UPSTREAM', async () => {
    smMock
      .on(RotateSecretCommand)
      .rejects(new InternalServiceError({ message: 'An error occurred on the server side.', $metadata: {} }));
    expect((await rejection(setup().rotator.startRotation('MyTestSecret', NEW_VERSION))).code).toBe(
      'UPSTREAM',
    );
  });
});

describe('SecretsManagerRotator.putGeneratedValue', () => {
  it('stores a GetRandomPassword value under the version id and returns only the id', async () => {
    smMock.on(GetRandomPasswordCommand).resolves({ RandomPassword: SENTINEL, $metadata: {} });
    smMock.on(PutSecretValueCommand).resolves({
      ARN: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/payments/api-key-Xy12Ab',
      Name: 'prod/payments/api-key',
      VersionId: NEW_VERSION,
      VersionStages: ['AWSCURRENT'],
      $metadata: {},
    });
    const { rotator, logs } = setup();
    const result = await rotator.putGeneratedValue('prod/payments/api-key', NEW_VERSION);
    expect(result).toEqual({ versionId: NEW_VERSION });
    expect(smMock.commandCalls(GetRandomPasswordCommand)[0]?.args[0].input).toEqual({
      PasswordLength: 32,
      ExcludePunctuation: true,
      RequireEachIncludedType: true,
    });
    expect(smMock.commandCalls(PutSecretValueCommand)[0]?.args[0].input).toEqual({
      SecretId: 'prod/payments/api-key',
      ClientRequestToken: NEW_VERSION,
      SecretString: SENTINEL,
    });
    expect(JSON.stringify({ result, logs })).not.toContain(SENTINEL);
  });

  it('keeps the generated value out of the error when PutSecretValue fails', async () => {
    smMock.on(GetRandomPasswordCommand).resolves({ RandomPassword: SENTINEL, $metadata: {} });
    smMock.on(PutSecretValueCommand).rejects(accessDenied('not authorized to perform PutSecretValue'));
    const { rotator, logs } = setup();
    const error = await rejection(rotator.putGeneratedValue('prod/payments/api-key', NEW_VERSION));
    expect(error.code).toBe('FORBIDDEN');
    expect(error.message).toContain('secretsmanager:PutSecretValue');
    expect(error.cause).toBeUndefined();
    expect(everythingIn(error)).not.toContain(SENTINEL);
    expect(JSON.stringify(logs)).not.toContain(SENTINEL);
  });

  it.each([
    ['the value', SENTINEL],
    ['its first 12 characters', SENTINEL.slice(0, 12)],
    ['its base64', Buffer.from(SENTINEL).toString('base64')],
  ])('never repeats the SDK message of a failed PutSecretValue, which may echo %s', async (_what, echo) => {
    smMock.on(GetRandomPasswordCommand).resolves({ RandomPassword: SENTINEL, $metadata: {} });
    smMock.on(PutSecretValueCommand).callsFake(() => {
      throw Object.assign(new Error(`could not serialize request {"SecretString":"${echo}…"}`), {
        name: 'SerializationException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400, requestId: '3f0b2c4d-5e6f-4a1b-8c9d-0e1f2a3b4c5d' },
      });
    });
    const { rotator, logs } = setup();
    const error = await rejection(rotator.putGeneratedValue('prod/payments/api-key', NEW_VERSION));
    expect(error).toMatchObject({
      code: 'UPSTREAM',
      message:
        'PutSecretValue on secret "prod/payments/api-key" failed: SerializationException (client fault, HTTP 400, request id 3f0b2c4d-5e6f-4a1b-8c9d-0e1f2a3b4c5d). ' +
        'Retry the action; if it keeps failing, check the secret in the AWS console.',
    });
    expect(everythingIn(error)).not.toContain(echo);
    expect(JSON.stringify(logs)).not.toContain(echo);
  });

  it('refuses to store an empty generated value', async () => {
    smMock.on(GetRandomPasswordCommand).resolves({ $metadata: {} });
    const error = await rejection(setup().rotator.putGeneratedValue('prod/payments/api-key', NEW_VERSION));
    expect(error.code).toBe('UPSTREAM');
    expect(smMock.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });
});

describe('SecretsManagerRotator.waitUntilCurrent', () => {
  const previous = 'a1b2c3d4-5678-90ab-cdef-EXAMPLE22222';

  it('polls DescribeSecret with a doubling delay until the new version is AWSCURRENT', async () => {
    smMock
      .on(DescribeSecretCommand)
      .resolvesOnce(describeResponse('describe-secret-rotating', { [previous]: ['AWSCURRENT'] }))
      .resolvesOnce(
        describeResponse('describe-secret-rotating', {
          [previous]: ['AWSCURRENT'],
          [NEW_VERSION]: ['AWSPENDING'],
        }),
      )
      .resolves(
        describeResponse('describe-secret-rotating', {
          [previous]: ['AWSPREVIOUS'],
          [NEW_VERSION]: ['AWSCURRENT'],
        }),
      );
    const { rotator, timers } = setup();
    const secret = await rotator.waitUntilCurrent('MyTestSecret', NEW_VERSION);
    expect(secret.versionStages[NEW_VERSION]).toEqual(['AWSCURRENT']);
    expect(timers.sleeps).toEqual([1000, 2000]);
  });

  it('gives up at the timeout with the stages it saw and says a retry will not rotate twice', async () => {
    smMock.on(DescribeSecretCommand).resolves(
      describeResponse('describe-secret-rotating', {
        [previous]: ['AWSCURRENT'],
        [NEW_VERSION]: ['AWSPENDING'],
      }),
    );
    const { rotator, timers } = setup({ timeoutMs: 60_000 });
    const error = await rejection(rotator.waitUntilCurrent('MyTestSecret', NEW_VERSION));
    expect(error.code).toBe('UPSTREAM');
    expect(error.message).toContain(`version ${NEW_VERSION} is AWSPENDING`);
    expect(error.message).toContain(`AWSCURRENT is still ${previous}`);
    expect(error.message).toContain('MyTestRotationLambda');
    expect(error.message).toContain('does not rotate twice');
    expect(timers.sleeps).toEqual([1000, 2000, 4000, 8000, 15000, 15000, 15000]);
    expect(timers.sleeps.reduce((sum, ms) => sum + ms, 0)).toBeLessThanOrEqual(60_000);
  });
});
