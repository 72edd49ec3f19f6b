import type { ClusterConfig } from '../../core/config/schema.ts';
import type { KubeObject } from '../../core/model/kube-object.ts';
import type { RunningContainer } from '../../core/supply-chain/image-finding.ts';
import type { RunningImageSource } from '../../core/supply-chain/ports.ts';
import { runningContainersOf } from '../../core/supply-chain/running-images.ts';
import { mapLimited } from '../aws/collect-support.ts';
import { createKubeClient } from './client.ts';
import type { KubeAccess } from './http.ts';

/**
 * The containers running in every configured cluster, read through the one Kubernetes reader
 * (client.ts): Pods, and the ReplicaSets and Jobs their owner chains go through, so each container
 * is named by its Deployment or CronJob (core/supply-chain/running-images.ts reads the running
 * digest from the pod status). Each cluster is reached in its own account and region
 * (eks-connections.ts); one that cannot be read is reported with the reason and the others are
 * used. The answer is kept for `cacheMs`, so a burst of Inspector events (a rescan reports every
 * image at once) lists each cluster once per warm function.
 */

/** How long a warm function reuses what it listed. */
export const RUNNING_IMAGES_CACHE_MS = 60_000;
/** Clusters listed at once. */
const CLUSTER_CONCURRENCY = 4;

export interface RunningImagesOptions {
  clusters: readonly ClusterConfig[];
  /** The API server access of a cluster (EksConnections.access: DescribeCluster and a bearer token). */
  access: (cluster: ClusterConfig) => Promise<KubeAccess>;
  /** @default RUNNING_IMAGES_CACHE_MS */
  cacheMs?: number;
  /** Milliseconds since the epoch. @default Date.now */
  now?: () => number;
  /** Items per list page. @default the reader's (500) */
  pageSize?: number;
  /** Limit on each Kubernetes request. @default the reader's (30 s) */
  requestTimeoutMs?: number;
}

type Listing = Awaited<ReturnType<RunningImageSource['runningContainers']>>;

export function createRunningImageSource(options: RunningImagesOptions): RunningImageSource {
  const cacheMs = options.cacheMs ?? RUNNING_IMAGES_CACHE_MS;
  const now = options.now ?? Date.now;
  let cached: { at: number; listing: Promise<Listing> } | undefined;

  const listCluster = async (
    cluster: ClusterConfig,
  ): Promise<{ containers: RunningContainer[] } | { reason: string }> => {
    try {
      const client = createKubeClient({
        kubeConfig: await options.access(cluster),
        ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
        ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
      });
      const [pods, ...owners] = await client.listEach([
        { kind: 'Pod' },
        { kind: 'ReplicaSet' },
        { kind: 'Job' },
      ]);
      if (pods === undefined || !('objects' in pods)) {
        return { reason: pods === undefined ? 'pods were not listed' : pods.reason };
      }
      // Without ReplicaSets or Jobs a container is named by its nearest owner: still the right digest.
      const objects: KubeObject[] = [...pods.objects];
      for (const outcome of owners) if ('objects' in outcome) objects.push(...outcome.objects);
      return {
        containers: runningContainersOf(
          {
            name: cluster.name,
            region: cluster.region,
            ...(cluster.account === undefined ? {} : { account: cluster.account }),
          },
          objects,
        ),
      };
    } catch (error) {
      return { reason: error instanceof Error ? error.message : String(error) };
    }
  };

  const list = async (): Promise<Listing> => {
    const results = await mapLimited(options.clusters, CLUSTER_CONCURRENCY, listCluster);
    const listing: Listing = { containers: [], unreadable: [] };
    results.forEach((result, at) => {
      const cluster = options.clusters[at] as ClusterConfig;
      if ('containers' in result) listing.containers.push(...result.containers);
      else listing.unreadable.push({ cluster: cluster.name, reason: result.reason });
    });
    return listing;
  };

  return {
    runningContainers() {
      const at = now();
      if (cached === undefined || at - cached.at >= cacheMs) {
        const listing = list();
        cached = { at, listing };
        // A listing that rejected as a whole is not kept (per-cluster failures are part of the answer).
        listing.catch(() => {
          if (cached?.listing === listing) cached = undefined;
        });
      }
      return cached.listing;
    },
  };
}
