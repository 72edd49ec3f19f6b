import type { EKSClient } from '@aws-sdk/client-eks';
import type { GuardDutyClient } from '@aws-sdk/client-guardduty';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Clock } from '#core/ports.ts';
import type { ClusterSnapshot } from '#core/posture/snapshot.ts';
import { clusterAccessFrom, type EksClusterAccess, kubeConfigForEks } from './eks-access.ts';
import { describeCluster } from './eks-connections.ts';
import type { EksTokenProvider } from './eks-token.ts';
import type { KubeAccess } from './http.ts';
import { type CollectOptions, collectClusterSnapshot } from './snapshot-collector.ts';

type CollectAwsOptions = NonNullable<CollectOptions['aws']>;

export interface EksClusterSnapshotOptions {
  /** EKS cluster name. */
  clusterName: string;
  eks: EKSClient;
  guardDuty?: GuardDutyClient;
  secretsManager?: SecretsManagerClient;
  /** Inspector's image findings of the cluster's account and region. @default unavailable */
  imageFindings?: CollectAwsOptions['imageFindings'];
  /** Bearer tokens for this cluster's API server (createEksTokenProvider). */
  tokens: EksTokenProvider;
  clock: Clock;
  /** Items per Kubernetes list page. @default 500 */
  pageSize?: number;
  /** Read each node's kubelet configuration (needs `get nodes/proxy`). @default true */
  readKubeletConfig?: boolean;
  /** Builds the client configuration from DescribeCluster's endpoint and CA. @default kubeConfigForEks */
  kubeConfigFor?: (access: EksClusterAccess, tokens: EksTokenProvider) => Promise<KubeAccess>;
  /** Told as each collector starts and ends (`/k8s audit` shows it). */
  onProgress?: CollectOptions['onProgress'];
}

/**
 * Everything a posture audit of an EKS cluster reads: DescribeCluster gives the API server endpoint
 * and CA for an in-memory KubeConfig (bearer token from the provider), then the Kubernetes collector
 * and the AWS collectors (EKS, GuardDuty, Secrets Manager) fill one snapshot. Without DescribeCluster
 * the cluster cannot be reached at all: that failure rejects, naming the cluster and what to fix.
 */
export async function collectEksClusterSnapshot(
  options: EksClusterSnapshotOptions,
): Promise<ClusterSnapshot> {
  let access: EksClusterAccess;
  try {
    access = clusterAccessFrom(await describeCluster(options.eks, options.clusterName));
  } catch (error) {
    // Without the endpoint nothing can be collected: the cluster's objects are the first to say so.
    options.onProgress?.({
      collector: 'cluster',
      status: 'failed',
      detail: error instanceof Error ? error.message : String(error),
    });
    throw error;
  }
  const kubeConfig = await (options.kubeConfigFor ?? kubeConfigForEks)(access, options.tokens);
  return collectClusterSnapshot({
    kubeConfig,
    name: options.clusterName,
    clock: options.clock,
    ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
    ...(options.readKubeletConfig === undefined ? {} : { readKubeletConfig: options.readKubeletConfig }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    aws: {
      clusterName: options.clusterName,
      eks: options.eks,
      ...(options.guardDuty === undefined ? {} : { guardDuty: options.guardDuty }),
      ...(options.secretsManager === undefined ? {} : { secretsManager: options.secretsManager }),
      ...(options.imageFindings === undefined ? {} : { imageFindings: options.imageFindings }),
    },
  });
}

/** DescribeCluster, failing with a KubeguardError that names the cluster (eks-connections.ts). */
export { describeCluster };
