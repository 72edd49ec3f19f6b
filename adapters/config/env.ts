import { type KubeguardConfig, parseConfig } from '../../core/config/schema.ts';
import { ConfigError } from '../../core/errors.ts';

/**
 * Everything a function reads from its environment, validated and frozen. This module is the only
 * place functions read process.env.
 */
export interface FunctionEnvironment {
  /** KUBEGUARD_CONFIG: kubeguard.config.json as JSON, passed in by the CDK app. */
  readonly config: KubeguardConfig;
  /**
   * The bot token (xoxb-…), from SLACK_BOT_TOKEN (local runs), or where to fetch it: SLACK_SECRET_ARN,
   * the Secrets Manager secret `{"botToken", "signingSecret"}` the CDK app creates. Never log it.
   * Absent for the ingest functions, which never talk to Slack (the Slack messenger then refuses).
   */
  readonly slack?: { botToken: string } | { secretArn: string };
  /**
   * SLACK_API_URL: Web API base URL ending in `/` (the sandbox and tests point it at a local double).
   * @default undefined — @slack/web-api uses https://slack.com/api/
   */
  readonly slackApiUrl?: string;
  /** KUBEGUARD_TABLE_NAME: the DynamoDB table (findings, occurrences, counters), set by the CDK app. */
  readonly tableName?: string;
  /**
   * KUBEGUARD_TABLE_REGION: the table's region when it is not the function's (a regional stack's
   * functions write to the home region's table). @default the function's region (AWS_REGION)
   */
  readonly tableRegion?: string;
  /** DYNAMODB_ENDPOINT: a local DynamoDB endpoint (the sandbox's embedded dynalite). @default AWS */
  readonly dynamoDbEndpoint?: string;
  /** KUBEGUARD_EVIDENCE_BUCKET: the S3 bucket for audit exports and forensic bundles, set by the CDK app. */
  readonly evidenceBucket?: string;
  /** KUBEGUARD_EVIDENCE_DIR: a local directory used instead of the bucket (sandbox, local runs). */
  readonly evidenceDirectory?: string;
  /** AWS_REGION: the function's region (Lambda sets it), e.g. for S3 console links. */
  readonly region?: string;
  /**
   * DELIVERY_FUNCTION_NAME: the delivery function ingest nudges (asynchronous invoke) after recording
   * something to deliver, set by the CDK app: a name (same region), or a function ARN, whose region
   * is then the one invoked (a regional stack nudges the home region's delivery function).
   * @default undefined — no nudge; the schedule delivers
   */
  readonly deliveryFunctionName?: string;
}

type Environment = Readonly<Record<string, string | undefined>>;

/** Reads and validates the variables from `env`; throws ConfigError naming the variable at fault. */
export function readFunctionEnvironment(env: Environment): FunctionEnvironment {
  const result: FunctionEnvironment = {
    config: readConfig(env.KUBEGUARD_CONFIG),
    ...readSlackCredentials(env),
    ...optionalApiUrl(env.SLACK_API_URL),
    ...optionalValue('tableName', env.KUBEGUARD_TABLE_NAME),
    ...optionalRegion('tableRegion', 'KUBEGUARD_TABLE_REGION', env.KUBEGUARD_TABLE_REGION),
    ...optionalValue('dynamoDbEndpoint', env.DYNAMODB_ENDPOINT),
    ...optionalValue('evidenceBucket', env.KUBEGUARD_EVIDENCE_BUCKET),
    ...optionalValue('evidenceDirectory', env.KUBEGUARD_EVIDENCE_DIR),
    ...optionalValue('region', env.AWS_REGION),
    ...optionalFunction(env.DELIVERY_FUNCTION_NAME),
  };
  return Object.freeze(result);
}

let cached: FunctionEnvironment | undefined;

/** The process environment, read and validated once per cold start. */
export function functionEnvironment(): FunctionEnvironment {
  cached ??= readFunctionEnvironment(process.env);
  return cached;
}

function readConfig(raw: string | undefined): KubeguardConfig {
  if (raw === undefined || raw.trim() === '') {
    throw new ConfigError(
      'KUBEGUARD_CONFIG is not set; it must hold kubeguard.config.json as JSON (the CDK app sets it from the file at deploy time)',
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(
      `KUBEGUARD_CONFIG is not valid JSON (${reason}); received ${JSON.stringify(raw.slice(0, 60))}… — set it to the content of kubeguard.config.json`,
      { cause: error },
    );
  }
  return parseConfig(parsed, 'KUBEGUARD_CONFIG');
}

function readSlackCredentials(env: Environment): Pick<FunctionEnvironment, 'slack'> {
  const secretArn = env.SLACK_SECRET_ARN?.trim() ?? '';
  const token = env.SLACK_BOT_TOKEN?.trim() ?? '';
  if (token === '' && secretArn === '') return {};
  if (token === '') {
    if (!/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/.test(secretArn)) {
      throw new ConfigError(
        `SLACK_SECRET_ARN is not a Secrets Manager secret ARN; received ${JSON.stringify(secretArn)}`,
      );
    }
    return { slack: { secretArn } };
  }
  return { slack: { botToken: readToken(env.SLACK_BOT_TOKEN) } };
}

/** The Slack credentials, for a function that posts; ConfigError when the environment has none. */
export function requireSlackCredentials(
  environment: FunctionEnvironment,
): NonNullable<FunctionEnvironment['slack']> {
  if (environment.slack !== undefined) return environment.slack;
  throw new ConfigError(
    'SLACK_BOT_TOKEN is not set (nor SLACK_SECRET_ARN); set it to the Slack app’s bot token (xoxb-…)',
  );
}

function readToken(raw: string | undefined): string {
  const token = raw?.trim() ?? '';
  // The value is a secret: messages describe it, never echo it.
  if (token === '') {
    throw new ConfigError(
      'SLACK_BOT_TOKEN is not set (nor SLACK_SECRET_ARN); set it to the Slack app’s bot token (xoxb-…)',
    );
  }
  if (/\s/.test(token)) {
    throw new ConfigError('SLACK_BOT_TOKEN contains whitespace; set it to the bot token alone (xoxb-…)');
  }
  return token;
}

function optionalApiUrl(raw: string | undefined): { slackApiUrl?: string } {
  if (raw === undefined || raw.trim() === '') return {};
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch (error) {
    throw new ConfigError(
      `SLACK_API_URL is not a URL; received ${JSON.stringify(raw)} — use e.g. http://127.0.0.1:3000/api/ or leave it unset`,
      { cause: error },
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(`SLACK_API_URL must be http(s); received ${JSON.stringify(raw)}`);
  }
  // @slack/web-api appends the method name directly to the base URL.
  const href = url.href.endsWith('/') ? url.href : `${url.href}/`;
  return { slackApiUrl: href };
}

function optionalValue<K extends string>(key: K, raw: string | undefined): Partial<Record<K, string>> {
  const value = raw?.trim() ?? '';
  return value === '' ? {} : ({ [key]: value } as Record<K, string>);
}

const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

function optionalRegion<K extends string>(
  key: K,
  variable: string,
  raw: string | undefined,
): Partial<Record<K, string>> {
  const value = raw?.trim() ?? '';
  if (value === '') return {};
  if (!AWS_REGION.test(value)) {
    throw new ConfigError(
      `${variable} must be an AWS region such as us-east-1; received ${JSON.stringify(value)} — set it to the home region or leave it unset`,
    );
  }
  return { [key]: value } as Record<K, string>;
}

/** A Lambda function ARN (unqualified or with a version or alias); group 1 is its region. */
export const LAMBDA_FUNCTION_ARN =
  /^arn:aws[a-z-]*:lambda:([a-z]{2}(?:-[a-z]+)+-\d):\d{12}:function:[A-Za-z0-9_-]{1,64}(?::[A-Za-z0-9$_-]{1,128})?$/;

function optionalFunction(raw: string | undefined): { deliveryFunctionName?: string } {
  const value = raw?.trim() ?? '';
  if (value === '') return {};
  if (value.startsWith('arn:') && !LAMBDA_FUNCTION_ARN.test(value)) {
    throw new ConfigError(
      `DELIVERY_FUNCTION_NAME is not a Lambda function ARN; received ${JSON.stringify(value)} — use a function name, or an ARN such as arn:aws:lambda:us-east-1:111122223333:function:kubeguard-delivery`,
    );
  }
  return { deliveryFunctionName: value };
}
