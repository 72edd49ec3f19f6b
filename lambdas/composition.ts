import { Logger } from '@aws-lambda-powertools/logger';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoAuditHistoryStore } from '../adapters/aws/audit-history-store.ts';
import { DynamoDenialCounter } from '../adapters/aws/denial-counter.ts';
import { createDocumentClient } from '../adapters/aws/dynamodb-client.ts';
import { DynamoFindingStore } from '../adapters/aws/findings-store.ts';
import { fetchSlackCredentials } from '../adapters/aws/slack-credentials.ts';
import { type FunctionEnvironment, functionEnvironment } from '../adapters/config/env.ts';
import { createWebApiMessenger } from '../adapters/slack/web-api-messenger.ts';
import type { KubeguardConfig } from '../core/config/schema.ts';
import { ConfigError } from '../core/errors.ts';
import { type FindingPipeline, findingPipelineFor } from '../core/findings/compose.ts';
import type { Clock, DenialCounter, SlackMessenger } from '../core/ports.ts';
import type { AuditHistoryStore } from '../core/posture/history.ts';

/**
 * The logging surface handlers use: powertools Logger in AWS, a recording fake in tests.
 * Attributes are structured fields; never put a token or a secret value in them.
 */
export interface FunctionLogger {
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
}

/** What every function shares, built once per cold start from the validated environment. */
export interface Composition {
  readonly logger: FunctionLogger;
  readonly config: KubeguardConfig;
  readonly messenger: SlackMessenger;
  readonly clock: Clock;
  /** Store-then-deliver path for detections (built on first use; needs FINDINGS_TABLE_NAME). */
  readonly findings: () => FindingPipeline;
  /** KD-061 denial counts in the findings table (built on first use; needs FINDINGS_TABLE_NAME). */
  readonly denialCounter: () => DenialCounter;
  /** Posture audit history in the findings table (built on first use; needs KUBEGUARD_TABLE_NAME). */
  readonly auditHistory: () => AuditHistoryStore;
}

let composition: Composition | undefined;

/**
 * Built on first use rather than at import, so importing a handler module (tests, bundling checks)
 * never reads the environment; a bad environment fails the first invocation with a ConfigError.
 */
export function getComposition(): Composition {
  composition ??= compose();
  return composition;
}

function compose(): Composition {
  const environment = functionEnvironment();
  const messenger = lazyMessenger(async () =>
    createWebApiMessenger({
      token: await slackBotToken(environment.slack),
      ...(environment.slackApiUrl === undefined ? {} : { slackApiUrl: environment.slackApiUrl }),
    }),
  );
  let documentClient: ReturnType<typeof createDocumentClient> | undefined;
  const tableClient = () => {
    documentClient ??= createDocumentClient({ endpoint: environment.dynamoDbEndpoint });
    return documentClient;
  };
  let pipeline: FindingPipeline | undefined;
  const findings = (): FindingPipeline => {
    pipeline ??= findingPipelineFor({
      config: environment.config,
      messenger,
      store: new DynamoFindingStore({
        client: tableClient(),
        tableName: requireTableName(environment.tableName),
        nowSeconds: () => Math.floor(Date.now() / 1000),
      }),
      timers: realTimers,
    });
    return pipeline;
  };
  let counter: DenialCounter | undefined;
  const denialCounter = (): DenialCounter => {
    counter ??= new DynamoDenialCounter({
      client: tableClient(),
      tableName: requireTableName(environment.tableName),
    });
    return counter;
  };
  let history: AuditHistoryStore | undefined;
  const auditHistory = (): AuditHistoryStore => {
    history ??= new DynamoAuditHistoryStore({
      client: tableClient(),
      tableName: requireTableName(environment.tableName),
    });
    return history;
  };
  return Object.freeze({
    logger: powertoolsLogger(new Logger({ serviceName: 'kubeguard' })),
    config: environment.config,
    messenger,
    clock: () => new Date().toISOString(),
    findings,
    denialCounter,
    auditHistory,
  });
}

const realTimers = {
  nowMs: () => Date.now(),
  sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
};

function requireTableName(name: string | undefined): string {
  if (name === undefined) {
    throw new ConfigError('KUBEGUARD_TABLE_NAME is not set; the CDK app sets it to the kubeguard table name');
  }
  return name;
}

/** The bot token as configured: given directly (local runs) or read once from Secrets Manager. */
async function slackBotToken(slack: FunctionEnvironment['slack']): Promise<string> {
  if ('botToken' in slack) return slack.botToken;
  const credentials = await fetchSlackCredentials(new SecretsManagerClient({}), slack.secretArn);
  return credentials.botToken;
}

/** A messenger whose client is built on first use (the token may need a Secrets Manager call). */
function lazyMessenger(build: () => Promise<SlackMessenger>): SlackMessenger {
  let inner: Promise<SlackMessenger> | undefined;
  const get = () => {
    inner ??= build().catch((error: unknown) => {
      inner = undefined; // a failed secret read is retried on the next call
      throw error;
    });
    return inner;
  };
  return {
    postMessage: async (message) => (await get()).postMessage(message),
    updateMessage: async (message) => (await get()).updateMessage(message),
  };
}

/** Structured attributes become top-level keys of the JSON log line. */
function powertoolsLogger(logger: Logger): FunctionLogger {
  return {
    info: (message, attributes) => logger.info(message, attributes ?? {}),
    warn: (message, attributes) => logger.warn(message, attributes ?? {}),
    error: (message, attributes) => logger.error(message, attributes ?? {}),
  };
}
