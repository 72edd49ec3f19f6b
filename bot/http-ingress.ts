import type { AwsLambdaReceiver } from '../adapters/slack/bolt-runtime.ts';
import { REPLAY_KEY_SECONDS } from '../core/chatops/idempotency.ts';
import type { ChatopsLog, ClaimStore } from '../core/chatops/ports.ts';
import { replayKey, type SignatureRejection, verifySlackSignature } from '../core/chatops/signature.ts';
import { asKubeguardError } from '../core/errors.ts';

/**
 * What stands in front of Bolt on both HTTP entry points (Lambda and the local server): kubeguard's
 * own verification of every request — the HMAC over the exact bytes received, five minutes at most
 * from now, and never the same signed request twice (a claim on its signature for ten minutes) —
 * then Bolt's AwsLambdaReceiver, with its own (weaker) check switched off. A refused request gets a
 * bare 401: no reason is sent back; the reason is logged and counted, never the signature.
 */
export interface SlackHttpRequest {
  /** Header names in any case; Lambda lower-cases them, Node's server too. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body exactly as received. */
  body: Buffer;
  path?: string;
}

export interface SlackHttpResponse {
  statusCode: number;
  headers?: Record<string, string>;
  body: string;
}

export interface SlackHttpIngressOptions {
  signingSecret: string;
  /** The replay guard's claims. */
  claims: ClaimStore;
  receiver: AwsLambdaReceiver;
  nowMs: () => number;
  log: ChatopsLog;
}

export type RefusalReason = SignatureRejection | 'replayed';

export type SlackHttpIngress = ((request: SlackHttpRequest) => Promise<SlackHttpResponse>) & {
  /** Requests refused since this instance started, by reason. */
  readonly refused: Readonly<Record<RefusalReason, number>>;
};

const UNAUTHORIZED: SlackHttpResponse = { statusCode: 401, body: '' };

export function createSlackHttpIngress(options: SlackHttpIngressOptions): SlackHttpIngress {
  const boltHandler = options.receiver.toHandler();
  const refused: Record<RefusalReason, number> = {
    missing: 0,
    malformed: 0,
    stale: 0,
    mismatch: 0,
    replayed: 0,
  };

  const refuse = (reason: RefusalReason, request: SlackHttpRequest, timestamp: string | undefined) => {
    refused[reason] += 1;
    options.log.warn('slack request refused', {
      reason,
      refusedSinceStart: refused[reason],
      // What helps to tell a clock problem from an attack; never the signature.
      timestamp: timestamp?.slice(0, 20),
      bytes: request.body.length,
      retryNum: header(request.headers, 'x-slack-retry-num')?.slice(0, 5),
    });
    return UNAUTHORIZED;
  };

  const ingress = async (request: SlackHttpRequest): Promise<SlackHttpResponse> => {
    const contentType = header(request.headers, 'content-type')?.split(';')[0]?.trim().toLowerCase();
    // Slack's certificate probe for slash commands: answered before anything else, as Bolt does.
    if (contentType === 'application/x-www-form-urlencoded' && isSslCheck(request.body)) {
      return { statusCode: 200, body: '' };
    }
    const signature = header(request.headers, 'x-slack-signature');
    const timestamp = header(request.headers, 'x-slack-request-timestamp');
    const verdict = verifySlackSignature(
      { signature, timestamp, rawBody: request.body },
      options.signingSecret,
      Math.floor(options.nowMs() / 1000),
    );
    if (!verdict.ok) return refuse(verdict.reason, request, timestamp);
    let first: boolean;
    try {
      first = await options.claims.claim(replayKey(signature ?? ''), options.nowMs(), REPLAY_KEY_SECONDS);
    } catch (error) {
      // Without the replay guard the request cannot be taken safely; Slack shows the person an error.
      options.log.error('slack replay guard unavailable', { code: asKubeguardError(error).code });
      return { statusCode: 503, body: '' };
    }
    if (!first) return refuse('replayed', request, timestamp);
    const answer = (await boltHandler(
      {
        headers: { ...flatHeaders(request.headers), 'content-type': contentType ?? '' },
        body: request.body.toString('utf8'),
        isBase64Encoded: false,
        rawPath: request.path ?? '/slack/events',
        rawQueryString: '',
        routeKey: 'POST /slack/events',
        version: '2.0',
        requestContext: {},
      },
      {},
    )) as SlackHttpResponse;
    return answer;
  };
  return Object.assign(ingress, { refused });
}

function header(headers: SlackHttpRequest['headers'], name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : headers[key];
  return Array.isArray(value) ? value[0] : value;
}

function flatHeaders(headers: SlackHttpRequest['headers']): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? (value[0] ?? '') : value;
  }
  return flat;
}

function isSslCheck(body: Buffer): boolean {
  if (body.length > 4096) return false;
  return new URLSearchParams(body.toString('utf8')).get('ssl_check') === '1';
}
