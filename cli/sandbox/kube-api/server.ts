import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { discoveryDocument } from './discovery.ts';
import { ApiFailure, isObject, type JsonObject, statusObject } from './failure.ts';
import { type KubeconfigOptions, kubeConfigOptionsFor, kubeconfigYamlFor } from './kubeconfig.ts';
import { BUILTIN_RESOURCES, type ResourceType } from './resources.ts';
import { type AdmissionHook, KubeObjectStore, type Route } from './store.ts';

export type { AdmissionAttributes, AdmissionHook } from './store.ts';

/**
 * An in-memory Kubernetes API on 127.0.0.1: the demo cluster of `npm start` and the loopback API of
 * the tests. It serves the resources in `BUILTIN_RESOURCES` (plus any `extraResources`, e.g.
 * custom resources) with the REST semantics of `store.ts`, and besides:
 *
 * - discovery (`discovery.ts`) of exactly these resources, so kubectl can `get`, `describe` and
 *   `label`; pod logs (current and `previous=true`); kubelet configuration through
 *   `nodes/<name>/proxy/configz`;
 * - Status objects for every error: 404 NotFound, 403 Forbidden for configured (verb, resource)
 *   pairs, 401 when a token is configured and the request carries another;
 * - a record of every request in `requests`.
 *
 * Seed it with objects as the API returns them (with `apiVersion` and `kind`).
 */

export type KubeVerb = 'get' | 'list' | 'create' | 'update' | 'patch' | 'delete';

export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  /** Undefined for discovery and unknown paths. */
  verb?: KubeVerb;
  /** Plural resource, e.g. `pods`; `pods/log` is `resource: 'pods', subresource: 'log'`. */
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  contentType?: string;
  authorization?: string;
  /** The parsed JSON body of create/update/patch/delete requests. */
  body?: unknown;
  /** The status the server answered with. */
  status: number;
}

export interface ForbiddenRule {
  verb: KubeVerb;
  /** `pods`, `networkpolicies`, or a subresource such as `pods/log`. */
  resource: string;
  /** Only in this namespace. @default every namespace */
  namespace?: string;
}

export interface KubeApiServerOptions {
  objects?: readonly JsonObject[];
  /** When set, requests must carry `Authorization: Bearer <token>` or get 401. */
  token?: string;
  extraResources?: readonly ResourceType[];
  /** The creationTimestamp given to created objects. @default the current time */
  now?: () => string;
  /** Keep every request in `requests`. A long-running sandbox turns it off. @default true */
  recordRequests?: boolean;
}

interface LogEntry {
  current?: string;
  previous?: string;
}

export class KubeApiServer {
  readonly requests: RecordedRequest[] = [];
  private readonly store: KubeObjectStore;
  private readonly logs = new Map<string, LogEntry>();
  private readonly kubeletConfigs = new Map<string, JsonObject>();
  private readonly forbidden: ForbiddenRule[] = [];
  private allowed: Set<string> | undefined;
  private readonly token: string | undefined;
  private readonly recordRequests: boolean;
  private readonly server: Server;

  constructor(options: KubeApiServerOptions = {}) {
    const now = options.now ?? (() => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'));
    this.store = new KubeObjectStore([...BUILTIN_RESOURCES, ...(options.extraResources ?? [])], now);
    this.token = options.token;
    this.recordRequests = options.recordRequests ?? true;
    for (const object of options.objects ?? []) this.seed(object);
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        response.writeHead(500, { 'content-type': 'text/plain' });
        response.end(String(error));
      });
    });
  }

  /** Listens on 127.0.0.1, on `port` (0: any free port). */
  async start(port = 0): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /**
   * Options for client-node's `KubeConfig.loadFromOptions`; plain http needs `skipTLSVerify`
   * (client-node refuses http otherwise).
   */
  kubeConfigOptions(token = this.token ?? 'kube-api-double-token'): JsonObject {
    return kubeConfigOptionsFor({ server: this.url, token, cluster: 'double', user: 'kubeguard' });
  }

  /** The same as a kubeconfig file. */
  kubeconfigYaml(
    token = this.token ?? 'kube-api-double-token',
    names: Partial<KubeconfigOptions> = {},
  ): string {
    return kubeconfigYamlFor({ cluster: 'double', user: 'kubeguard', ...names, server: this.url, token });
  }

  /** Adds or replaces an object as if it had always been there (no request recorded). */
  seed(object: JsonObject): JsonObject {
    return this.store.seed(object);
  }

  /** Removes an object as if someone else had deleted it (no request recorded). */
  removeObject(resource: string, namespace: string | undefined, name: string): void {
    this.store.removeObject(resource, namespace, name);
  }

  /** The stored object, or undefined. */
  object(resource: string, namespace: string | undefined, name: string): JsonObject | undefined {
    return this.store.object(resource, namespace, name);
  }

  /** Every stored object of a resource, optionally in one namespace. */
  objects(resource: string, namespace?: string): JsonObject[] {
    return this.store.objects(resource, namespace);
  }

  /** Sets what `pods/<name>/log?container=<container>[&previous=true]` returns. */
  setLog(
    namespace: string,
    pod: string,
    container: string,
    text: string,
    options: { previous?: boolean } = {},
  ) {
    const key = `${namespace}/${pod}/${container}`;
    const entry = this.logs.get(key) ?? {};
    if (options.previous) entry.previous = text;
    else entry.current = text;
    this.logs.set(key, entry);
  }

  /** Sets what the kubelet of `node` answers at `nodes/<node>/proxy/configz`. */
  setKubeletConfig(node: string, configz: JsonObject): void {
    this.kubeletConfigs.set(node, structuredClone(configz));
  }

  /** Answers 403 Forbidden to this verb on this resource (and namespace). */
  forbid(rule: ForbiddenRule): void {
    this.forbidden.push(rule);
  }

  /**
   * Answers 403 to every (verb, resource) pair not listed, as the API server does for an identity
   * bound to a ClusterRole with exactly these rules. `forbid` rules still apply on top.
   */
  allowOnly(rules: readonly { verb: KubeVerb; resource: string }[]): void {
    this.allowed = new Set(rules.map((rule) => `${rule.verb} ${rule.resource}`));
  }

  /** Runs `hook` on every create, update, patch and delete after authorization, as admission runs. */
  useAdmission(hook: AdmissionHook | undefined): void {
    this.store.admission = hook;
  }

  /** Drops every `forbid` rule and `allowOnly` restriction. */
  allowAll(): void {
    this.forbidden.length = 0;
    this.allowed = undefined;
  }

  /** Requests that changed (or tried to change) something: create, update, patch, delete. */
  writes(): RecordedRequest[] {
    return this.requests.filter((r) => r.verb && !['get', 'list'].includes(r.verb));
  }

  // -------------------------------------------------------------------------------------------

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://kube-api');
    const text = await readBody(request);
    const record: RecordedRequest = {
      method: request.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      status: 0,
      ...(request.headers['content-type'] ? { contentType: request.headers['content-type'] } : {}),
      ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}),
    };
    if (this.recordRequests) this.requests.push(record);
    const answer = (status: number, body: unknown, contentType = 'application/json') => {
      record.status = status;
      response.writeHead(status, { 'content-type': contentType });
      response.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    try {
      this.authenticate(request.headers.authorization);
      const discovery = discoveryDocument(url.pathname, this.store.types);
      if (discovery !== undefined) return answer(200, discovery);
      const route = this.route(url.pathname);
      const verb = verbOf(record.method, route);
      Object.assign(record, {
        verb,
        resource: route.type.resource,
        ...(route.subresource ? { subresource: route.subresource } : {}),
        ...(route.namespace ? { namespace: route.namespace } : {}),
        ...(route.name ? { name: route.name } : {}),
      });
      if (text !== '') record.body = parseJson(text);
      this.authorize(verb, route);
      if (route.subresource === 'log') return answer(200, this.podLog(route, url.searchParams), 'text/plain');
      if (route.subresource === 'proxy/configz') return answer(200, this.configz(route));
      if (route.subresource !== undefined) {
        throw new ApiFailure(404, 'NotFound', 'the server could not find the requested resource');
      }
      return answer(...this.serve(verb, route, record, url.searchParams));
    } catch (error) {
      if (!(error instanceof ApiFailure)) throw error;
      return answer(error.status, statusObject(error));
    }
  }

  private serve(
    verb: KubeVerb,
    route: Route,
    record: RecordedRequest,
    query: URLSearchParams,
  ): [number, unknown] {
    const dryRun = query.get('dryRun') === 'All';
    switch (verb) {
      case 'get':
        return [200, this.store.existing(route)];
      case 'list':
        return [200, this.store.list(route, query)];
      case 'create':
        return [201, this.store.create(route, record.body, dryRun)];
      case 'update':
        return [200, this.store.replace(route, record.body, dryRun)];
      case 'patch':
        return [200, this.store.patch(route, record.contentType, record.body, dryRun)];
      case 'delete':
        return [200, this.store.remove(route, record.body, dryRun)];
    }
  }

  private authenticate(authorization: string | undefined): void {
    if (this.token === undefined || authorization === `Bearer ${this.token}`) return;
    throw new ApiFailure(401, 'Unauthorized', 'Unauthorized');
  }

  private authorize(verb: KubeVerb, route: Route): void {
    const subresource = route.subresource?.split('/')[0];
    const resource = subresource ? `${route.type.resource}/${subresource}` : route.type.resource;
    const denied =
      (this.allowed !== undefined && !this.allowed.has(`${verb} ${resource}`)) ||
      this.forbidden.some(
        (rule) =>
          rule.verb === verb &&
          rule.resource === resource &&
          (rule.namespace === undefined || rule.namespace === route.namespace),
      );
    if (!denied) return;
    const scope = route.namespace ? ` in the namespace "${route.namespace}"` : ' at the cluster scope';
    const target = route.name ? `${route.type.resource} "${route.name}"` : route.type.resource;
    throw Object.assign(
      new ApiFailure(
        403,
        'Forbidden',
        `${target} is forbidden: User "kubeguard" cannot ${verb} resource "${resource}" in API group "${route.type.group}"${scope}`,
      ),
      { details: { name: route.name, group: route.type.group, kind: route.type.resource } },
    );
  }

  private route(path: string): Route {
    const match = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))\/(.+)$/.exec(path);
    const notFound = new ApiFailure(404, 'NotFound', 'the server could not find the requested resource');
    if (!match) throw notFound;
    const group = match[1] ? '' : (match[2] as string);
    const version = match[1] ?? (match[3] as string);
    let segments = (match[4] as string).split('/').map(decodeURIComponent);
    let namespace: string | undefined;
    if (segments[0] === 'namespaces' && segments.length >= 3) {
      namespace = segments[1];
      segments = segments.slice(2);
    }
    const [resource, name, subresource, ...rest] = segments;
    const type = this.store.types.find(
      (t) => t.group === group && t.version === version && t.resource === resource,
    );
    // The one path below a subresource served: the kubelet's configz through the node proxy.
    const configz = resource === 'nodes' && subresource === 'proxy' && rest.join('/') === 'configz';
    if (!type || (rest.length > 0 && !configz) || (namespace !== undefined && !type.namespaced)) {
      throw notFound;
    }
    return {
      type,
      ...(namespace !== undefined ? { namespace } : {}),
      ...(name ? { name } : {}),
      ...(subresource ? { subresource: configz ? 'proxy/configz' : subresource } : {}),
    };
  }

  private configz(route: Route): JsonObject {
    this.store.existing(route);
    const config = this.kubeletConfigs.get(route.name as string);
    if (config === undefined) {
      throw new ApiFailure(503, 'ServiceUnavailable', `the kubelet of node "${route.name}" does not answer`);
    }
    return structuredClone(config);
  }

  private podLog(route: Route, query: URLSearchParams): string {
    const pod = this.store.existing(route);
    const spec = isObject(pod.spec) ? pod.spec : {};
    const names = [...asArray(spec.initContainers), ...asArray(spec.containers)]
      .map((c) => (isObject(c) ? String(c.name) : ''))
      .filter((n) => n !== '');
    const requested = query.get('container');
    const podName = route.name as string;
    if (requested === null && names.length !== 1) {
      throw new ApiFailure(
        400,
        'BadRequest',
        `a container name must be specified for pod ${podName}, choose one of: [${names.join(' ')}]`,
      );
    }
    const container = requested ?? (names[0] as string);
    if (!names.includes(container)) {
      throw new ApiFailure(400, 'BadRequest', `container ${container} is not valid for pod ${podName}`);
    }
    const entry = this.logs.get(`${route.namespace}/${podName}/${container}`) ?? {};
    if (query.get('previous') === 'true') {
      if (entry.previous === undefined) {
        throw new ApiFailure(
          400,
          'BadRequest',
          `previous terminated container "${container}" in pod "${podName}" not found`,
        );
      }
      return entry.previous;
    }
    return entry.current ?? '';
  }
}

function verbOf(method: string, route: Route): KubeVerb {
  switch (method) {
    case 'GET':
      return route.name === undefined ? 'list' : 'get';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return 'delete';
    default:
      throw new ApiFailure(405, 'MethodNotAllowed', `method ${method} is not supported`);
  }
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiFailure(400, 'BadRequest', `the request body is not JSON: ${text.slice(0, 80)}`);
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
