import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { serviceName } from '../../core/observability/metrics.ts';

/**
 * The logging surface handlers use: powertools Logger in AWS, a recording fake in tests.
 * Attributes are structured fields; never put a token or a secret value in them.
 */
export interface FunctionLogger {
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
}

/** A function's logger, which the entry point gives each invocation's Lambda context. */
export interface ContextLogger extends FunctionLogger {
  /** Adds function_name, function_request_id, cold_start … to every following line. */
  addContext(context: Partial<Context>): void;
}

/**
 * A powertools Logger whose `service` field is the function's service name (`audit-logs` →
 * `kubeguard-audit-logs`, the POWERTOOLS_SERVICE_NAME the CDK app sets and the metrics' `service`
 * dimension), so one log query can tell the functions apart; structured attributes become top-level
 * keys of the JSON line.
 */
export function createFunctionLogger(functionName: string): ContextLogger {
  const logger = new Logger({ serviceName: serviceName(functionName) });
  return {
    info: (message, attributes) => logger.info(message, attributes ?? {}),
    warn: (message, attributes) => logger.warn(message, attributes ?? {}),
    error: (message, attributes) => logger.error(message, attributes ?? {}),
    // Tests and local runs may pass part of a context; Powertools leaves the missing fields out.
    addContext: (context) => logger.addContext(context as Context),
  };
}
