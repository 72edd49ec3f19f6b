import { Logger } from '@aws-lambda-powertools/logger';
import { functionEnvironment } from '../adapters/config/env.ts';
import { createWebApiMessenger } from '../adapters/slack/web-api-messenger.ts';
import type { KubeguardConfig } from '../core/config/schema.ts';
import type { Clock, SlackMessenger } from '../core/ports.ts';

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
  return Object.freeze({
    logger: powertoolsLogger(new Logger({ serviceName: 'kubeguard' })),
    config: environment.config,
    messenger: createWebApiMessenger({
      token: environment.slackBotToken,
      ...(environment.slackApiUrl === undefined ? {} : { slackApiUrl: environment.slackApiUrl }),
    }),
    clock: () => new Date().toISOString(),
  });
}

/** Structured attributes become top-level keys of the JSON log line. */
function powertoolsLogger(logger: Logger): FunctionLogger {
  return {
    info: (message, attributes) => logger.info(message, attributes ?? {}),
    warn: (message, attributes) => logger.warn(message, attributes ?? {}),
    error: (message, attributes) => logger.error(message, attributes ?? {}),
  };
}
