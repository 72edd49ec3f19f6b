import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity } from '@smithy/types';
import { awsRuntimeFromEnv } from '../config/aws-runtime.ts';

/**
 * One signed HTTPS call to an AWS API: SigV4 (@smithy/signature-v4, the SDK's own signer), Node's
 * fetch, and the SDK's standard retry (3 attempts, exponential backoff with full jitter) for
 * throttling, 5xx and network errors. The lightweight clients built on it (dynamo-document.ts,
 * lambda-invoke.ts) keep the AWS SDK's client runtime — some 300 KB — out of the ingest bundles (D30).
 */
export interface AwsCallOptions {
  /** Signing name: `dynamodb`, `lambda`. */
  service: string;
  region: string;
  credentials: AwsCredentialIdentity;
  /** Base URL; @default `https://<service>.<region>.amazonaws.com` */
  endpoint?: string;
  /** Attempts per call, the first included. @default 3 */
  maxAttempts?: number;
  /** Per-attempt timeout. @default 10 000 ms */
  timeoutMs?: number;
  /** For tests: the fetch implementation and the clock/sleep of the backoff. */
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface AwsCall {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface AwsAnswer {
  status: number;
  headers: Headers;
  body: string;
  /** `x-amzn-requestid`, for error messages. */
  requestId?: string;
}

/**
 * A failed AWS call: `name` is the service's error code (`ConditionalCheckFailedException`, …) as the
 * SDK names its exceptions, so callers that test `error.name` work unchanged; `$metadata` carries the
 * HTTP status and request id as the SDK's errors do.
 */
export class AwsServiceError extends Error {
  readonly $fault: 'client' | 'server';
  readonly $metadata: { httpStatusCode?: number; requestId?: string; attempts: number };
  /** The parsed error body (e.g. DynamoDB's `Item` or `CancellationReasons`). */
  readonly body: Readonly<Record<string, unknown>>;

  constructor(
    name: string,
    message: string,
    metadata: { httpStatusCode?: number; requestId?: string; attempts: number },
    body: Record<string, unknown> = {},
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
    this.name = name;
    this.$fault =
      metadata.httpStatusCode !== undefined && metadata.httpStatusCode < 500 ? 'client' : 'server';
    this.$metadata = metadata;
    this.body = body;
  }
}

/** Error codes the SDK's standard retry strategy retries (throttling and transient faults). */
const RETRYABLE = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'LimitExceededException',
  'TransactionInProgressException',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
]);
const BASE_DELAY_MS = 100;
const MAX_DELAY_MS = 20_000;

export function createAwsCaller(options: AwsCallOptions): (call: AwsCall) => Promise<AwsAnswer> {
  const endpoint = new URL(options.endpoint ?? `https://${options.service}.${options.region}.amazonaws.com`);
  const signer = new SignatureV4({
    credentials: options.credentials,
    region: options.region,
    service: options.service,
    sha256: NodeSha256,
  });
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const maxAttempts = options.maxAttempts ?? 3;
  const timeoutMs = options.timeoutMs ?? 10_000;

  const attempt = async (call: AwsCall, attempts: number): Promise<AwsAnswer> => {
    const request = new HttpRequest({
      method: call.method,
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      ...(endpoint.port === '' ? {} : { port: Number(endpoint.port) }),
      path: call.path,
      headers: { ...call.headers, host: endpoint.host },
      ...(call.body === undefined ? {} : { body: call.body }),
    });
    const signed = await signer.sign(request);
    let response: Response;
    try {
      response = await doFetch(new URL(call.path, endpoint), {
        method: call.method,
        headers: signed.headers,
        ...(call.body === undefined ? {} : { body: call.body }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new AwsServiceError(
        'NetworkingError',
        `${options.service} ${endpoint.host} unreachable: ${(error as Error).message}`,
        { attempts },
        {},
        { cause: error },
      );
    }
    const body = await response.text();
    const requestId =
      response.headers.get('x-amzn-requestid') ?? response.headers.get('x-amz-request-id') ?? undefined;
    if (response.ok)
      return {
        status: response.status,
        headers: response.headers,
        body,
        ...(requestId ? { requestId } : {}),
      };
    throw serviceError(response, body, requestId, attempts);
  };

  return async (call) => {
    for (let attempts = 1; ; attempts++) {
      try {
        return await attempt(call, attempts);
      } catch (error) {
        if (!(error instanceof AwsServiceError) || attempts >= maxAttempts || !isRetryable(error))
          throw error;
        // Full jitter (the SDK's standard strategy): a random delay up to the exponential cap.
        await sleep(Math.floor(random() * Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (attempts - 1))));
      }
    }
  };
}

/** Where a lightweight client calls; without region and credentials, those Lambda sets are used. */
export interface AwsClientOptions {
  region?: string;
  credentials?: AwsCredentialIdentity;
  endpoint?: string;
  /** For tests. */
  fetch?: typeof fetch;
}

/**
 * A caller for `service` whose region and credentials are resolved at the first call, as the SDK's
 * clients do, not at construction: building a client never reads the environment.
 */
export function lazyAwsCaller(
  service: string,
  options: AwsClientOptions = {},
): (call: AwsCall) => Promise<AwsAnswer> {
  let caller: ((call: AwsCall) => Promise<AwsAnswer>) | undefined;
  return (call) => {
    if (caller === undefined) {
      const runtime =
        options.region !== undefined && options.credentials !== undefined
          ? { region: options.region, credentials: options.credentials }
          : awsRuntimeFromEnv();
      caller = createAwsCaller({
        service,
        region: options.region ?? runtime.region,
        credentials: options.credentials ?? runtime.credentials,
        ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
        ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      });
    }
    return caller(call);
  };
}

/** The SDK-shaped `$metadata` of an answer. */
export function metadataOf(answer: AwsAnswer): { httpStatusCode: number; requestId?: string } {
  return { httpStatusCode: answer.status, ...(answer.requestId ? { requestId: answer.requestId } : {}) };
}

function isRetryable(error: AwsServiceError): boolean {
  const status = error.$metadata.httpStatusCode;
  return (
    RETRYABLE.has(error.name) ||
    error.name === 'NetworkingError' ||
    status === undefined ||
    status === 429 ||
    status >= 500
  );
}

/** The AWS JSON error body `{"__type": "…#Code", "message": "…"}` (or the `x-amzn-errortype` header). */
function serviceError(
  response: Response,
  text: string,
  requestId: string | undefined,
  attempts: number,
): AwsServiceError {
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      body = parsed as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's HTML page): the status names the failure.
  }
  const type = String(body.__type ?? response.headers.get('x-amzn-errortype') ?? `Http${response.status}`);
  const name = type.slice(type.lastIndexOf('#') + 1).split(':')[0] ?? type;
  const message = String(body.message ?? body.Message ?? `HTTP ${response.status}`);
  return new AwsServiceError(
    name,
    message,
    { httpStatusCode: response.status, ...(requestId ? { requestId } : {}), attempts },
    body,
  );
}

/** SHA-256 and HMAC-SHA256 from node:crypto, in the shape SignatureV4 takes (`Checksum`). */
class NodeSha256 {
  readonly #secret: Uint8Array | undefined;
  #hash: Hash | Hmac;

  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.#secret = secret === undefined ? undefined : toBytes(secret);
    this.#hash = this.#fresh();
  }

  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.#hash.update(toBytes(data));
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }

  reset(): void {
    this.#hash = this.#fresh();
  }

  #fresh(): Hash | Hmac {
    return this.#secret === undefined ? createHash('sha256') : createHmac('sha256', this.#secret);
  }
}

function toBytes(data: string | ArrayBuffer | ArrayBufferView): Uint8Array {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}
