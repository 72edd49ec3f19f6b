import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import type { ChatopsLog } from '../core/chatops/ports.ts';
import { serviceName as functionService } from '../core/observability/metrics.ts';

/**
 * The ingress's log: powertools JSON lines with `service: kubeguard-slack-ingress`, the function's
 * POWERTOOLS_SERVICE_NAME (the functions' logger lives in lambdas/shared, which the bot does not
 * import). Attributes are structured fields; never a token, a signature or a request body.
 */
export function createBotLogger(
  serviceName = functionService('slack-ingress'),
): ChatopsLog & { addContext(context: Partial<Context>): void } {
  const logger = new Logger({ serviceName });
  return {
    info: (message, attributes) => logger.info(message, attributes ?? {}),
    warn: (message, attributes) => logger.warn(message, attributes ?? {}),
    error: (message, attributes) => logger.error(message, attributes ?? {}),
    addContext: (context) => logger.addContext(context as Context),
  };
}
