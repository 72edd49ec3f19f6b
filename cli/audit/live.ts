import { resolve } from 'node:path';
import type { ClusterSnapshot, ResourceType } from '#core/posture/snapshot.ts';
import { messageOf, unreachableError, usageError } from '../errors.ts';
import type { CliIo } from '../io.ts';

/** Kubernetes resource types the collector lists; when none could be read the cluster was not reached. */
const CLUSTER_TYPES: readonly ResourceType[] = [
  'pods',
  'workloads',
  'roles',
  'rolebindings',
  'serviceaccounts',
  'networkpolicies',
  'services',
  'ingresses',
  'namespaces',
  'nodes',
  'poddisruptionbudgets',
  'webhooks',
];

/**
 * A live cluster through the Kubernetes API only (the AWS-side checks are skipped with that reason).
 * The adapters are loaded on demand so an offline audit never loads client-node. A kubeconfig that
 * cannot be used is exit 2; a cluster that cannot be reached or read (or whose credentials cannot be
 * obtained) is exit 3.
 */
export async function collectLive(
  kubeconfig: string,
  context: string | undefined,
  io: CliIo,
): Promise<ClusterSnapshot> {
  const [{ kubeConfigFromFile, CredentialError, EXEC_TIMEOUT_MS }, { collectClusterSnapshot }] =
    await Promise.all([
      import('#adapters/kubernetes/kubeconfig.ts'),
      import('#adapters/kubernetes/snapshot-collector.ts'),
    ]);
  let kubeConfig: ReturnType<typeof kubeConfigFromFile>;
  try {
    kubeConfig = kubeConfigFromFile({
      path: resolve(io.cwd, kubeconfig),
      ...(context === undefined ? {} : { context }),
      execTimeoutMs: execTimeout(io, EXEC_TIMEOUT_MS),
      env: { ...io.env },
    });
  } catch (error) {
    if (error instanceof CredentialError)
      throw unreachableError(`--kubeconfig "${kubeconfig}": ${error.message}`);
    throw usageError(`--kubeconfig "${kubeconfig}": ${messageOf(error)}`);
  }
  const cluster = kubeConfig.getCurrentCluster();
  const server = cluster?.server ?? '(no server)';
  let snapshot: ClusterSnapshot;
  try {
    snapshot = await collectClusterSnapshot({
      kubeConfig,
      name: clusterLabel(cluster?.name ?? kubeConfig.getCurrentContext()),
      clock: () => new Date().toISOString(),
    });
  } catch (error) {
    // The audit could not run: neither "clean" (0) nor "failures found" (1).
    throw unreachableError(`--kubeconfig: collecting from ${server} failed: ${messageOf(error)}`);
  }
  const unread = CLUSTER_TYPES.filter((type) => snapshot.unavailable[type] !== undefined);
  if (unread.length === CLUSTER_TYPES.length) {
    // Every list failed (unreachable, 401, wrong server): an audit of nothing must not exit 0.
    throw unreachableError(
      `--kubeconfig: could not read anything from ${server} (${snapshot.unavailable.pods}); check the server, the credentials and --context`,
    );
  }
  for (const type of unread) {
    io.stderr(
      `kubeguard audit: warning: ${type} unavailable (${snapshot.unavailable[type]}); the checks reading them are skipped\n`,
    );
  }
  return snapshot;
}

/** KUBEGUARD_EXEC_TIMEOUT_MS overrides how long an exec credential plugin may take (default 5 s). */
function execTimeout(io: CliIo, fallback: number): number {
  const value = Number(io.env.KUBEGUARD_EXEC_TIMEOUT_MS);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/** `my-cluster` from an EKS kubeconfig's `arn:aws:eks:<region>:<account>:cluster/my-cluster`. */
function clusterLabel(name: string): string {
  return /^arn:aws[\w-]*:eks:[^:]*:\d*:cluster\/(.+)$/.exec(name)?.[1] ?? name;
}
