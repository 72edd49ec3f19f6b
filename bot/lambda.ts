import type { Context } from 'aws-lambda';
import { botEnvironment } from '../adapters/config/bot-env.ts';
import { createEmfMetrics } from '../adapters/observability/emf-metrics.ts';
import { installAdapterObservability } from '../adapters/observability/hooks.ts';
import { type InvocationObservability, observeInvocation } from '../adapters/observability/invocation.ts';
import { serviceName } from '../core/observability/metrics.ts';
import { composeLambdaIngress } from './composition.ts';
import type { SlackHttpIngress, SlackHttpRequest, SlackHttpResponse } from './http-ingress.ts';
import { createBotLogger } from './logger.ts';

/**
 * The Slack ingress as a Lambda function behind API Gateway's HTTP API (payload 2.0) or a function
 * URL: the body is taken as bytes — base64-decoded to a Buffer when the event says so, never through
 * a text encoding — verified, then handed to the Bolt app. This bundle holds the listeners, the
 * verifier, the claims, the audit trail and the queue client: no Kubernetes client, no remediation.
 */
export interface SlackLambdaEvent {
  headers?: Record<string, string | undefined>;
  body?: string | null;
  isBase64Encoded?: boolean;
  rawPath?: string;
}

let ingress: Promise<{ run: SlackHttpIngress; observability: InvocationObservability }> | undefined;

/**
 * The Lambda entry point: the Lambda context on every log line, metrics (denials, Slack 429s) written
 * when the request ends. No tracer here: it would add ~80 ms to the cold start of the function that
 * must ack within 3 s (D-record); Lambda's active tracing still records each invocation.
 */
export async function handler(
  event: SlackLambdaEvent,
  context?: Partial<Context>,
): Promise<SlackHttpResponse> {
  ingress ??= composeObservedIngress().catch((error: unknown) => {
    // A failed cold start (a secret not readable yet) is tried again by the next request.
    ingress = undefined;
    throw error;
  });
  const { run, observability } = await ingress;
  return observeInvocation(observability, context, () => run(slackRequestOf(event)));
}

async function composeObservedIngress() {
  const logger = createBotLogger();
  const metrics = createEmfMetrics(serviceName('slack-ingress'));
  installAdapterObservability({ metrics });
  const run = await composeLambdaIngress(botEnvironment(), logger, metrics);
  return { run, observability: { logger, metrics } };
}

/** The request as bytes: a base64 body is decoded to a Buffer, a plain one taken as UTF-8. */
export function slackRequestOf(event: SlackLambdaEvent): SlackHttpRequest {
  const body =
    event.body === undefined || event.body === null
      ? Buffer.alloc(0)
      : event.isBase64Encoded === true
        ? Buffer.from(event.body, 'base64')
        : Buffer.from(event.body, 'utf8');
  return {
    headers: event.headers ?? {},
    body,
    ...(event.rawPath === undefined ? {} : { path: event.rawPath }),
  };
}
