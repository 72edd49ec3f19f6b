import {
  ApiException,
  AppsV1Api,
  BatchV1Api,
  type ConfigurationOptions,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  NetworkingV1Api,
  Observable,
  type ObservableMiddleware,
  PatchStrategy,
  PolicyV1Api,
  RbacAuthorizationV1Api,
  type RequestContext,
  ResponseContext,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { type ErrorCode, KubeguardError } from '#core/errors.ts';
import { KUBE_KINDS, type KubeKind } from '#core/model/kube-kinds.ts';
import { describeRef, type KubeObject } from '#core/model/kube-object.ts';
import type {
  DeletePreconditions,
  KubeClient,
  ListQuery,
  ObjectRef,
  PatchType,
  PodLogRef,
} from '#core/remediation/ports.ts';

/**
 * The KubeReader/KubeWriter ports on @kubernetes/client-node 2, through its typed API classes.
 *
 * Two things client-node does by default are wrong for remediation, and are overridden per call:
 * - PATCH goes out as `application/json-patch+json` whatever the body; each patch here sets its own
 *   Content-Type with `setHeaderOptions` (strategic merge, merge or JSON patch).
 * - Responses are deserialized into generated model classes, which drop fields the models do not
 *   know and rename some (`from` becomes `_from` in NetworkPolicy rules), and requests are
 *   serialized back through the same models. A forensic bundle must hold what the API server
 *   said, and a plan must go out as written: a middleware keeps the response text and sends
 *   created objects' JSON as is.
 *
 * API errors become KubeguardErrors carrying the HTTP status and the Status `reason` (see
 * core/remediation/ports.ts for the mapping).
 */

export interface KubeClientOptions {
  /**
   * The cluster to talk to; a function is called before every request, so an EKS token source
   * (adapters/kubernetes/kubeconfig.ts `kubeConfigForEks`) can renew its token.
   */
  kubeConfig: KubeConfig | (() => KubeConfig | Promise<KubeConfig>);
  /** Items per list page; longer lists are followed through `continue` tokens. @default 500 */
  pageSize?: number;
  /** The field manager recorded for every write. @default 'kubeguard' */
  fieldManager?: string;
}

interface Apis {
  core: CoreV1Api;
  apps: AppsV1Api;
  batch: BatchV1Api;
  policy: PolicyV1Api;
  networking: NetworkingV1Api;
  rbac: RbacAuthorizationV1Api;
  custom: CustomObjectsApi;
  server: string;
}

type Options = ConfigurationOptions<ObservableMiddleware>;
type NameParams = { name: string; namespace: string };
type ListParams = { labelSelector?: string; fieldSelector?: string; limit: number; _continue?: string };

interface KindCalls {
  get(apis: Apis, params: NameParams, options: Options): Promise<unknown>;
  list(apis: Apis, namespace: string | undefined, params: ListParams, options: Options): Promise<unknown>;
}

/** One row per kind: the typed call for a read of one object, and for a list (in a namespace or all). */
const READS: Partial<Record<KubeKind, KindCalls>> = {
  Pod: {
    get: (a, p, o) => a.core.readNamespacedPod(p, o),
    list: (a, ns, p, o) =>
      ns ? a.core.listNamespacedPod({ ...p, namespace: ns }, o) : a.core.listPodForAllNamespaces(p, o),
  },
  Namespace: {
    get: (a, p, o) => a.core.readNamespace({ name: p.name }, o),
    list: (a, _ns, p, o) => a.core.listNamespace(p, o),
  },
  Node: {
    get: (a, p, o) => a.core.readNode({ name: p.name }, o),
    list: (a, _ns, p, o) => a.core.listNode(p, o),
  },
  Service: {
    get: (a, p, o) => a.core.readNamespacedService(p, o),
    list: (a, ns, p, o) =>
      ns
        ? a.core.listNamespacedService({ ...p, namespace: ns }, o)
        : a.core.listServiceForAllNamespaces(p, o),
  },
  Event: {
    get: (a, p, o) => a.core.readNamespacedEvent(p, o),
    list: (a, ns, p, o) =>
      ns ? a.core.listNamespacedEvent({ ...p, namespace: ns }, o) : a.core.listEventForAllNamespaces(p, o),
  },
  ServiceAccount: {
    get: (a, p, o) => a.core.readNamespacedServiceAccount(p, o),
    list: (a, ns, p, o) =>
      ns
        ? a.core.listNamespacedServiceAccount({ ...p, namespace: ns }, o)
        : a.core.listServiceAccountForAllNamespaces(p, o),
  },
  Secret: {
    get: (a, p, o) => a.core.readNamespacedSecret(p, o),
    list: (a, ns, p, o) =>
      ns ? a.core.listNamespacedSecret({ ...p, namespace: ns }, o) : a.core.listSecretForAllNamespaces(p, o),
  },
  ConfigMap: {
    get: (a, p, o) => a.core.readNamespacedConfigMap(p, o),
    list: (a, ns, p, o) =>
      ns
        ? a.core.listNamespacedConfigMap({ ...p, namespace: ns }, o)
        : a.core.listConfigMapForAllNamespaces(p, o),
  },
  NetworkPolicy: {
    get: (a, p, o) => a.networking.readNamespacedNetworkPolicy(p, o),
    list: (a, ns, p, o) =>
      ns
        ? a.networking.listNamespacedNetworkPolicy({ ...p, namespace: ns }, o)
        : a.networking.listNetworkPolicyForAllNamespaces(p, o),
  },
  Role: {
    get: (a, p, o) => a.rbac.readNamespacedRole(p, o),
    list: (a, ns, p, o) =>
      ns ? a.rbac.listNamespacedRole({ ...p, namespace: ns }, o) : a.rbac.listRoleForAllNamespaces(p, o),
  },
  RoleBinding: {
    get: (a, p, o) => a.rbac.readNamespacedRoleBinding(p, o),
    list: (a, ns, p, o) =>
      ns
        ? a.rbac.listNamespacedRoleBinding({ ...p, namespace: ns }, o)
        : a.rbac.listRoleBindingForAllNamespaces(p, o),
  },
  ClusterRole: {
    get: (a, p, o) => a.rbac.readClusterRole({ name: p.name }, o),
    list: (a, _ns, p, o) => a.rbac.listClusterRole(p, o),
  },
  ClusterRoleBinding: {
    get: (a, p, o) => a.rbac.readClusterRoleBinding({ name: p.name }, o),
    list: (a, _ns, p, o) => a.rbac.listClusterRoleBinding(p, o),
  },
  Deployment: {
    get: (a, p, o) => a.apps.readNamespacedDeployment(p, o),
    list: (a, ns, p, o) =>
      ns
        ? a.apps.listNamespacedDeployment({ ...p, namespace: ns }, o)
        : a.apps.listDeploymentForAllNamespaces(p, o),
  },
  ReplicaSet: {
    get: (a, p, o) => a.apps.readNamespacedReplicaSet(p, o),
    list: (a, ns, p, o) =>
      ns
        ? a.apps.listNamespacedReplicaSet({ ...p, namespace: ns }, o)
        : a.apps.listReplicaSetForAllNamespaces(p, o),
  },
  StatefulSet: {
    get: (a, p, o) => a.apps.readNamespacedStatefulSet(p, o),
    list: (a, ns, p, o) =>
      ns
        ? a.apps.listNamespacedStatefulSet({ ...p, namespace: ns }, o)
        : a.apps.listStatefulSetForAllNamespaces(p, o),
  },
  DaemonSet: {
    get: (a, p, o) => a.apps.readNamespacedDaemonSet(p, o),
    list: (a, ns, p, o) =>
      ns
        ? a.apps.listNamespacedDaemonSet({ ...p, namespace: ns }, o)
        : a.apps.listDaemonSetForAllNamespaces(p, o),
  },
  Job: {
    get: (a, p, o) => a.batch.readNamespacedJob(p, o),
    list: (a, ns, p, o) =>
      ns ? a.batch.listNamespacedJob({ ...p, namespace: ns }, o) : a.batch.listJobForAllNamespaces(p, o),
  },
  PodDisruptionBudget: {
    get: (a, p, o) => a.policy.readNamespacedPodDisruptionBudget(p, o),
    list: (a, ns, p, o) =>
      ns
        ? a.policy.listNamespacedPodDisruptionBudget({ ...p, namespace: ns }, o)
        : a.policy.listPodDisruptionBudgetForAllNamespaces(p, o),
  },
  ExternalSecret: customReads('ExternalSecret'),
  SecretProviderClass: customReads('SecretProviderClass'),
};

/** Group, version and plural of a custom resource kind, for the CustomObjectsApi calls. */
function customResource(kind: KubeKind): { group: string; version: string; plural: string } {
  const { apiVersion, resource } = KUBE_KINDS[kind];
  const [group = '', version = ''] = apiVersion.split('/');
  return { group, version, plural: resource };
}

function customReads(kind: KubeKind): KindCalls {
  const { group, version, plural } = customResource(kind);
  return {
    get: (a, p, o) => a.custom.getNamespacedCustomObject({ group, version, plural, ...p }, o),
    list: (a, ns, p, o) =>
      ns
        ? a.custom.listNamespacedCustomObject({ group, version, plural, namespace: ns, ...p }, o)
        : a.custom.listCustomObjectForAllNamespaces({ group, version, resourcePlural: plural, ...p }, o),
  };
}

type PatchParams = NameParams & { body: unknown; fieldManager: string };
type PatchCall = (apis: Apis, params: PatchParams, options: Options) => Promise<unknown>;

/** Kinds kubeguard patches: pods and nodes (remediation), workloads (rollout restarts), policies. */
const PATCHES: Partial<Record<KubeKind, PatchCall>> = {
  Pod: (a, p, o) => a.core.patchNamespacedPod(p, o),
  Node: (a, { name, body, fieldManager }, o) => a.core.patchNode({ name, body, fieldManager }, o),
  NetworkPolicy: (a, p, o) => a.networking.patchNamespacedNetworkPolicy(p, o),
  Deployment: (a, p, o) => a.apps.patchNamespacedDeployment(p, o),
  StatefulSet: (a, p, o) => a.apps.patchNamespacedStatefulSet(p, o),
  DaemonSet: (a, p, o) => a.apps.patchNamespacedDaemonSet(p, o),
  /** External Secrets Operator's force-sync annotation (merge patch: custom resources refuse strategic merge). */
  ExternalSecret: (a, p, o) =>
    a.custom.patchNamespacedCustomObject({ ...customResource('ExternalSecret'), ...p }, o),
};

type CreateCall = (apis: Apis, namespace: string, fieldManager: string, options: Options) => Promise<unknown>;

/**
 * Kinds kubeguard creates. The body handed to client-node is a placeholder: the object's own JSON
 * is put on the wire by the middleware, untouched by the model serializer.
 */
const CREATES: Partial<Record<KubeKind, CreateCall>> = {
  NetworkPolicy: (a, namespace, fieldManager, o) =>
    a.networking.createNamespacedNetworkPolicy({ namespace, fieldManager, body: {} }, o),
};

type DeleteCall = (apis: Apis, params: NameParams & { body: object }, options: Options) => Promise<unknown>;

const DELETES: Partial<Record<KubeKind, DeleteCall>> = {
  NetworkPolicy: (a, p, o) => a.networking.deleteNamespacedNetworkPolicy(p, o),
};

const PATCH_STRATEGIES: Record<PatchType, PatchStrategy> = {
  'strategic-merge': PatchStrategy.StrategicMergePatch,
  merge: PatchStrategy.MergePatch,
  json: PatchStrategy.JsonPatch,
};

const DEFAULT_PAGE_SIZE = 500;

export function createKubeClient(options: KubeClientOptions): KubeClient {
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const fieldManager = options.fieldManager ?? 'kubeguard';
  const cache = new WeakMap<KubeConfig, Apis>();
  const apis = async (): Promise<Apis> => {
    const config = typeof options.kubeConfig === 'function' ? await options.kubeConfig() : options.kubeConfig;
    let built = cache.get(config);
    if (built === undefined) {
      built = {
        core: config.makeApiClient(CoreV1Api),
        apps: config.makeApiClient(AppsV1Api),
        batch: config.makeApiClient(BatchV1Api),
        policy: config.makeApiClient(PolicyV1Api),
        networking: config.makeApiClient(NetworkingV1Api),
        rbac: config.makeApiClient(RbacAuthorizationV1Api),
        custom: config.makeApiClient(CustomObjectsApi),
        server: config.getCurrentCluster()?.server ?? '(no server)',
      };
      cache.set(config, built);
    }
    return built;
  };

  return {
    async get(ref) {
      const a = await apis();
      const calls = READS[ref.kind];
      if (calls === undefined) throw unsupported('get', ref.kind);
      const text = await exchange(a, 'get', ref, (o) =>
        calls.get(a, { name: ref.name, namespace: ref.namespace ?? '' }, o),
      );
      return withKind(parseJson(text), ref.kind);
    },

    async list(query) {
      const calls = READS[query.kind];
      if (calls === undefined) throw unsupported('list', query.kind);
      const a = await apis();
      const items: KubeObject[] = [];
      let token: string | undefined;
      do {
        const params: ListParams = {
          limit: pageSize,
          ...(query.labelSelector ? { labelSelector: query.labelSelector } : {}),
          ...(query.fieldSelector ? { fieldSelector: query.fieldSelector } : {}),
          ...(token ? { _continue: token } : {}),
        };
        const text = await exchange(a, 'list', listTarget(query), (o) =>
          calls.list(a, query.namespace, params, o),
        );
        const page = parseJson(text) as { items?: KubeObject[]; metadata?: { continue?: string } };
        items.push(...(page.items ?? []).map((item) => withKind(item, query.kind)));
        token = page.metadata?.continue || undefined;
      } while (token !== undefined);
      return items;
    },

    async podLog(ref: PodLogRef) {
      const a = await apis();
      const target = { kind: 'Pod' as const, namespace: ref.namespace, name: `${ref.pod}/log` };
      return exchange(a, 'get', target, (o) =>
        a.core.readNamespacedPodLog(
          { name: ref.pod, namespace: ref.namespace, container: ref.container, previous: ref.previous },
          o,
        ),
      );
    },

    async create(object) {
      const kind = object.kind as KubeKind;
      const call = CREATES[kind];
      const namespace = object.metadata.namespace;
      if (call === undefined || namespace === undefined)
        throw unsupported('create', object.kind ?? '(no kind)');
      const a = await apis();
      const ref = { kind, namespace, name: object.metadata.name };
      const text = await exchange(
        a,
        'create',
        ref,
        (o) => call(a, namespace, fieldManager, o),
        JSON.stringify(object),
      );
      return withKind(parseJson(text), kind);
    },

    async patch(ref, patch) {
      const call = PATCHES[ref.kind];
      if (call === undefined) throw unsupported('patch', ref.kind);
      const a = await apis();
      const params = { name: ref.name, namespace: ref.namespace ?? '', body: patch.body, fieldManager };
      const text = await exchange(a, 'patch', ref, (o) =>
        call(a, params, setHeaderOptions('Content-Type', PATCH_STRATEGIES[patch.type], o)),
      );
      return withKind(parseJson(text), ref.kind);
    },

    async delete(ref, preconditions?: DeletePreconditions) {
      const call = DELETES[ref.kind];
      if (call === undefined) throw unsupported('delete', ref.kind);
      const a = await apis();
      const body = preconditions ? { preconditions } : {};
      await exchange(a, 'delete', ref, (o) =>
        call(a, { name: ref.name, namespace: ref.namespace ?? '', body }, o),
      );
    },
  };
}

/**
 * Runs one typed call with a middleware that keeps the response text (and, when given, sends
 * `body` as the request body), and turns failures into KubeguardErrors.
 */
async function exchange(
  apis: Apis,
  verb: string,
  target: ObjectRef,
  call: (options: Options) => Promise<unknown>,
  body?: string,
): Promise<string> {
  let text: string | undefined;
  const wire: ObservableMiddleware = {
    pre: (context: RequestContext) => {
      if (body !== undefined) context.setBody(body);
      return new Observable(Promise.resolve(context));
    },
    post: (response: ResponseContext) =>
      new Observable(
        response.body.text().then((read) => {
          text = read;
          return new ResponseContext(response.httpStatusCode, response.headers, {
            text: async () => read,
            binary: async () => Buffer.from(read, 'utf8'),
            stream: () => null,
          });
        }),
      ),
  };
  try {
    await call({ middleware: [wire], middlewareMergeStrategy: 'append' });
  } catch (error) {
    throw apiError(error, text, verb, target, apis.server);
  }
  return text ?? '';
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

function apiError(error: unknown, text: string | undefined, verb: string, target: ObjectRef, server: string) {
  const what = `${verb} ${describeRef(target)}`;
  if (!(error instanceof ApiException)) {
    const message = error instanceof Error ? error.message : String(error);
    const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return new KubeguardError(
      'UPSTREAM',
      `cannot reach the Kubernetes API at ${server} to ${what}: ${message}${cause}`,
      {
        cause: error,
        details: { verb, target: describeRef(target) },
      },
    );
  }
  const status = error.code;
  const body = statusOf(text);
  const reason = body.reason ?? `HTTP ${status}`;
  const code = CODES[status] ?? 'UPSTREAM';
  const hint =
    status === 403
      ? `; the bot's ClusterRole (deploy/kubernetes/rbac.yaml) needs "${verb}" on ${KUBE_KINDS[target.kind].resource}`
      : status === 401
        ? '; the token was refused: check the EKS access entry of the worker role and the clock'
        : '';
  return new KubeguardError(
    code,
    `the Kubernetes API refused to ${what} (HTTP ${status} ${reason}): ${body.message ?? text?.slice(0, 300) ?? 'no message'}${hint}`,
    { cause: error, details: { status, reason, verb, target: describeRef(target) } },
  );
}

function statusOf(text: string | undefined): StatusBody {
  if (!text) return {};
  try {
    const parsed = JSON.parse(text) as StatusBody;
    return typeof parsed === 'object' && parsed !== null ? parsed : {};
  } catch {
    return {};
  }
}

function parseJson(text: string): KubeObject {
  try {
    return JSON.parse(text) as KubeObject;
  } catch (error) {
    throw new KubeguardError(
      'UPSTREAM',
      `the Kubernetes API answered with something other than JSON: ${text.slice(0, 200)}`,
      {
        cause: error,
      },
    );
  }
}

/** List items come without kind and apiVersion; put them back so objects describe themselves. */
function withKind(object: KubeObject, kind: KubeKind): KubeObject {
  return {
    ...object,
    apiVersion: object.apiVersion ?? KUBE_KINDS[kind].apiVersion,
    kind: object.kind ?? kind,
  };
}

function listTarget(query: ListQuery): ObjectRef {
  return { kind: query.kind, name: '(list)', ...(query.namespace ? { namespace: query.namespace } : {}) };
}

function unsupported(verb: string, kind: string): KubeguardError {
  return new KubeguardError('UNSUPPORTED', `kubeguard's Kubernetes client does not ${verb} ${kind} objects`, {
    details: { verb, kind },
  });
}
