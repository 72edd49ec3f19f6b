import { Logger } from '@aws-lambda-powertools/logger';
import type { ChatopsLog } from '../core/chatops/ports.ts';

/**
 * The ingress's log: powertools JSON lines with `service: slack-ingress` (the functions' logger lives
 * in lambdas/shared, which the bot does not import). Attributes are structured fields; never a token,
 * a signature or a request body.
 */
export function createBotLogger(serviceName = 'slack-ingress'): ChatopsLog {
  const logger = new Logger({ serviceName });
  return {
    info: (message, attributes) => logger.info(message, attributes ?? {}),
    warn: (message, attributes) => logger.warn(message, attributes ?? {}),
    error: (message, attributes) => logger.error(message, attributes ?? {}),
  };
}
