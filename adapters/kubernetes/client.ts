import { type ErrorCode, KubeguardError } from '#core/errors.ts';
import { KUBE_KINDS, type KubeKind, servedVersions } from '#core/model/kube-kinds.ts';
import { describeRef, type KubeObject } from '#core/model/kube-object.ts';
import type {
  DeletePreconditions,
  KubeClient,
  ListQuery,
  ObjectRef,
  PatchType,
  PodLogRef,
} from '#core/remediation/ports.ts';
import { PATCH_CONTENT_TYPES } from '#core/remediation/ports.ts';
import { mapLimited } from '../aws/collect-support.ts';
import {
  DEFAULT_REQUEST_TIMEOUT_MS,
  type KubeAccess,
  type KubeRequest,
  sendKubeRequest,
  serverOf,
} from './http.ts';

/**
 * The one Kubernetes adapter: posture (snapshot-collector.ts), `kubeguard netpol`
 * (netpol-source.ts) and remediation read and write through it.
 *
 * - Objects are exactly the JSON the API server sent (decision D12): nothing goes through
 *   client-node's generated models, which drop fields they do not know and rename NetworkPolicy
 *   `from` to `_from`. Written objects and patches go out as given.
 * - Lists are paged (`limit`, `continue`) to the end; list items get back the `kind` and
 *   `apiVersion` the API leaves out of them.
 * - Every request is bounded by a timeout (KubeApiTimeoutError names the URL and the limit).
 * - Kinds an operator may serve at an older version (External Secrets `v1beta1` before ESO 0.17)
 *   are read at the version the server serves, found through discovery.
 * - `listEach` lists several kinds and reports each failure on its own ("no permission to list
 *   clusterrolebindings"), so one forbidden kind does not stop the rest.
 *
 * API errors become KubeguardErrors carrying the HTTP status and the Status `reason` (see
 * core/remediation/ports.ts for the mapping).
 */

export interface KubeClientOptions {
  /**
   * The cluster to talk to; a function is called before every request, so an EKS token source
   * (adapters/kubernetes/kubeconfig.ts `kubeConfigForEks`) can renew its token.
   */
  kubeConfig: KubeAccess | (() => KubeAccess | Promise<KubeAccess>);
  /** Items per list page; longer lists are followed through `continue` tokens. @default 500 */
  pageSize?: number;
  /** The field manager recorded for every write. @default 'kubeguard' */
  fieldManager?: string;
  /** Limit on each request (connection, headers and body). @default 30000 */
  requestTimeoutMs?: number;
}

/** The result of one list of `listEach`: the objects, or why there are none. */
export type ListOutcome =
  | { query: ListQuery; objects: KubeObject[] }
  | {
      query: ListQuery;
      error: KubeguardError;
      /** `no permission to list clusterrolebindings`, `External Secrets Operator is not installed` … */
      reason: string;
      /** The kind is a custom resource whose operator is not installed: there are none. */
      notInstalled: boolean;
    };

export interface KubeApiClient extends KubeClient {
  /** Lists each query (four at a time); a failure is reported for its query and the others go on. */
  listEach(queries: readonly ListQuery[]): Promise<ListOutcome[]>;
  /** Every object of a resource given by its group version (in one namespace, or all). */
  listResource(at: ResourceAt, query?: Omit<ListQuery, 'kind'>): Promise<KubeObject[]>;
  /** GET of a path outside the kinds table (e.g. `/api/v1/nodes/<name>/proxy/configz`), as text. */
  getText(path: string, what: string): Promise<string>;
  /** The API server URL, for messages. */
  server(): Promise<string>;
}

/**
 * A resource given by where it is served rather than by a kind of the table: what `listResource`
 * lists (e.g. each group a policy engine may serve its kinds from).
 */
export interface ResourceAt {
  /** `crd.projectcalico.org/v1` */
  apiVersion: string;
  /** `networkpolicies` */
  resource: string;
  namespaced: boolean;
  /** The kind of its objects, for messages and for items the list does not name. */
  kind: string;
}

/** What a request is about, for messages: the object (or `(list)`) and its resource. */
interface Target {
  kind: string;
  namespace?: string;
  name: string;
  resource: string;
}

function targetOf(ref: { kind: KubeKind; namespace?: string; name: string }): Target {
  return { ...ref, resource: KUBE_KINDS[ref.kind].resource };
}

/** Kinds kubeguard patches: pods and nodes (remediation), workloads (rollout restarts), ESO force-sync. */
const PATCHABLE: ReadonlySet<KubeKind> = new Set<KubeKind>([
  'Pod',
  'Node',
  'NetworkPolicy',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ExternalSecret',
  'ClusterExternalSecret',
  'Rollout',
]);
/** Kinds kubeguard creates and deletes: its quarantine policies. */
const CREATABLE: ReadonlySet<KubeKind> = new Set<KubeKind>(['NetworkPolicy']);
const DELETABLE: ReadonlySet<KubeKind> = new Set<KubeKind>(['NetworkPolicy']);

const DEFAULT_PAGE_SIZE = 500;
const LIST_CONCURRENCY = 4;

export function createKubeClient(options: KubeClientOptions): KubeApiClient {
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const fieldManager = options.fieldManager ?? 'kubeguard';
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const config = async (): Promise<KubeAccess> =>
    typeof options.kubeConfig === 'function' ? await options.kubeConfig() : options.kubeConfig;
  /** The group version each kind is served at, resolved once per client. */
  const served = new Map<KubeKind, Promise<string>>();

  /** One exchange; an HTTP error status becomes a KubeguardError. */
  const exchange = async (request: KubeRequest, verb: string, target: Target): Promise<string> => {
    const kubeConfig = await config();
    const response = await sendKubeRequest(kubeConfig, request, {
      timeoutMs,
      what: `${verb} ${describeRef(target)}`,
    });
    if (response.status >= 400)
      throw apiError(response.status, response.text, verb, target, serverOf(kubeConfig));
    return response.text;
  };

  const servedVersion = (kind: KubeKind): Promise<string> => {
    const info = KUBE_KINDS[kind];
    if (info.olderVersions === undefined || info.olderVersions.length === 0) {
      return Promise.resolve(info.apiVersion);
    }
    let resolved = served.get(kind);
    if (resolved === undefined) {
      // "Not installed" holds for the client's life; a failed discovery is asked again next time.
      resolved = discoverVersion(kind).catch((error: unknown) => {
        if (!(error instanceof KubeguardError && error.details.notInstalled === true)) served.delete(kind);
        throw error;
      });
      served.set(kind, resolved);
    }
    return resolved;
  };

  /** The first group version, preferred first, whose discovery document lists the kind's resource. */
  const discoverVersion = async (kind: KubeKind): Promise<string> => {
    const info = KUBE_KINDS[kind];
    const versions = servedVersions(kind);
    const kubeConfig = await config();
    for (const apiVersion of versions) {
      const response = await sendKubeRequest(
        kubeConfig,
        { method: 'GET', path: `/apis/${apiVersion}` },
        { timeoutMs, what: `discover ${apiVersion}` },
      );
      if (response.status === 404) continue;
      // Discovery refused or broken: read at the preferred version and let that request report.
      if (response.status !== 200) return info.apiVersion;
      if (discoveredResources(response.text).includes(info.resource)) return apiVersion;
    }
    throw new KubeguardError(
      'NOT_FOUND',
      `the Kubernetes API at ${serverOf(kubeConfig)} does not serve ${kind} (${versions.join(', ')}): ${info.installedBy ?? 'its operator'} is not installed`,
      { details: { status: 404, reason: 'NotFound', kind, notInstalled: true } },
    );
  };

  const objectPath = async (ref: ObjectRef, verb: string): Promise<{ path: string; apiVersion: string }> => {
    const info = KUBE_KINDS[ref.kind];
    if (info.namespaced && !ref.namespace) {
      throw new KubeguardError(
        'INVALID_ARGUMENT',
        `${verb} ${describeRef(ref)}: ${ref.kind} is namespaced; give its namespace`,
        {
          details: { verb, target: describeRef(ref) },
        },
      );
    }
    const apiVersion = await servedVersion(ref.kind);
    const at = { apiVersion, resource: info.resource, namespaced: info.namespaced, kind: ref.kind };
    return { path: `${resourcePath(at, ref.namespace)}/${encodeURIComponent(ref.name)}`, apiVersion };
  };

  const listResource = async (at: ResourceAt, query: Omit<ListQuery, 'kind'> = {}): Promise<KubeObject[]> => {
    const path = resourcePath(at, query.namespace);
    const target: Target = {
      kind: at.kind,
      name: '(list)',
      resource: at.resource,
      ...(at.namespaced && query.namespace ? { namespace: query.namespace } : {}),
    };
    const items: KubeObject[] = [];
    let token: string | undefined;
    do {
      const text = await exchange(
        {
          method: 'GET',
          path,
          query: {
            limit: String(pageSize),
            labelSelector: query.labelSelector || undefined,
            fieldSelector: query.fieldSelector || undefined,
            continue: token,
          },
        },
        'list',
        target,
      );
      const page = parseJson(text, 'list', target) as {
        kind?: unknown;
        items?: unknown;
        metadata?: { continue?: unknown };
      };
      if (!Array.isArray(page.items)) {
        throw new KubeguardError(
          'UPSTREAM',
          `the Kubernetes API answered list ${describeRef(target)} without an items list: ${text.slice(0, 200)}`,
        );
      }
      // Items carry no kind: the list's own (`NetworkPolicyList`) names it, which is not always the
      // table's key (Calico's NetworkPolicy is listed as CalicoNetworkPolicy).
      const itemKind =
        typeof page.kind === 'string' && /^[A-Za-z]+List$/.test(page.kind) && page.kind !== 'List'
          ? page.kind.slice(0, -4)
          : at.kind;
      items.push(...(page.items as KubeObject[]).map((item) => withKind(item, itemKind, at.apiVersion)));
      const next = page.metadata?.continue;
      token = typeof next === 'string' && next !== '' ? next : undefined;
    } while (token !== undefined);
    return items;
  };

  const list = async ({ kind, ...query }: ListQuery): Promise<KubeObject[]> => {
    const info = KUBE_KINDS[kind];
    const apiVersion = await servedVersion(kind);
    return listResource({ apiVersion, resource: info.resource, namespaced: info.namespaced, kind }, query);
  };

  return {
    async get(ref) {
      const { path, apiVersion } = await objectPath(ref, 'get');
      const text = await exchange({ method: 'GET', path }, 'get', targetOf(ref));
      return withKind(parseJson(text, 'get', targetOf(ref)), ref.kind, apiVersion);
    },

    list,
    listResource,

    async listEach(queries) {
      return mapLimited(queries, LIST_CONCURRENCY, async (query): Promise<ListOutcome> => {
        try {
          return { query, objects: await list(query) };
        } catch (error) {
          if (!(error instanceof KubeguardError)) throw error;
          return { query, error, ...describeFailure(query, error) };
        }
      });
    },

    async podLog(ref: PodLogRef) {
      const target: Target = {
        kind: 'Pod',
        namespace: ref.namespace,
        name: `${ref.pod}/log`,
        resource: 'pods/log',
      };
      const path = `/api/v1/namespaces/${encodeURIComponent(ref.namespace)}/pods/${encodeURIComponent(ref.pod)}/log`;
      return exchange(
        {
          method: 'GET',
          path,
          query: { container: ref.container, ...(ref.previous ? { previous: 'true' } : {}) },
        },
        'get',
        target,
      );
    },

    async getText(path, what) {
      const kubeConfig = await config();
      const response = await sendKubeRequest(kubeConfig, { method: 'GET', path }, { timeoutMs, what });
      if (response.status >= 400) {
        const body = statusOf(response.text);
        throw new KubeguardError(
          CODES[response.status] ?? 'UPSTREAM',
          `the Kubernetes API refused to ${what} (HTTP ${response.status} ${body.reason ?? ''}): ${body.message ?? response.text.slice(0, 300)}`,
          {
            details: {
              status: response.status,
              reason: body.reason ?? `HTTP ${response.status}`,
              url: response.url,
            },
          },
        );
      }
      return response.text;
    },

    async server() {
      return serverOf(await config());
    },

    async create(object) {
      const kind = object.kind as KubeKind;
      const namespace = object.metadata.namespace;
      if (!CREATABLE.has(kind) || namespace === undefined) throw unsupported('create', object.kind);
      const ref = targetOf({ kind, namespace, name: object.metadata.name });
      const apiVersion = await servedVersion(kind);
      const info = KUBE_KINDS[kind];
      const text = await exchange(
        {
          method: 'POST',
          path: resourcePath(
            { apiVersion, resource: info.resource, namespaced: info.namespaced, kind },
            namespace,
          ),
          query: { fieldManager },
          body: JSON.stringify(object),
          contentType: 'application/json',
        },
        'create',
        ref,
      );
      return withKind(parseJson(text, 'create', ref), kind, apiVersion);
    },

    async patch(ref, patch) {
      if (!PATCHABLE.has(ref.kind)) throw unsupported('patch', ref.kind);
      const { path, apiVersion } = await objectPath(ref, 'patch');
      const text = await exchange(
        {
          method: 'PATCH',
          path,
          query: { fieldManager },
          body: JSON.stringify(patch.body),
          contentType: PATCH_CONTENT_TYPES[patch.type as PatchType],
        },
        'patch',
        targetOf(ref),
      );
      return withKind(parseJson(text, 'patch', targetOf(ref)), ref.kind, apiVersion);
    },

    async delete(ref, preconditions?: DeletePreconditions) {
      if (!DELETABLE.has(ref.kind)) throw unsupported('delete', ref.kind);
      const { path } = await objectPath(ref, 'delete');
      await exchange(
        {
          method: 'DELETE',
          path,
          body: JSON.stringify(preconditions ? { preconditions } : {}),
          contentType: 'application/json',
        },
        'delete',
        targetOf(ref),
      );
    },
  };
}

/** `/api/v1/namespaces/shop/pods`, `/apis/apps/v1/deployments`: the collection of a resource. */
function resourcePath(at: ResourceAt, namespace: string | undefined): string {
  const base = at.apiVersion.includes('/') ? `/apis/${at.apiVersion}` : `/api/${at.apiVersion}`;
  const scope = at.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${scope}/${at.resource}`;
}

function discoveredResources(text: string): string[] {
  try {
    const list = JSON.parse(text) as { resources?: { name?: unknown }[] };
    return (list.resources ?? []).map((resource) => String(resource.name));
  } catch {
    return [];
  }
}

/** Why a list of `listEach` has no objects, in the words a report shows. */
function describeFailure(query: ListQuery, error: KubeguardError): { reason: string; notInstalled: boolean } {
  const info = KUBE_KINDS[query.kind];
  const where = query.namespace ? ` in namespace ${query.namespace}` : '';
  if (error.details.notInstalled === true || (info.installedBy !== undefined && error.code === 'NOT_FOUND')) {
    return {
      reason: `${info.installedBy ?? 'its operator'} is not installed (no ${info.resource})`,
      notInstalled: true,
    };
  }
  if (error.details.status === 403)
    return { reason: `no permission to list ${info.resource}${where}`, notInstalled: false };
  return { reason: `listing ${info.resource}${where} failed: ${error.message}`, notInstalled: false };
}

interface StatusBody {
  reason?: string;
  message?: string;
}

const CODES: Record<number, ErrorCode> = {
  400: 'INVALID_ARGUMENT',
  401: 'FORBIDDEN',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  415: 'UNSUPPORTED',
  422: 'INVALID_ARGUMENT',
  429: 'RATE_LIMITED',
};

function apiError(
  status: number,
  text: string,
  verb: string,
  target: Target,
  server: string,
): KubeguardError {
  const what = `${verb} ${describeRef(target)}`;
  const body = statusOf(text);
  const reason = body.reason ?? `HTTP ${status}`;
  const code = CODES[status] ?? 'UPSTREAM';
  const hint =
    status === 403
      ? `; the bot's ClusterRole (deploy/kubernetes/rbac.yaml) needs "${verb}" on ${target.resource}`
      : status === 401
        ? `; the token was refused by ${server}: check the EKS access entry of the worker role and the clock`
        : '';
  return new KubeguardError(
    code,
    `the Kubernetes API refused to ${what} (HTTP ${status} ${reason}): ${body.message ?? (text.slice(0, 300) || 'no message')}${hint}`,
    { details: { status, reason, verb, target: describeRef(target) } },
  );
}

function statusOf(text: string): StatusBody {
  if (!text) return {};
  try {
    const parsed = JSON.parse(text) as StatusBody;
    return typeof parsed === 'object' && parsed !== null ? parsed : {};
  } catch {
    return {};
  }
}

function parseJson(text: string, verb: string, target: Target): KubeObject {
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as KubeObject;
  } catch (error) {
    throw new KubeguardError(
      'UPSTREAM',
      `the Kubernetes API answered ${verb} ${describeRef(target)} with something other than JSON: ${text.slice(0, 200)}`,
      { cause: error },
    );
  }
  throw new KubeguardError(
    'UPSTREAM',
    `the Kubernetes API answered ${verb} ${describeRef(target)} with JSON that is not an object: ${text.slice(0, 200)}`,
  );
}

/** List items come without kind and apiVersion; put them back so objects describe themselves. */
function withKind(object: KubeObject, kind: string, apiVersion: string): KubeObject {
  return { ...object, apiVersion: object.apiVersion ?? apiVersion, kind: object.kind ?? kind };
}

function unsupported(verb: string, kind: string): KubeguardError {
  return new KubeguardError('UNSUPPORTED', `kubeguard's Kubernetes client does not ${verb} ${kind} objects`, {
    details: { verb, kind },
  });
}
