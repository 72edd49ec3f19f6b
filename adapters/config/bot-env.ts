import { ConfigError } from '../../core/errors.ts';
import { type FunctionEnvironment, readFunctionEnvironment } from './env.ts';

/**
 * What the Slack bot reads from its environment beyond every function's (env.ts), validated and
 * frozen. This module and env.ts are the only places the bot reads process.env.
 */
export interface BotEnvironment {
  /** KUBEGUARD_CONFIG, the bot token, the table, SLACK_API_URL … (env.ts). */
  readonly base: FunctionEnvironment;
  /**
   * The Slack app's signing secret: SLACK_SIGNING_SECRET as given (local runs), or the Secrets
   * Manager secret SLACK_SIGNING_SECRET_ARN holding it as a plain string (the CDK app's). Never logged.
   */
  readonly signingSecret?: { value: string } | { secretArn: string };
  /** KUBEGUARD_ACTION_QUEUE_URL: the SQS queue of the action worker (set by the CDK app). */
  readonly actionQueueUrl?: string;
  /** SLACK_APP_TOKEN (`xapp-…`): the local bot connects over Socket Mode instead of listening on HTTP. */
  readonly appToken?: string;
  /** KUBEGUARD_BOT_PORT: the local bot's HTTP port. @default 3000 */
  readonly port: number;
}

type Environment = Readonly<Record<string, string | undefined>>;

export function readBotEnvironment(env: Environment): BotEnvironment {
  return Object.freeze({
    base: readFunctionEnvironment(env),
    ...readSigningSecret(env),
    ...optional('actionQueueUrl', env.KUBEGUARD_ACTION_QUEUE_URL),
    ...readAppToken(env.SLACK_APP_TOKEN),
    port: readPort(env.KUBEGUARD_BOT_PORT),
  });
}

let cached: BotEnvironment | undefined;

/** The process environment, read and validated once per cold start. */
export function botEnvironment(): BotEnvironment {
  cached ??= readBotEnvironment(process.env);
  return cached;
}

/** The signing secret, for the ingress; ConfigError when the environment has none. */
export function requireSigningSecret(
  environment: BotEnvironment,
): NonNullable<BotEnvironment['signingSecret']> {
  if (environment.signingSecret !== undefined) return environment.signingSecret;
  throw new ConfigError(
    'SLACK_SIGNING_SECRET is not set (nor SLACK_SIGNING_SECRET_ARN); set it to the Slack app’s signing secret (Basic Information → App Credentials)',
  );
}

function readSigningSecret(env: Environment): Pick<BotEnvironment, 'signingSecret'> {
  const value = env.SLACK_SIGNING_SECRET?.trim() ?? '';
  const secretArn = env.SLACK_SIGNING_SECRET_ARN?.trim() ?? '';
  if (value !== '') {
    // The value is a secret: messages describe it, never echo it.
    if (/\s/.test(value))
      throw new ConfigError('SLACK_SIGNING_SECRET contains whitespace; set it to the signing secret alone');
    return { signingSecret: { value } };
  }
  if (secretArn === '') return {};
  if (!/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/.test(secretArn)) {
    throw new ConfigError(
      `SLACK_SIGNING_SECRET_ARN is not a Secrets Manager secret ARN; received ${JSON.stringify(secretArn)}`,
    );
  }
  return { signingSecret: { secretArn } };
}

function readAppToken(raw: string | undefined): Pick<BotEnvironment, 'appToken'> {
  const token = raw?.trim() ?? '';
  if (token === '') return {};
  if (!token.startsWith('xapp-') || /\s/.test(token)) {
    throw new ConfigError(
      'SLACK_APP_TOKEN is not an app-level token; set it to the xapp-… token with connections:write',
    );
  }
  return { appToken: token };
}

function readPort(raw: string | undefined): number {
  const text = raw?.trim() ?? '';
  if (text === '') return 3000;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ConfigError(
      `KUBEGUARD_BOT_PORT must be a port number (0–65535); received ${JSON.stringify(text)}`,
    );
  }
  return port;
}

function optional<K extends string>(key: K, raw: string | undefined): Partial<Record<K, string>> {
  const value = raw?.trim() ?? '';
  return value === '' ? {} : ({ [key]: value } as Record<K, string>);
}
