import { KubeConfig } from '@kubernetes/client-node';
import { KubeguardError } from '#core/errors.ts';
import { KUBE_KINDS, type KubeKind } from '#core/model/kube-kinds.ts';
import type { KubeObject } from '#core/model/kube-object.ts';
import { apiVersionOf, POLICY_CUSTOM_KINDS, type PolicyKind } from '#core/netpol/kinds.ts';
import type { UnevaluatedPolicy } from '#core/netpol/types.ts';
import { createKubeClient, type KubeApiClient } from './client.ts';
import { serverOf } from './http.ts';

/**
 * Reads what the NetworkPolicy evaluator needs from a live cluster: every pod, namespace and
 * NetworkPolicy, through a kubeconfig file (and optionally one of its contexts), with the one
 * Kubernetes adapter (client.ts: the API's exact JSON, paged, each request bounded by a timeout).
 * Needs `list` on pods, namespaces and networkpolicies.networking.k8s.io at cluster scope. It also
 * lists the custom policy kinds of core/netpol/kinds.ts (AdminNetworkPolicy,
 * BaselineAdminNetworkPolicy, Calico, Cilium): a kind whose CRD is not installed (404) has no
 * objects; a kind the identity may not list (401/403) is reported as unreadable, so the answers it
 * may decide are `unknown`.
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
  /** Limit on each request to the API server. @default 30000 */
  requestTimeoutMs?: number;
}

/** API objects with `kind` and `apiVersion` restored (list items come without them). */
export interface ClusterObjects {
  pods: KubeObject[];
  namespaces: KubeObject[];
  networkPolicies: KubeObject[];
  /** Objects of the custom policy kinds, as the API returned them (with `apiVersion` and `kind`). */
  customPolicies: KubeObject[];
  /** Custom policy kinds that could not be listed, and why. */
  unreadable: UnevaluatedPolicy[];
}

/** The kinds the evaluator cannot do without: a failure to list one fails the command. */
const REQUIRED: readonly KubeKind[] = ['Pod', 'Namespace', 'NetworkPolicy'];

export async function readClusterObjects(options: KubeconfigSourceOptions): Promise<ClusterObjects> {
  const config = loadKubeconfig(options);
  const client = createKubeClient({
    kubeConfig: config,
    ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
    ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
  });
  const server = serverOf(config);
  const [required, customKinds] = await Promise.all([
    client.listEach(REQUIRED.map((kind) => ({ kind }))),
    Promise.all(POLICY_CUSTOM_KINDS.map((kind) => listCustomKind(client, kind, server))),
  ]);
  const [pods = [], namespaces = [], networkPolicies = []] = required.map((outcome) => {
    if ('objects' in outcome) return outcome.objects;
    throw requiredListError(outcome.error, KUBE_KINDS[outcome.query.kind].resource, server);
  });
  return {
    pods,
    namespaces,
    networkPolicies,
    customPolicies: customKinds.flatMap((read) => ('objects' in read ? read.objects : [])),
    unreadable: customKinds.flatMap((read) => ('unreadable' in read ? [read.unreadable] : [])),
  };
}

/** A refused list names the permission; a timeout or an unreachable server keeps its own words. */
function requiredListError(error: KubeguardError, resource: string, server: string): KubeguardError {
  const status = error.details.status;
  if (status !== 401 && status !== 403) return error;
  return new KubeguardError(
    'FORBIDDEN',
    `the Kubernetes API at ${server} refused to list ${resource} (HTTP ${status}); the identity needs "list" on ${resource} in all namespaces`,
    { cause: error, details: { resource, status } },
  );
}

type CustomKindRead = { objects: KubeObject[] } | { unreadable: UnevaluatedPolicy };

/**
 * Every object of one custom policy kind, in all namespaces, at the group version the kind table
 * of core/netpol names (Calico's two groups are both read).
 */
async function listCustomKind(
  client: KubeApiClient,
  kind: PolicyKind,
  server: string,
): Promise<CustomKindRead> {
  const resourceName = `${kind.resource}.${kind.group}`;
  try {
    const objects = await client.listResource({
      apiVersion: apiVersionOf(kind),
      resource: kind.resource,
      namespaced: kind.namespaced,
      kind: kind.kind,
    });
    return { objects };
  } catch (error) {
    if (!(error instanceof KubeguardError)) throw error;
    const status = error.details.status;
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

function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${message}${cause}`;
}
