/**
 * The Kubernetes audit Event (`audit.k8s.io/v1` and `v1beta1`) as far as the rules read it.
 * Every field is optional and untrusted: the decoder checks only the minimum (kind, auditID, verb),
 * and rules must tolerate any other field being absent or of the wrong type.
 */
export interface AuditUser {
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

export interface AuditObjectRef {
  resource?: string;
  namespace?: string;
  name?: string;
  apiGroup?: string;
  apiVersion?: string;
  subresource?: string;
}

export interface AuditEvent {
  kind?: string;
  apiVersion?: string;
  level?: string;
  auditID: string;
  stage?: string;
  requestURI?: string;
  verb: string;
  user?: AuditUser;
  impersonatedUser?: AuditUser;
  sourceIPs?: string[];
  userAgent?: string;
  objectRef?: AuditObjectRef;
  responseStatus?: { code?: number; reason?: string; status?: string; message?: string };
  requestObject?: unknown;
  responseObject?: unknown;
  requestReceivedTimestamp?: string;
  stageTimestamp?: string;
  timestamp?: string;
  annotations?: Record<string, string>;
}

type UnknownRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is UnknownRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function asStringArray(value: unknown): string[] {
  return asArray(value).filter((item): item is string => typeof item === 'string');
}

/** Reads a nested property path without throwing on missing or mistyped intermediate values. */
export function getPath(value: unknown, ...path: string[]): unknown {
  let current: unknown = value;
  for (const key of path) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}

function responseCode(event: AuditEvent): number | undefined {
  const code = event.responseStatus?.code;
  return typeof code === 'number' ? code : undefined;
}

function authorizationDecision(event: AuditEvent): string | undefined {
  return asString(event.annotations?.['authorization.k8s.io/decision']);
}

/** Catalog convention: success = 2xx or 101; without responseStatus, the authorization decision is allow. */
export function isSuccess(event: AuditEvent): boolean {
  const code = responseCode(event);
  if (code === undefined) return authorizationDecision(event) === 'allow';
  return code === 101 || (code >= 200 && code < 300);
}

/** Catalog convention: denied = 401/403, or decision forbid without a response code. */
export function isDenied(event: AuditEvent): boolean {
  const code = responseCode(event);
  if (code === undefined) return authorizationDecision(event) === 'forbid';
  return code === 401 || code === 403;
}

export function statusCode(event: AuditEvent): number | undefined {
  return responseCode(event);
}

export function username(event: AuditEvent): string {
  return asString(event.user?.username) ?? '';
}

export function userGroups(event: AuditEvent): string[] {
  return asStringArray(event.user?.groups);
}

/** Catalog convention: `system:` and `eks:` usernames (all service accounts included) are system principals. */
export function isSystemPrincipal(name: string): boolean {
  return name.startsWith('system:') || name.startsWith('eks:');
}

export function resource(event: AuditEvent): string {
  return asString(event.objectRef?.resource) ?? '';
}

export function subresource(event: AuditEvent): string {
  return asString(event.objectRef?.subresource) ?? '';
}

export function namespaceOf(event: AuditEvent): string | undefined {
  const ns = asString(event.objectRef?.namespace);
  return ns === '' ? undefined : ns;
}

export function objectName(event: AuditEvent): string | undefined {
  const name = asString(event.objectRef?.name);
  return name === '' ? undefined : name;
}

/** True when the event is `verb` on `resource` (optionally with the given subresource, '' = none). */
export function isRequestOn(
  event: AuditEvent,
  verbs: readonly string[],
  resources: readonly string[],
  sub?: string,
): boolean {
  if (!verbs.includes(event.verb)) return false;
  if (!resources.includes(resource(event))) return false;
  return sub === undefined || subresource(event) === sub;
}

/** The pod spec of a successful `create pods` without subresource, else undefined. */
export function createdPodSpec(event: AuditEvent): UnknownRecord | undefined {
  if (event.verb !== 'create' || resource(event) !== 'pods' || subresource(event) !== '') return undefined;
  if (!isSuccess(event)) return undefined;
  const spec = getPath(event.requestObject, 'spec');
  return isRecord(spec) ? spec : undefined;
}

export interface ContainerView {
  name: string;
  image: string;
  kind: 'container' | 'initContainer' | 'ephemeralContainer';
  raw: UnknownRecord;
}

/** containers ∪ initContainers ∪ ephemeralContainers of a pod spec. */
export function allContainers(spec: UnknownRecord): ContainerView[] {
  const groups: [string, ContainerView['kind']][] = [
    ['containers', 'container'],
    ['initContainers', 'initContainer'],
    ['ephemeralContainers', 'ephemeralContainer'],
  ];
  const result: ContainerView[] = [];
  for (const [key, kind] of groups) {
    for (const item of asArray(spec[key])) {
      if (!isRecord(item)) continue;
      result.push({ name: asString(item.name) ?? '', image: asString(item.image) ?? '', kind, raw: item });
    }
  }
  return result;
}

/**
 * The repository of an image reference without registry host, tag or digest:
 * `docker.io/falcosecurity/falco:0.39` → `falcosecurity/falco`.
 */
export function imageRepository(image: string): string {
  let ref = image.split('@')[0] ?? '';
  const lastSlash = ref.lastIndexOf('/');
  const lastColon = ref.lastIndexOf(':');
  if (lastColon > lastSlash) ref = ref.slice(0, lastColon);
  const parts = ref.split('/');
  const first = parts[0] ?? '';
  const hasRegistryHost =
    parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  return (hasRegistryHost ? parts.slice(1) : parts).join('/');
}

/** Allow-list entries as repositories, computed once per list (the lists live as long as the config). */
const allowedRepositories = new WeakMap<readonly string[], string[]>();

function repositoriesOf(allowList: readonly string[]): string[] {
  let repositories = allowedRepositories.get(allowList);
  if (repositories === undefined) {
    repositories = allowList.map(imageRepository);
    allowedRepositories.set(allowList, repositories);
  }
  return repositories;
}

/** True when the image's repository equals an allow-list entry or ends with `/<entry>`. */
export function imageAllowed(image: string, allowList: readonly string[]): boolean {
  const repo = imageRepository(image);
  return repositoriesOf(allowList).some(
    (allowed) => repo === allowed || repo.endsWith(`/${allowed}`) || repo === `library/${allowed}`,
  );
}

/** The request path without its query string. */
export function requestPath(event: AuditEvent): string {
  const uri = asString(event.requestURI) ?? '';
  const q = uri.indexOf('?');
  return q === -1 ? uri : uri.slice(0, q);
}

/** URL-decoded values of a repeated query parameter of requestURI (e.g. exec `command=`). */
export function queryParams(event: AuditEvent, name: string): string[] {
  const uri = asString(event.requestURI) ?? '';
  const q = uri.indexOf('?');
  if (q === -1) return [];
  try {
    return new URLSearchParams(uri.slice(q + 1)).getAll(name);
  } catch {
    return [];
  }
}

/** The time of the event: stageTimestamp, requestReceivedTimestamp or v1beta1 timestamp. */
export function eventTime(event: AuditEvent): string | undefined {
  return (
    asString(event.stageTimestamp) ?? asString(event.requestReceivedTimestamp) ?? asString(event.timestamp)
  );
}
