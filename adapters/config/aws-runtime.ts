import type { AwsCredentialIdentity } from '@smithy/types';
import { ConfigError } from '../../core/errors.ts';

/** Where and as whom the lightweight AWS clients (adapters/aws/signed-fetch.ts) call. */
export interface AwsRuntime {
  readonly region: string;
  readonly credentials: AwsCredentialIdentity;
}

type Environment = Readonly<Record<string, string | undefined>>;

/**
 * The region and credentials Lambda gives every function in its environment: AWS_REGION and
 * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN (the execution role's session, valid
 * for the execution environment's life). Local runs against AWS export the same variables
 * (`aws configure export-credentials --format env`). Throws ConfigError naming what is missing.
 */
export function awsRuntimeFromEnv(env: Environment = process.env): AwsRuntime {
  const region = (env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? '').trim();
  const accessKeyId = env.AWS_ACCESS_KEY_ID?.trim() ?? '';
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY?.trim() ?? '';
  const missing = [
    ...(region === '' ? ['AWS_REGION'] : []),
    ...(accessKeyId === '' ? ['AWS_ACCESS_KEY_ID'] : []),
    ...(secretAccessKey === '' ? ['AWS_SECRET_ACCESS_KEY'] : []),
  ];
  if (missing.length > 0) {
    throw new ConfigError(
      `${missing.join(', ')} not set: Lambda sets them for every function; for a local run against AWS, ` +
        'export them (aws configure export-credentials --format env), or set DYNAMODB_ENDPOINT for a local DynamoDB',
    );
  }
  const sessionToken = env.AWS_SESSION_TOKEN?.trim() ?? '';
  return Object.freeze({
    region,
    credentials: Object.freeze({
      accessKeyId,
      secretAccessKey,
      ...(sessionToken === '' ? {} : { sessionToken }),
    }),
  });
}
