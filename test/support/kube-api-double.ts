import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { POLICY_CUSTOM_KINDS } from '#core/netpol/kinds.ts';
import {
  ApiFailure,
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  isObject,
  type JsonObject,
  parseFieldSelector,
  parseLabelSelector,
} from './kube-api-semantics.ts';

export type { JsonObject } from './kube-api-semantics.ts';

/**
 * A real HTTP server on 127.0.0.1 with the Kubernetes REST semantics kubeguard's actions use, for
 * the resources in `BUILTIN_RESOURCES` (plus any `extraResources`, e.g. custom resources):
 *
 * - get, list (labelSelector `=`, `==`, `!=`, `in`, `notin`, exists, `!key`; fieldSelector on the
 *   fields the API server supports, e.g. `spec.nodeName`; `limit`/`continue` paging), create
 *   (409 AlreadyExists, 404 when the namespace does not exist, `generateName`, `dryRun=All`),
 *   update (PUT), patch with `application/strategic-merge-patch+json`,
 *   `application/merge-patch+json` and `application/json-patch+json` (415 for any other type, and
 *   for strategic merge on custom resources), delete (with preconditions), pod logs (current and
 *   `previous=true`), and discovery of exactly these resources;
 * - Status objects for every error: 404 NotFound, 403 Forbidden for configured (verb, resource)
 *   pairs, 409 Conflict when a patch or update carries a stale `metadata.resourceVersion`, 422
 *   Invalid when it carries another `metadata.uid` (immutable) or a JSON patch `test` fails, 401
 *   when a token is configured and the request carries another;
 * - `metadata.resourceVersion` bumped on every write (one counter for the whole store, as etcd's
 *   revision), `metadata.generation` bumped when a `spec` changes;
 * - a record of every request in `requests`.
 *
 * Seed it with objects as the API returns them (with `apiVersion` and `kind`).
 */

export interface ResourceType {
  /** `''` for the core group. */
  group: string;
  version: string;
  /** Plural, as in the URL: `pods`, `networkpolicies`. */
  resource: string;
  kind: string;
  namespaced: boolean;
  /** Custom resources refuse strategic merge patches with 415, as the API server does. @default false */
  custom?: boolean;
  /** Paths a fieldSelector may use besides `metadata.name` and `metadata.namespace`. */
  fields?: readonly string[];
}

export const BUILTIN_RESOURCES: readonly ResourceType[] = [
  core('pods', 'Pod', true, [
    'spec.nodeName',
    'spec.serviceAccountName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'status.phase',
    'status.podIP',
  ]),
  core('namespaces', 'Namespace', false, ['status.phase']),
  core('nodes', 'Node', false, ['spec.unschedulable']),
  core('services', 'Service', true),
  core('events', 'Event', true, [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ]),
  core('serviceaccounts', 'ServiceAccount', true),
  core('secrets', 'Secret', true, ['type']),
  core('configmaps', 'ConfigMap', true),
  grouped('networking.k8s.io', 'networkpolicies', 'NetworkPolicy', true),
  grouped('rbac.authorization.k8s.io', 'roles', 'Role', true),
  grouped('rbac.authorization.k8s.io', 'rolebindings', 'RoleBinding', true),
  grouped('rbac.authorization.k8s.io', 'clusterroles', 'ClusterRole', false),
  grouped('rbac.authorization.k8s.io', 'clusterrolebindings', 'ClusterRoleBinding', false),
  grouped('apps', 'deployments', 'Deployment', true),
  grouped('apps', 'replicasets', 'ReplicaSet', true, ['status.replicas']),
  grouped('apps', 'statefulsets', 'StatefulSet', true),
  grouped('apps', 'daemonsets', 'DaemonSet', true),
  grouped('batch', 'jobs', 'Job', true, ['status.successful']),
  grouped('policy', 'poddisruptionbudgets', 'PodDisruptionBudget', true),
];

/**
 * The custom network policy kinds kubeguard lists (core/netpol/kinds.ts): AdminNetworkPolicy, the
 * baseline, Calico (projectcalico.org/v3 and its CRD group crd.projectcalico.org/v1) and Cilium.
 * Pass the ones a test's cluster has installed as `extraResources`.
 */
export const POLICY_CRD_RESOURCES: readonly ResourceType[] = POLICY_CUSTOM_KINDS.map((kind) => ({
  group: kind.group,
  version: kind.version,
  resource: kind.resource,
  kind: kind.kind,
  namespaced: kind.namespaced,
  custom: true,
}));

/**
 * The other kinds the posture collector lists that are built into Kubernetes (CronJob, Ingress, the
 * webhook configurations): pass them as `extraResources` to a double standing for a whole cluster.
 */
export const POSTURE_RESOURCES: readonly ResourceType[] = [
  grouped('batch', 'cronjobs', 'CronJob', true),
  grouped('networking.k8s.io', 'ingresses', 'Ingress', true),
  grouped(
    'admissionregistration.k8s.io',
    'mutatingwebhookconfigurations',
    'MutatingWebhookConfiguration',
    false,
  ),
  grouped(
    'admissionregistration.k8s.io',
    'validatingwebhookconfigurations',
    'ValidatingWebhookConfiguration',
    false,
  ),
];

/**
 * External Secrets Operator's kinds as one release serves them: `v1` from ESO 0.17, `v1beta1` only
 * before. Custom resources: strategic merge patches are refused (415).
 */
export function externalSecretsResources(version: 'v1' | 'v1beta1'): ResourceType[] {
  return (
    [
      ['externalsecrets', 'ExternalSecret', true],
      ['clusterexternalsecrets', 'ClusterExternalSecret', false],
      ['secretstores', 'SecretStore', true],
      ['clustersecretstores', 'ClusterSecretStore', false],
    ] as const
  ).map(([resource, kind, namespaced]) => ({
    group: 'external-secrets.io',
    version,
    resource,
    kind,
    namespaced,
    custom: true,
  }));
}

function core(resource: string, kind: string, namespaced: boolean, fields: string[] = []): ResourceType {
  return { group: '', version: 'v1', resource, kind, namespaced, fields };
}

function grouped(
  group: string,
  resource: string,
  kind: string,
  namespaced: boolean,
  fields: string[] = [],
): ResourceType {
  return { group, version: 'v1', resource, kind, namespaced, fields };
}

/** Resources whose `metadata.generation` follows `spec` changes. */
const GENERATIONAL = new Set([
  'deployments',
  'replicasets',
  'statefulsets',
  'daemonsets',
  'jobs',
  'networkpolicies',
  'poddisruptionbudgets',
  // Argo Rollouts' CRD has the status subresource: its generation follows spec changes.
  'rollouts',
]);

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
  /** The status the double answered with. */
  status: number;
}

/** A write as validating admission sees it: after defaulting, before it is stored. */
export interface AdmissionAttributes {
  operation: 'CREATE' | 'UPDATE' | 'DELETE';
  type: ResourceType;
  namespace?: string;
  name: string;
  /** The object as it would be stored; null on DELETE. */
  object: JsonObject | null;
  /** The stored object; null on CREATE. */
  oldObject: JsonObject | null;
  dryRun: boolean;
}

/** Validating admission (e.g. a ValidatingAdmissionPolicy): throw an ApiFailure to refuse the write. */
export type AdmissionHook = (attributes: AdmissionAttributes) => void;

export interface ForbiddenRule {
  verb: KubeVerb;
  /** `pods`, `networkpolicies`, or a subresource such as `pods/log`. */
  resource: string;
  /** Only in this namespace. @default every namespace */
  namespace?: string;
}

export interface KubeApiDoubleOptions {
  objects?: readonly JsonObject[];
  /** When set, requests must carry `Authorization: Bearer <token>` or get 401. */
  token?: string;
  extraResources?: readonly ResourceType[];
  /** The creationTimestamp given to created objects. @default the current time */
  now?: () => string;
}

interface LogEntry {
  current?: string;
  previous?: string;
}

interface Route {
  type: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export class KubeApiDouble {
  readonly requests: RecordedRequest[] = [];
  private readonly types: readonly ResourceType[];
  private readonly store = new Map<string, JsonObject>();
  private readonly logs = new Map<string, LogEntry>();
  private readonly forbidden: ForbiddenRule[] = [];
  private allowed: Set<string> | undefined;
  private admission: AdmissionHook | undefined;
  private readonly token: string | undefined;
  private readonly now: () => string;
  private readonly server: Server;
  private revision = 1000;
  private uidSequence = 0;

  constructor(options: KubeApiDoubleOptions = {}) {
    this.types = [...BUILTIN_RESOURCES, ...(options.extraResources ?? [])];
    this.token = options.token;
    this.now = options.now ?? (() => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'));
    for (const object of options.objects ?? []) this.seed(object);
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        response.writeHead(500, { 'content-type': 'text/plain' });
        response.end(String(error));
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
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
    return {
      clusters: [{ name: 'double', server: this.url, skipTLSVerify: true }],
      users: [{ name: 'kubeguard', token }],
      contexts: [{ name: 'double', cluster: 'double', user: 'kubeguard', namespace: 'default' }],
      currentContext: 'double',
    };
  }

  /** The same as a kubeconfig file. */
  kubeconfigYaml(token = this.token ?? 'kube-api-double-token'): string {
    return [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: double\n  cluster: {server: "${this.url}", insecure-skip-tls-verify: true}`,
      'users:',
      `- name: kubeguard\n  user: {token: "${token}"}`,
      'contexts:',
      '- name: double\n  context: {cluster: double, user: kubeguard, namespace: default}',
      'current-context: double',
      '',
    ].join('\n');
  }

  /** Adds or replaces an object as if it had always been there (no request recorded). */
  seed(object: JsonObject): JsonObject {
    const type = this.typeOfObject(object);
    const stored = structuredClone(object);
    const metadata = metadataOf(stored);
    metadata.uid ??= this.nextUid();
    metadata.resourceVersion = this.nextRevision();
    metadata.creationTimestamp ??= this.now();
    if (GENERATIONAL.has(type.resource)) metadata.generation ??= 1;
    if (type.namespaced) metadata.namespace ??= 'default';
    else delete metadata.namespace;
    this.store.set(storeKey(type, metadata.namespace as string | undefined, metadata.name as string), stored);
    return structuredClone(stored);
  }

  /** Removes an object as if someone else had deleted it (no request recorded). */
  removeObject(resource: string, namespace: string | undefined, name: string): void {
    const type = this.typeOfResource(resource);
    this.store.delete(storeKey(type, type.namespaced ? namespace : undefined, name));
    this.nextRevision();
  }

  /** The stored object, or undefined. */
  object(resource: string, namespace: string | undefined, name: string): JsonObject | undefined {
    const type = this.typeOfResource(resource);
    const found = this.store.get(storeKey(type, type.namespaced ? namespace : undefined, name));
    return found === undefined ? undefined : structuredClone(found);
  }

  /** Every stored object of a resource, optionally in one namespace. */
  objects(resource: string, namespace?: string): JsonObject[] {
    const type = this.typeOfResource(resource);
    return this.objectsOf(type, namespace).map((o) => structuredClone(o));
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
    this.admission = hook;
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
    const url = new URL(request.url ?? '/', 'http://double');
    const text = await readBody(request);
    const record: RecordedRequest = {
      method: request.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      status: 0,
      ...(request.headers['content-type'] ? { contentType: request.headers['content-type'] } : {}),
      ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}),
    };
    this.requests.push(record);
    const answer = (status: number, body: unknown, contentType = 'application/json') => {
      record.status = status;
      response.writeHead(status, { 'content-type': contentType });
      response.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    try {
      this.authenticate(request.headers.authorization);
      const discovery = this.discovery(url.pathname);
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
        return [200, this.existing(route)];
      case 'list':
        return [200, this.list(route, query)];
      case 'create':
        return [201, this.create(route, record.body, dryRun)];
      case 'update':
        return [200, this.replace(route, record.body, dryRun)];
      case 'patch':
        return [200, this.patch(route, record.contentType, record.body, dryRun)];
      case 'delete':
        return [200, this.remove(route, record.body, dryRun)];
    }
  }

  private authenticate(authorization: string | undefined): void {
    if (this.token === undefined || authorization === `Bearer ${this.token}`) return;
    throw new ApiFailure(401, 'Unauthorized', 'Unauthorized');
  }

  private authorize(verb: KubeVerb, route: Route): void {
    const resource = route.subresource ? `${route.type.resource}/${route.subresource}` : route.type.resource;
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

  private discovery(path: string): unknown {
    if (path === '/api') return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] };
    if (path === '/apis') {
      const groups = [...new Set(this.types.filter((t) => t.group !== '').map((t) => t.group))];
      return {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: groups.map((name) => {
          const versions = [...new Set(this.types.filter((t) => t.group === name).map((t) => t.version))];
          const list = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
          return { name, versions: list, preferredVersion: list[0] };
        }),
      };
    }
    const match = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(path);
    if (!match) return undefined;
    const group = match[1] ? '' : (match[2] as string);
    const version = match[1] ?? (match[3] as string);
    const types = this.types.filter((t) => t.group === group && t.version === version);
    if (types.length === 0)
      throw new ApiFailure(404, 'NotFound', 'the server could not find the requested resource');
    const verbs = ['create', 'delete', 'get', 'list', 'patch', 'update'];
    return {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: group === '' ? version : `${group}/${version}`,
      resources: types.flatMap((t) => [
        {
          name: t.resource,
          singularName: t.kind.toLowerCase(),
          namespaced: t.namespaced,
          kind: t.kind,
          verbs,
        },
        ...(t.resource === 'pods'
          ? [{ name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] }]
          : []),
      ]),
    };
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
    const type = this.types.find(
      (t) => t.group === group && t.version === version && t.resource === resource,
    );
    if (!type || rest.length > 0 || (namespace !== undefined && !type.namespaced)) throw notFound;
    return {
      type,
      ...(namespace !== undefined ? { namespace } : {}),
      ...(name ? { name } : {}),
      ...(subresource ? { subresource } : {}),
    };
  }

  private existing(route: Route): JsonObject {
    const found = this.store.get(storeKey(route.type, route.namespace, route.name as string));
    if (!found) throw notFoundError(route.type, route.name as string);
    return structuredClone(found);
  }

  private list(route: Route, query: URLSearchParams): JsonObject {
    const labels = parseLabelSelector(query.get('labelSelector') ?? '');
    const fields = parseFieldSelector(query.get('fieldSelector') ?? '', [
      'metadata.name',
      'metadata.namespace',
      ...(route.type.fields ?? []),
    ]);
    const matching = this.objectsOf(route.type, route.namespace)
      .filter((o) => labels(labelsOf(o)) && fields(o))
      .sort((a, b) => objectKey(a).localeCompare(objectKey(b)));
    const offset = Number(query.get('continue') ?? '0') || 0;
    const limit = Number(query.get('limit') ?? '0') || matching.length;
    const page = matching.slice(offset, offset + limit);
    const next = offset + limit < matching.length ? String(offset + limit) : undefined;
    return {
      kind: `${route.type.kind}List`,
      apiVersion: apiVersionOf(route.type),
      metadata: { resourceVersion: String(this.revision), ...(next ? { continue: next } : {}) },
      items: page.map(({ kind: _kind, apiVersion: _apiVersion, ...item }) => structuredClone(item)),
    };
  }

  private create(route: Route, body: unknown, dryRun: boolean): JsonObject {
    if (route.name !== undefined || !isObject(body)) {
      throw new ApiFailure(400, 'BadRequest', 'create takes an object body on the collection path');
    }
    const object = structuredClone(body);
    const metadata = metadataOf(object);
    if (metadata.name === undefined && typeof metadata.generateName === 'string') {
      metadata.name = `${metadata.generateName}${(this.uidSequence + 1).toString(36).padStart(5, 'x')}`;
    }
    if (typeof metadata.name !== 'string' || metadata.name === '') {
      throw new ApiFailure(422, 'Invalid', `${route.type.kind} "" is invalid: metadata.name: Required value`);
    }
    if (route.type.namespaced) {
      if (metadata.namespace !== undefined && metadata.namespace !== route.namespace) {
        throw new ApiFailure(
          400,
          'BadRequest',
          `the namespace of the provided object does not match the namespace sent on the request`,
        );
      }
      metadata.namespace = route.namespace;
      if (
        !this.store.has(storeKey(this.typeOfResource('namespaces'), undefined, route.namespace as string))
      ) {
        throw notFoundError(this.typeOfResource('namespaces'), route.namespace as string);
      }
    }
    const key = storeKey(route.type, route.namespace, metadata.name);
    if (this.store.has(key)) {
      throw new ApiFailure(409, 'AlreadyExists', `${route.type.resource} "${metadata.name}" already exists`);
    }
    object.apiVersion = apiVersionOf(route.type);
    object.kind = route.type.kind;
    metadata.uid = this.nextUid();
    metadata.creationTimestamp = this.now();
    if (GENERATIONAL.has(route.type.resource)) metadata.generation = 1;
    delete metadata.resourceVersion;
    this.admit('CREATE', route, metadata.name, object, null, dryRun);
    if (dryRun) return object;
    metadata.resourceVersion = this.nextRevision();
    this.store.set(key, object);
    return structuredClone(object);
  }

  private replace(route: Route, body: unknown, dryRun: boolean): JsonObject {
    const current = this.existing(route);
    if (!isObject(body)) throw new ApiFailure(400, 'BadRequest', 'update takes an object body');
    return this.commit(route, current, structuredClone(body), dryRun);
  }

  private patch(route: Route, contentType: string | undefined, body: unknown, dryRun: boolean): JsonObject {
    const type = (contentType ?? '').split(';')[0]?.trim();
    const current = this.existing(route);
    let patched: unknown;
    if (type === 'application/strategic-merge-patch+json' && !route.type.custom) {
      patched = applyStrategicMergePatch(current, body);
    } else if (type === 'application/merge-patch+json') {
      patched = applyMergePatch(current, body);
    } else if (type === 'application/json-patch+json') {
      patched = applyJsonPatch(current, body);
    } else {
      throw new ApiFailure(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json${route.type.custom ? '' : ', application/strategic-merge-patch+json'}`,
      );
    }
    if (!isObject(patched)) throw new ApiFailure(422, 'Invalid', 'the patch left no object');
    return this.commit(route, current, patched, dryRun);
  }

  /** Stores `next` in place of `current` after the checks the API server makes on every write. */
  private commit(route: Route, current: JsonObject, next: JsonObject, dryRun: boolean): JsonObject {
    const before = metadataOf(current);
    const after = metadataOf(next);
    if (after.name !== before.name || (after.namespace ?? before.namespace) !== before.namespace) {
      throw new ApiFailure(
        400,
        'BadRequest',
        `the name of the object (${String(after.name)}) does not match the name on the URL (${String(before.name)})`,
      );
    }
    if (after.resourceVersion !== undefined && after.resourceVersion !== before.resourceVersion) {
      throw new ApiFailure(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${route.type.resource}${route.type.group ? `.${route.type.group}` : ''} "${String(before.name)}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
    if (after.uid !== undefined && after.uid !== before.uid) {
      // The API server validates metadata.uid as immutable: a patch naming another uid is refused.
      throw new ApiFailure(
        422,
        'Invalid',
        `${route.type.kind} "${String(before.name)}" is invalid: metadata.uid: Invalid value: "${String(after.uid)}": field is immutable`,
      );
    }
    next.apiVersion = current.apiVersion;
    next.kind = current.kind;
    after.uid = before.uid;
    after.creationTimestamp = before.creationTimestamp;
    if (route.type.namespaced) after.namespace = before.namespace;
    if (GENERATIONAL.has(route.type.resource)) {
      const specChanged = JSON.stringify(next.spec) !== JSON.stringify(current.spec);
      after.generation = Number(before.generation ?? 1) + (specChanged ? 1 : 0);
    }
    this.admit('UPDATE', route, before.name as string, next, current, dryRun);
    if (dryRun) return next;
    after.resourceVersion = this.nextRevision();
    this.store.set(storeKey(route.type, route.namespace, before.name as string), next);
    return structuredClone(next);
  }

  private remove(route: Route, body: unknown, dryRun: boolean): JsonObject {
    const current = this.existing(route);
    const metadata = metadataOf(current);
    const preconditions = isObject(body) && isObject(body.preconditions) ? body.preconditions : {};
    const mismatch = (['uid', 'resourceVersion'] as const).find(
      (field) => preconditions[field] !== undefined && preconditions[field] !== metadata[field],
    );
    if (mismatch) {
      throw new ApiFailure(
        409,
        'Conflict',
        `Precondition failed: ${mismatch} in precondition: ${String(preconditions[mismatch])}, ${mismatch} in object meta: ${String(metadata[mismatch])}`,
      );
    }
    this.admit('DELETE', route, metadata.name as string, null, current, dryRun);
    if (!dryRun) {
      this.store.delete(storeKey(route.type, route.namespace, metadata.name as string));
      this.nextRevision();
    }
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name: metadata.name, group: route.type.group, kind: route.type.resource, uid: metadata.uid },
    };
  }

  private admit(
    operation: AdmissionAttributes['operation'],
    route: Route,
    name: string,
    object: JsonObject | null,
    oldObject: JsonObject | null,
    dryRun: boolean,
  ): void {
    this.admission?.({
      operation,
      type: route.type,
      ...(route.namespace === undefined ? {} : { namespace: route.namespace }),
      name,
      object: object === null ? null : structuredClone(object),
      oldObject: oldObject === null ? null : structuredClone(oldObject),
      dryRun,
    });
  }

  private podLog(route: Route, query: URLSearchParams): string {
    const pod = this.existing(route);
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

  private objectsOf(type: ResourceType, namespace: string | undefined): JsonObject[] {
    const prefix = `${type.group}/${type.resource}/${type.namespaced && namespace !== undefined ? namespace : ''}`;
    return [...this.store.entries()]
      .filter(
        ([key]) =>
          key.startsWith(`${type.group}/${type.resource}/`) &&
          (namespace === undefined || key.startsWith(`${prefix}/`)),
      )
      .map(([, object]) => object);
  }

  private typeOfObject(object: JsonObject): ResourceType {
    const apiVersion = String(object.apiVersion ?? '');
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    const type = this.types.find((t) => t.group === group && t.version === version && t.kind === object.kind);
    if (!type) throw new Error(`the double does not serve ${apiVersion} ${String(object.kind)}`);
    return type;
  }

  private typeOfResource(resource: string): ResourceType {
    const type = this.types.find((t) => t.resource === resource);
    if (!type) throw new Error(`the double does not serve ${resource}`);
    return type;
  }

  private nextRevision(): string {
    this.revision += 1;
    return String(this.revision);
  }

  private nextUid(): string {
    this.uidSequence += 1;
    return `00000000-0000-4000-8000-${this.uidSequence.toString(16).padStart(12, '0')}`;
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

function storeKey(type: ResourceType, namespace: string | undefined, name: string): string {
  return `${type.group}/${type.resource}/${type.namespaced ? (namespace ?? '') : ''}/${name}`;
}

function apiVersionOf(type: ResourceType): string {
  return type.group === '' ? type.version : `${type.group}/${type.version}`;
}

function metadataOf(object: JsonObject): JsonObject {
  if (!isObject(object.metadata)) object.metadata = {};
  return object.metadata as JsonObject;
}

function labelsOf(object: JsonObject): Record<string, string> {
  const metadata = isObject(object.metadata) ? object.metadata : {};
  return isObject(metadata.labels) ? (metadata.labels as Record<string, string>) : {};
}

function objectKey(object: JsonObject): string {
  const metadata = isObject(object.metadata) ? object.metadata : {};
  return `${String(metadata.namespace ?? '')}/${String(metadata.name ?? '')}`;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function notFoundError(type: ResourceType, name: string): ApiFailure {
  const failure = new ApiFailure(
    404,
    'NotFound',
    `${type.resource}${type.group ? `.${type.group}` : ''} "${name}" not found`,
  );
  return Object.assign(failure, { details: { name, group: type.group, kind: type.resource } });
}

function statusObject(failure: ApiFailure): JsonObject {
  const details = (failure as ApiFailure & { details?: JsonObject }).details;
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: failure.message,
    reason: failure.reason,
    ...(details ? { details } : {}),
    code: failure.status,
  };
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
