import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeguardError } from '#core/errors.ts';

/**
 * One HTTP exchange with a Kubernetes API server over node:http(s), with the TLS options, agent and
 * authentication headers the access applies (a KubeConfig's kubeconfig tokens, exec plugins, client
 * certificates, CA and proxy; or an EKS cluster's CA and bearer token), but none of client-node's
 * generated models: the response comes back as the text the server sent (decision D12), and every
 * exchange is bounded by a timeout covering the connection, the headers and the body. Only client-node
 * *types* are imported: the Lambda bundles reach EKS without client-node (eks-access.ts).
 */

/**
 * What a request needs of a cluster's access: its server, and the options that reach and
 * authenticate to it. client-node's KubeConfig has both; `kubeConfigForEks` builds one for EKS.
 */
export type KubeAccess = Pick<KubeConfig, 'getCurrentCluster' | 'applyToHTTPSOptions'>;

export interface KubeRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** `/api/v1/namespaces/shop/pods`, already escaped. */
  path: string;
  query?: Readonly<Record<string, string | undefined>>;
  body?: string;
  contentType?: string;
}

export interface KubeResponse {
  status: number;
  text: string;
  /** The URL requested, query included. */
  url: string;
}

/** How long one request may take when the caller does not say. @default 30 s */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** The API server did not answer within the request timeout. */
export class KubeApiTimeoutError extends KubeguardError {
  readonly url: string;
  readonly timeoutMs: number;

  constructor(url: string, timeoutMs: number, what: string) {
    super(
      'UPSTREAM',
      `the Kubernetes API did not answer ${url} within ${timeoutMs} ms (to ${what}); check that the server is reachable and healthy, or raise requestTimeoutMs`,
      { details: { url, timeoutMs } },
    );
    this.name = 'KubeApiTimeoutError';
    this.url = url;
    this.timeoutMs = timeoutMs;
  }
}

/** The API server URL of the configuration, for messages. */
export function serverOf(config: KubeAccess): string {
  return config.getCurrentCluster()?.server ?? '(no server)';
}

/**
 * Sends one request. Rejects with KubeApiTimeoutError after `timeoutMs`, and with an UPSTREAM
 * KubeguardError naming the server when it cannot be reached; any HTTP status is a response.
 */
export async function sendKubeRequest(
  config: KubeAccess,
  request: KubeRequest,
  options: { timeoutMs: number; what: string },
): Promise<KubeResponse> {
  const server = serverOf(config).replace(/\/+$/, '');
  const target = new URL(`${server}${request.path}`);
  for (const [name, value] of Object.entries(request.query ?? {})) {
    if (value !== undefined) target.searchParams.set(name, value);
  }
  const url = target.href;
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.timeoutMs);
  try {
    const headers: Record<string, string> = { Accept: 'application/json, */*' };
    if (request.contentType !== undefined) headers['Content-Type'] = request.contentType;
    if (request.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(request.body));
    const requestOptions: RequestOptions = { method: request.method, headers, signal: controller.signal };
    await config.applyToHTTPSOptions(requestOptions);
    const response = await exchange(target, requestOptions, request.body);
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    return { status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), url };
  } catch (error) {
    if (timedOut) throw new KubeApiTimeoutError(url, options.timeoutMs, options.what);
    const message = error instanceof Error ? error.message || errorCode(error) : String(error);
    const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
    throw new KubeguardError(
      'UPSTREAM',
      `cannot reach the Kubernetes API at ${server} to ${options.what}: ${message}${cause}`,
      { cause: error, details: { url } },
    );
  } finally {
    clearTimeout(timer);
  }
}

/** Sends the request and resolves with the response once its headers arrived. */
function exchange(target: URL, options: RequestOptions, body: string | undefined): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const send = target.protocol === 'http:' ? httpRequest : httpsRequest;
    const outgoing = send(target, options, resolve);
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** Some socket errors (an aggregate of refused IPv4 and IPv6 connections) carry a code but no message. */
function errorCode(error: Error): string {
  return (error as { code?: string }).code ?? error.name;
}
