import {
  DescribeSecretCommand,
  type DescribeSecretCommandOutput,
  GetRandomPasswordCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { Timers } from '#core/delivery/retry.ts';
import { type ErrorCode, KubeguardError } from '#core/errors.ts';
import type { SecretDescription, SecretRotator } from '#core/remediation/secret-ports.ts';

/**
 * SecretRotator on the AWS SDK v3 Secrets Manager client (passed in, built once per cold start).
 *
 * Secret values: RotateSecret carries none (the rotation function makes the value). The generated
 * value for tagged secrets exists only between GetRandomPassword and PutSecretValue inside
 * `putGeneratedValue`; no request or response object is ever logged, and errors are rebuilt from
 * the SDK error's name, fault, HTTP status and request id only — never passed on as a `cause`. The
 * SDK's message of a failed write is never repeated either: a layer below may echo the request, and
 * cutting the value out of it would miss a truncated or re-encoded copy. The message is read only to
 * tell known refusals apart (a rotation in progress, a secret scheduled for deletion), and the
 * request id leads to the full record in CloudTrail.
 *
 * IAM: secretsmanager:DescribeSecret, secretsmanager:RotateSecret (+ lambda:InvokeFunction on the
 * rotation function), and for tagged secrets secretsmanager:GetRandomPassword and
 * secretsmanager:PutSecretValue.
 */

/** What the adapter logs: identifiers and version ids only. */
export interface RotatorLogger {
  info(message: string, attributes?: Record<string, unknown>): void;
}

export interface WaitPolicy {
  /** @default 1000 */
  initialDelayMs: number;
  /** @default 15000 */
  maxDelayMs: number;
  /**
   * How long to wait for the new version to become AWSCURRENT. Rotation functions for databases
   * commonly take tens of seconds; the worker Lambda's own timeout must leave room for it.
   * @default 300000 (5 minutes)
   */
  timeoutMs: number;
}

export const DEFAULT_WAIT_POLICY: WaitPolicy = {
  initialDelayMs: 1000,
  maxDelayMs: 15_000,
  timeoutMs: 300_000,
};

export interface GeneratedValuePolicy {
  /** @default 32 */
  length: number;
  /**
   * Punctuation is left out by default: generated values land in environment variables, URLs and
   * shell scripts, where quotes and `$` break things.
   * @default true
   */
  excludePunctuation: boolean;
}

export const DEFAULT_GENERATED_VALUE_POLICY: GeneratedValuePolicy = { length: 32, excludePunctuation: true };

export interface SecretsManagerRotatorOptions {
  client: SecretsManagerClient;
  timers: Timers;
  wait?: Partial<WaitPolicy>;
  generatedValue?: Partial<GeneratedValuePolicy>;
  logger?: RotatorLogger;
}

const ROTATION_IN_PROGRESS = /previous rotation|rotation (is )?(already )?in progress|isn't complete/i;
const SCHEDULED_FOR_DELETION = /marked for deletion|scheduled for deletion/i;

export class SecretsManagerRotator implements SecretRotator {
  readonly #client: SecretsManagerClient;
  readonly #timers: Timers;
  readonly #wait: WaitPolicy;
  readonly #generated: GeneratedValuePolicy;
  readonly #logger: RotatorLogger | undefined;

  constructor(options: SecretsManagerRotatorOptions) {
    this.#client = options.client;
    this.#timers = options.timers;
    this.#wait = { ...DEFAULT_WAIT_POLICY, ...options.wait };
    this.#generated = { ...DEFAULT_GENERATED_VALUE_POLICY, ...options.generatedValue };
    this.#logger = options.logger;
  }

  async describe(secretId: string): Promise<SecretDescription> {
    try {
      const output = await this.#client.send(new DescribeSecretCommand({ SecretId: secretId }));
      return descriptionOf(output, secretId);
    } catch (error) {
      throw sdkError(error, 'DescribeSecret', secretId);
    }
  }

  async startRotation(secretId: string, versionId: string): Promise<{ versionId: string }> {
    try {
      const output = await this.#client.send(
        new RotateSecretCommand({ SecretId: secretId, ClientRequestToken: versionId }),
      );
      const started = output.VersionId ?? versionId;
      this.#logger?.info('secret rotation started', { secretId, versionId: started });
      return { versionId: started };
    } catch (error) {
      throw sdkError(error, 'RotateSecret', secretId);
    }
  }

  async putGeneratedValue(secretId: string, versionId: string): Promise<{ versionId: string }> {
    let generated: string | undefined;
    try {
      const password = await this.#client.send(
        new GetRandomPasswordCommand({
          PasswordLength: this.#generated.length,
          ExcludePunctuation: this.#generated.excludePunctuation,
          RequireEachIncludedType: true,
        }),
      );
      generated = password.RandomPassword;
    } catch (error) {
      throw sdkError(error, 'GetRandomPassword', secretId);
    }
    if (generated === undefined || generated === '') {
      throw new KubeguardError('UPSTREAM', `GetRandomPassword returned no value for secret "${secretId}"`, {
        details: { secretId, operation: 'GetRandomPassword' },
      });
    }
    try {
      const output = await this.#client.send(
        new PutSecretValueCommand({
          SecretId: secretId,
          ClientRequestToken: versionId,
          SecretString: generated,
        }),
      );
      const stored = output.VersionId ?? versionId;
      this.#logger?.info('generated secret value stored', { secretId, versionId: stored });
      return { versionId: stored };
    } catch (error) {
      throw sdkError(error, 'PutSecretValue', secretId);
    }
  }

  async waitUntilCurrent(secretId: string, versionId: string): Promise<SecretDescription> {
    const startedAt = this.#timers.nowMs();
    let delay = this.#wait.initialDelayMs;
    for (;;) {
      const secret = await this.describe(secretId);
      if (secret.versionStages[versionId]?.includes('AWSCURRENT')) return secret;
      const waited = this.#timers.nowMs() - startedAt;
      if (waited + delay > this.#wait.timeoutMs) throw waitTimedOut(secret, versionId, waited);
      this.#logger?.info('waiting for rotated secret version', { secretId, versionId, waitedMs: waited });
      await this.#timers.sleep(delay);
      delay = Math.min(delay * 2, this.#wait.maxDelayMs);
    }
  }
}

function descriptionOf(output: DescribeSecretCommandOutput, secretId: string): SecretDescription {
  if (output.ARN === undefined || output.Name === undefined) {
    throw new KubeguardError('UPSTREAM', `DescribeSecret for "${secretId}" returned no ARN or Name`, {
      details: { secretId, operation: 'DescribeSecret' },
    });
  }
  const description: SecretDescription = {
    arn: output.ARN,
    name: output.Name,
    rotationEnabled: output.RotationEnabled === true,
    versionStages: output.VersionIdsToStages ?? {},
    tags: Object.fromEntries(
      (output.Tags ?? []).flatMap((tag) => (tag.Key === undefined ? [] : [[tag.Key, tag.Value ?? '']])),
    ),
  };
  if (output.RotationLambdaARN !== undefined) description.rotationLambdaArn = output.RotationLambdaARN;
  if (output.OwningService !== undefined) description.owningService = output.OwningService;
  return description;
}

function waitTimedOut(secret: SecretDescription, versionId: string, waitedMs: number): KubeguardError {
  const current = Object.entries(secret.versionStages).find(([, stages]) =>
    stages.includes('AWSCURRENT'),
  )?.[0];
  const stages = secret.versionStages[versionId];
  const state =
    stages === undefined
      ? `version ${versionId} does not exist yet (the rotation function has not run createSecret)`
      : `version ${versionId} is ${stages.join(', ') || 'unlabelled'}`;
  const lambda = secret.rotationLambdaArn === undefined ? '' : ` (${secret.rotationLambdaArn})`;
  return new KubeguardError(
    'UPSTREAM',
    `rotation of secret "${secret.name}" did not finish within ${Math.round(waitedMs / 1000)} s: ${state}; ` +
      `AWSCURRENT is still ${current ?? 'on no version'}. Check the rotation function's logs${lambda}; ` +
      'running the action again keeps waiting for the same version and does not rotate twice.',
    { details: { secretId: secret.arn, versionId, currentVersionId: current, waitedMs } },
  );
}

/** Calls whose request carries, or whose response returns, a secret value (or makes one). */
const WRITES = new Set(['GetRandomPassword', 'PutSecretValue', 'RotateSecret']);

/**
 * The SDK error's identity, never the error object itself (see the file comment). A failed read
 * (DescribeSecret, whose request is the secret id alone) keeps the AWS message; a failed write is
 * described by its name, fault, HTTP status and request id only.
 */
function sdkError(error: unknown, operation: string, secretId: string): KubeguardError {
  if (error instanceof KubeguardError) return error;
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  const metadata = (error as { $metadata?: { httpStatusCode?: number; requestId?: string } }).$metadata;
  const fault = (error as { $fault?: string }).$fault;
  const details = {
    secretId,
    operation,
    awsError: name,
    fault,
    httpStatus: metadata?.httpStatusCode,
    requestId: metadata?.requestId,
  };
  const [code, advice] = classify(name, message, operation, fault);
  const what = WRITES.has(operation)
    ? `${name} (${fault ?? 'unknown'} fault, HTTP ${metadata?.httpStatusCode ?? 'status unknown'}, request id ${metadata?.requestId ?? 'none'})`
    : `${name}: ${message}`;
  return new KubeguardError(code, `${operation} on secret "${secretId}" failed: ${what}. ${advice}`, {
    details,
  });
}

/** What infra/constructs/remediation-access.ts lets the worker do, per operation. */
function accessHint(operation: string): string {
  const role = "kubeguard's worker role may call";
  if (operation === 'RotateSecret') {
    return (
      `${role} secretsmanager:RotateSecret only on secrets tagged kubeguard.io/rotation=rotate, and start only the ` +
      'rotation functions listed in remediation.rotationFunctionArns (docs/configuration.md)'
    );
  }
  if (operation === 'PutSecretValue') {
    return `${role} secretsmanager:PutSecretValue only on secrets tagged kubeguard.io/rotation=generate (docs/deploy.md)`;
  }
  return (
    `${role} secretsmanager:${operation} only on secrets tagged kubeguard.io/rotation=rotate or =generate: ` +
    'tag this secret to opt it in (docs/deploy.md)'
  );
}

function classify(
  name: string,
  message: string,
  operation: string,
  fault: string | undefined,
): [ErrorCode, string] {
  if (name === 'ResourceNotFoundException') {
    return ['NOT_FOUND', 'Check the secret name or ARN and the region kubeguard runs in.'];
  }
  if (name === 'AccessDeniedException' || name === 'AccessDenied') {
    return ['FORBIDDEN', `${accessHint(operation)}, or grant the permission another way.`];
  }
  if (name === 'InvalidRequestException' && ROTATION_IN_PROGRESS.test(message)) {
    return [
      'CONFLICT',
      'A rotation of this secret is already in progress (a version still carries AWSPENDING). Wait for it ' +
        'to finish; if it failed, fix the rotation function and remove the AWSPENDING label ' +
        '(aws secretsmanager update-secret-version-stage --version-stage AWSPENDING ' +
        '--remove-from-version-id <id>) before rotating again.',
    ];
  }
  if (name === 'ResourceExistsException') {
    return ['CONFLICT', 'This version id is already used by another value; start a new rotation action.'];
  }
  if (name === 'ThrottlingException' || name === 'TooManyRequestsException') {
    return ['RATE_LIMITED', 'Secrets Manager throttled the call; retry the action shortly.'];
  }
  if (name === 'InvalidRequestException' && SCHEDULED_FOR_DELETION.test(message)) {
    return [
      'PRECONDITION_FAILED',
      'The secret is scheduled for deletion: restore it (aws secretsmanager restore-secret) before rotating it.',
    ];
  }
  if (name === 'InvalidRequestException' || name === 'InvalidParameterException') {
    return [
      'PRECONDITION_FAILED',
      WRITES.has(operation)
        ? "Secrets Manager refused the request in the secret's current state; its message is not repeated (it may echo the request): look the request id up in CloudTrail."
        : "Secrets Manager refused the request in the secret's current state.",
    ];
  }
  if (fault === 'server') return ['UPSTREAM', 'Secrets Manager failed; retry the action.'];
  return ['UPSTREAM', 'Retry the action; if it keeps failing, check the secret in the AWS console.'];
}
