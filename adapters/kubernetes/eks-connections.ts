import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { ClusterConfig } from '#core/config/schema.ts';
import { KubeguardError } from '#core/errors.ts';
import type { AccountCredentials } from '../aws/account-credentials.ts';
import { errorName, isAccessDenied } from '../aws/collect-support.ts';
import { tracedAwsClient } from '../observability/hooks.ts';
import { clusterAccessFrom, kubeConfigForEks } from './eks-access.ts';
import { createEksTokenProvider, type EksTokenProvider } from './eks-token.ts';
import type { KubeAccess } from './http.ts';

/**
 * How the functions reach a configured EKS cluster, shared by the posture collector
 * (eks-cluster-collector.ts) and the running-image reader (running-images.ts): the AWS client
 * configuration of the cluster's account and region (a member account's assumed credentials,
 * account-credentials.ts), one EKS client per account and region, one bearer-token provider per
 * cluster, and the cluster's API server access from DescribeCluster. Clients and providers are built
 * once and reused across a warm function's invocations.
 */
export interface EksConnections {
  /** The region and credentials every AWS client of the cluster's account is built with. */
  awsConfig(cluster: ClusterConfig): {
    key: string;
    region: string;
    credentials?: AwsCredentialIdentityProvider;
  };
  eks(cluster: ClusterConfig): EKSClient;
  tokens(cluster: ClusterConfig): EksTokenProvider;
  /** DescribeCluster's endpoint and CA with a current bearer token; rejects naming the cluster. */
  access(cluster: ClusterConfig): Promise<KubeAccess>;
}

export function createEksConnections(accounts: AccountCredentials): EksConnections {
  const clients = new Map<string, EKSClient>();
  // One provider per cluster (by account, region and name: two accounts may use the same name): it
  // caches the signed token for 10 of its 15 minutes.
  const providers = new Map<string, EksTokenProvider>();
  const awsConfig = (cluster: ClusterConfig) => {
    const { key, credentials } = accounts.forCluster(cluster);
    return credentials === undefined
      ? { key, region: cluster.region }
      : { key, region: cluster.region, credentials };
  };
  const eks = (cluster: ClusterConfig): EKSClient => {
    const { key, ...config } = awsConfig(cluster);
    let client = clients.get(`${key} ${cluster.region}`);
    if (client === undefined) {
      client = tracedAwsClient(new EKSClient(config));
      clients.set(`${key} ${cluster.region}`, client);
    }
    return client;
  };
  const tokens = (cluster: ClusterConfig): EksTokenProvider => {
    const key = `${cluster.account ?? 'home'} ${cluster.region} ${cluster.name}`;
    let provider = providers.get(key);
    if (provider === undefined) {
      provider = createEksTokenProvider({
        clusterName: cluster.name,
        region: cluster.region,
        // The EKS client's credentials: the member role's for a member account's cluster.
        credentials: eks(cluster).config.credentials,
      });
      providers.set(key, provider);
    }
    return provider;
  };
  return {
    awsConfig,
    eks,
    tokens,
    access: async (cluster) =>
      kubeConfigForEks(clusterAccessFrom(await describeCluster(eks(cluster), cluster.name)), tokens(cluster)),
  };
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
