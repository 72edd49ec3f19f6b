import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The logging surface handlers use: powertools Logger in AWS, a recording fake in tests.
 * Attributes are structured fields; never put a token or a secret value in them.
 */
export interface FunctionLogger {
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
}

/**
 * A powertools Logger whose `service` field is the function's name (`audit-logs`, …), so one log
 * query can tell the functions apart; structured attributes become top-level keys of the JSON line.
 */
export function createFunctionLogger(serviceName: string): FunctionLogger {
  const logger = new Logger({ serviceName });
  return {
    info: (message, attributes) => logger.info(message, attributes ?? {}),
    warn: (message, attributes) => logger.warn(message, attributes ?? {}),
    error: (message, attributes) => logger.error(message, attributes ?? {}),
  };
}
