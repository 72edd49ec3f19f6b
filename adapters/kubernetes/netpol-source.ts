import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  NetworkingV1Api,
  type V1NetworkPolicy,
} from '@kubernetes/client-node';
import { KubeguardError } from '#core/errors.ts';
import { apiVersionOf, POLICY_CUSTOM_KINDS, type PolicyKind } from '#core/netpol/kinds.ts';
import type { UnevaluatedPolicy } from '#core/netpol/types.ts';

/**
 * Reads what the NetworkPolicy evaluator needs from a live cluster: every pod, namespace and
 * NetworkPolicy, through a kubeconfig file (and optionally one of its contexts). Needs `list` on
 * pods, namespaces and networkpolicies.networking.k8s.io at cluster scope. It also lists the custom
 * policy kinds of core/netpol/kinds.ts (AdminNetworkPolicy, BaselineAdminNetworkPolicy, Calico,
 * Cilium): a kind whose CRD is not installed (404) has no objects; a kind the identity may not list
 * (401/403) is reported as unreadable, so the answers it may decide are `unknown`.
 */

export interface KubeconfigSourceOptions {
  kubeconfigFile: string;
  /** @default the kubeconfig's current-context */
  context?: string;
  /**
   * Items per list call; larger lists are paged with `continue` tokens.
   * @default 500
   */
  pageSize?: number;
}

/** API objects with `kind` and `apiVersion` restored (list items come without them). */
export interface ClusterObjects {
  pods: Record<string, unknown>[];
  namespaces: Record<string, unknown>[];
  networkPolicies: Record<string, unknown>[];
  /** Objects of the custom policy kinds, as the API returned them (with `apiVersion` and `kind`). */
  customPolicies: Record<string, unknown>[];
  /** Custom policy kinds that could not be listed, and why. */
  unreadable: UnevaluatedPolicy[];
}

const DEFAULT_PAGE_SIZE = 500;

interface ListPage<T extends object = object> {
  items: T[];
  metadata?: { _continue?: string };
}

type Lister<T extends object> = (param: { limit: number; _continue?: string }) => Promise<ListPage<T>>;

export async function readClusterObjects(options: KubeconfigSourceOptions): Promise<ClusterObjects> {
  const config = loadKubeconfig(options);
  const server = config.getCurrentCluster()?.server ?? '(no server)';
  const core = config.makeApiClient(CoreV1Api);
  const networking = config.makeApiClient(NetworkingV1Api);
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const custom = config.makeApiClient(CustomObjectsApi);
  const [pods, namespaces, networkPolicies, customKinds] = await Promise.all([
    listAll('pods', (p) => core.listPodForAllNamespaces(p), pageSize, server),
    listAll('namespaces', (p) => core.listNamespace(p), pageSize, server),
    listAll<V1NetworkPolicy>(
      'networkpolicies',
      (p) => networking.listNetworkPolicyForAllNamespaces(p),
      pageSize,
      server,
    ),
    Promise.all(POLICY_CUSTOM_KINDS.map((kind) => listCustomKind(custom, kind, pageSize, server))),
  ]);
  return {
    pods: withKind(pods, 'v1', 'Pod'),
    namespaces: withKind(namespaces, 'v1', 'Namespace'),
    networkPolicies: withKind(
      networkPolicies.map(wireNetworkPolicy),
      'networking.k8s.io/v1',
      'NetworkPolicy',
    ),
    customPolicies: customKinds.flatMap((read) => ('objects' in read ? read.objects : [])),
    unreadable: customKinds.flatMap((read) => ('unreadable' in read ? [read.unreadable] : [])),
  };
}

type CustomKindRead = { objects: Record<string, unknown>[] } | { unreadable: UnevaluatedPolicy };

/**
 * Every object of one custom policy kind, in all namespaces. Custom objects are plain JSON (no
 * generated model), so they keep every field the API server sent.
 */
async function listCustomKind(
  api: CustomObjectsApi,
  kind: PolicyKind,
  pageSize: number,
  server: string,
): Promise<CustomKindRead> {
  const { group, version, resource } = kind;
  const resourceName = `${resource}.${group}`;
  try {
    const items = await listAll(
      resourceName,
      (p) =>
        (kind.namespaced
          ? api.listCustomObjectForAllNamespaces({ group, version, resourcePlural: resource, ...p })
          : api.listClusterCustomObject({ group, version, plural: resource, ...p })) as Promise<
          ListPage<Record<string, unknown>> & { metadata?: { continue?: string } }
        >,
      pageSize,
      server,
      (page) => (page.metadata as { continue?: string } | undefined)?.continue,
    );
    return { objects: withKind(items, apiVersionOf(kind), kind.kind) };
  } catch (error) {
    const status = (error as KubeguardError).details?.status;
    if (status === 404) return { objects: [] };
    if (status === 401 || status === 403) {
      return {
        unreadable: {
          kind: kind.kind,
          apiVersion: apiVersionOf(kind),
          reason: `the Kubernetes API at ${server} refused to list ${resourceName} (HTTP ${status}); grant "list" on it to evaluate`,
        },
      };
    }
    throw error;
  }
}

function loadKubeconfig({ kubeconfigFile, context }: KubeconfigSourceOptions): KubeConfig {
  const config = new KubeConfig();
  try {
    config.loadFromFile(kubeconfigFile);
  } catch (error) {
    throw new KubeguardError(
      'INVALID_ARGUMENT',
      `cannot read kubeconfig "${kubeconfigFile}": ${messageOf(error)}; pass a readable kubeconfig file`,
      { cause: error, details: { kubeconfigFile } },
    );
  }
  const contexts = config.getContexts().map((c) => c.name);
  if (context !== undefined) {
    if (!contexts.includes(context)) {
      throw new KubeguardError(
        'INVALID_ARGUMENT',
        `kubeconfig "${kubeconfigFile}" has no context "${context}"; its contexts: ${contexts.join(', ') || '(none)'}`,
        { details: { kubeconfigFile, context } },
      );
    }
    config.setCurrentContext(context);
  }
  if (config.getCurrentCluster() === null) {
    throw new KubeguardError(
      'INVALID_ARGUMENT',
      `kubeconfig "${kubeconfigFile}" names no usable cluster for context "${config.getCurrentContext()}"; pick one with --context (${contexts.join(', ') || 'none defined'})`,
      { details: { kubeconfigFile } },
    );
  }
  return config;
}

async function listAll<T extends object = object>(
  resource: string,
  list: Lister<T>,
  pageSize: number,
  server: string,
  continueOf: (page: ListPage<T>) => string | undefined = (page) => page.metadata?._continue,
): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    let page: ListPage<T>;
    try {
      page = await list({ limit: pageSize, ...(token ? { _continue: token } : {}) });
    } catch (error) {
      throw listError(resource, server, error);
    }
    items.push(...page.items);
    token = continueOf(page) || undefined;
  } while (token !== undefined);
  return items;
}

function listError(resource: string, server: string, error: unknown): KubeguardError {
  if (error instanceof ApiException) {
    const status = error.code;
    const denied = status === 401 || status === 403;
    return new KubeguardError(
      denied ? 'FORBIDDEN' : 'UPSTREAM',
      denied
        ? `the Kubernetes API at ${server} refused to list ${resource} (HTTP ${status}); the identity needs "list" on ${resource} in all namespaces`
        : `listing ${resource} at ${server} failed with HTTP ${status}`,
      { cause: error, details: { resource, status } },
    );
  }
  return new KubeguardError(
    'UPSTREAM',
    `cannot reach the Kubernetes API at ${server} to list ${resource}: ${messageOf(error)}`,
    {
      cause: error,
      details: { resource },
    },
  );
}

/**
 * client-node deserializes an ingress rule's `from` as `_from` (`from` is reserved in its generated
 * code). Read as written, such a rule would have no peers and mean "from anyone": put `from` back.
 */
function wireNetworkPolicy(policy: V1NetworkPolicy): object {
  if (policy.spec?.ingress === undefined) return policy;
  const ingress = policy.spec.ingress.map(({ _from, ...rule }) => ({
    ...rule,
    ...(_from === undefined ? {} : { from: _from }),
  }));
  return { ...policy, spec: { ...policy.spec, ingress } };
}

function withKind(items: object[], apiVersion: string, kind: string): Record<string, unknown>[] {
  return items.map((item) => ({ ...item, apiVersion, kind }));
}

function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${message}${cause}`;
}
