import {
  HttpMethod,
  IsomorphicFetchHttpLibrary,
  type KubeConfig,
  RequestContext,
} from '@kubernetes/client-node';
import { KubeguardError } from '#core/errors.ts';

/**
 * One HTTP exchange with a Kubernetes API server, through client-node's authentication (kubeconfig
 * tokens, exec plugins, client certificates, the CA) and fetch, but none of its generated models:
 * the response comes back as the text the server sent (decision D12), and every exchange is bounded
 * by a timeout covering the connection, the headers and the body.
 */

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

const METHODS: Record<KubeRequest['method'], HttpMethod> = {
  GET: HttpMethod.GET,
  POST: HttpMethod.POST,
  PATCH: HttpMethod.PATCH,
  DELETE: HttpMethod.DELETE,
};

const library = new IsomorphicFetchHttpLibrary();
/** One connection pool per cluster configuration (client-node would build one per request). */
const dispatchers = new WeakMap<KubeConfig, ReturnType<RequestContext['getDispatcher']>>();

/** The API server URL of the configuration, for messages. */
export function serverOf(config: KubeConfig): string {
  return config.getCurrentCluster()?.server ?? '(no server)';
}

/**
 * Sends one request. Rejects with KubeApiTimeoutError after `timeoutMs`, and with an UPSTREAM
 * KubeguardError naming the server when it cannot be reached; any HTTP status is a response.
 */
export async function sendKubeRequest(
  config: KubeConfig,
  request: KubeRequest,
  options: { timeoutMs: number; what: string },
): Promise<KubeResponse> {
  const server = serverOf(config).replace(/\/+$/, '');
  const context = new RequestContext(`${server}${request.path}`, METHODS[request.method]);
  for (const [name, value] of Object.entries(request.query ?? {})) {
    if (value !== undefined) context.setQueryParam(name, value);
  }
  context.setHeaderParam('Accept', 'application/json, */*');
  if (request.contentType !== undefined) context.setHeaderParam('Content-Type', request.contentType);
  if (request.body !== undefined) context.setBody(request.body);
  const url = context.getUrl();
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.timeoutMs);
  try {
    await config.applySecurityAuthentication(context);
    const pooled = dispatchers.get(config);
    if (pooled !== undefined) context.setDispatcher(pooled);
    else if (context.getDispatcher() !== undefined) dispatchers.set(config, context.getDispatcher());
    context.setSignal(controller.signal);
    const response = await library.send(context).toPromise();
    const text = await response.body.text();
    return { status: response.httpStatusCode, text, url };
  } catch (error) {
    if (timedOut) throw new KubeApiTimeoutError(url, options.timeoutMs, options.what);
    const message = error instanceof Error ? error.message : String(error);
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
