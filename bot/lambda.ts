import { composeLambdaIngress } from './composition.ts';
import type { SlackHttpIngress, SlackHttpRequest, SlackHttpResponse } from './http-ingress.ts';

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

let ingress: Promise<SlackHttpIngress> | undefined;

export async function handler(event: SlackLambdaEvent): Promise<SlackHttpResponse> {
  ingress ??= composeLambdaIngress().catch((error: unknown) => {
    // A failed cold start (a secret not readable yet) is tried again by the next request.
    ingress = undefined;
    throw error;
  });
  return (await ingress)(slackRequestOf(event));
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
