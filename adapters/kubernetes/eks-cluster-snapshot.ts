import { DescribeClusterCommand, type EKSClient } from '@aws-sdk/client-eks';
import type { GuardDutyClient } from '@aws-sdk/client-guardduty';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { KubeguardError } from '#core/errors.ts';
import type { Clock } from '#core/ports.ts';
import type { ClusterSnapshot } from '#core/posture/snapshot.ts';
import { errorName, isAccessDenied } from '../aws/collect-support.ts';
import { clusterAccessFrom, type EksClusterAccess, kubeConfigForEks } from './eks-access.ts';
import type { EksTokenProvider } from './eks-token.ts';
import type { KubeAccess } from './http.ts';
import { type CollectOptions, collectClusterSnapshot } from './snapshot-collector.ts';

export interface EksClusterSnapshotOptions {
  /** EKS cluster name. */
  clusterName: string;
  eks: EKSClient;
  guardDuty?: GuardDutyClient;
  secretsManager?: SecretsManagerClient;
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
    },
  });
}

/** DescribeCluster, failing with a KubeguardError that names the cluster and what to check. */
export async function describeCluster(eks: EKSClient, name: string) {
  try {
    const { cluster } = await eks.send(new DescribeClusterCommand({ name }));
    if (cluster === undefined) throw new Error('DescribeCluster returned no cluster');
    return cluster;
  } catch (error) {
    const reason = `${errorName(error)}: ${error instanceof Error ? error.message : String(error)}`;
    const code = isAccessDenied(error) ? 'FORBIDDEN' : 'UPSTREAM';
    throw new KubeguardError(
      code,
      `cannot reach cluster ${name}: eks:DescribeCluster failed (${reason}); check the cluster name and region in kubeguard.config.json and the function's eks:DescribeCluster permission`,
      { cause: error, details: { cluster: name } },
    );
  }
}
