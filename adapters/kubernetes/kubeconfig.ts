import { KubeConfig } from '@kubernetes/client-node';
import { ConfigError } from '#core/errors.ts';
import type { EksTokenProvider } from './eks-token.ts';

/** What DescribeCluster says about reaching a cluster's API server. */
export interface EksClusterAccess {
  name: string;
  /** `cluster.endpoint`, https. */
  endpoint: string;
  /** `cluster.certificateAuthority.data`: base64 PEM, as DescribeCluster returns it. */
  certificateAuthorityData: string;
}

/** The access fields of a DescribeCluster `cluster`; names the missing field instead of failing later. */
export function clusterAccessFrom(cluster: {
  name?: string;
  endpoint?: string;
  certificateAuthority?: { data?: string };
}): EksClusterAccess {
  const name = cluster.name ?? '(unnamed cluster)';
  if (!cluster.endpoint) {
    throw new ConfigError(
      `cluster ${name} has no endpoint in DescribeCluster (is it still CREATING?); wait until it is ACTIVE`,
    );
  }
  if (!cluster.certificateAuthority?.data) {
    throw new ConfigError(
      `cluster ${name} has no certificateAuthority.data in DescribeCluster; check eks:DescribeCluster permissions`,
    );
  }
  return { name, endpoint: cluster.endpoint, certificateAuthorityData: cluster.certificateAuthority.data };
}

/**
 * A KubeConfig held in memory for one EKS cluster, authenticated with a bearer token from the
 * provider. Tokens last 15 minutes: build a new KubeConfig (the provider caches the token) for each
 * audit or Lambda invocation rather than keeping one for the life of a warm container.
 */
export async function kubeConfigForEks(
  cluster: EksClusterAccess,
  tokens: EksTokenProvider,
): Promise<KubeConfig> {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [
      {
        name: cluster.name,
        server: cluster.endpoint,
        caData: cluster.certificateAuthorityData,
        skipTLSVerify: false,
      },
    ],
    users: [{ name: 'kubeguard', token: await tokens.getToken() }],
    contexts: [{ name: cluster.name, cluster: cluster.name, user: 'kubeguard' }],
    currentContext: cluster.name,
  });
  return kubeConfig;
}

/**
 * The KubeConfig of a local user: `path` (or $KUBECONFIG / ~/.kube/config when omitted, as kubectl
 * reads them) and optionally one of its contexts.
 */
export function kubeConfigFromFile(options: { path?: string; context?: string } = {}): KubeConfig {
  const kubeConfig = new KubeConfig();
  if (options.path === undefined) kubeConfig.loadFromDefault();
  else kubeConfig.loadFromFile(options.path);
  if (options.context !== undefined) {
    const names = kubeConfig.getContexts().map((context) => context.name);
    if (!names.includes(options.context)) {
      throw new ConfigError(
        `kubeconfig context "${options.context}" not found; contexts in ${options.path ?? 'the default kubeconfig'}: ${names.join(', ') || '(none)'}`,
      );
    }
    kubeConfig.setCurrentContext(options.context);
  }
  if (kubeConfig.getCurrentCluster() === null) {
    throw new ConfigError(
      `kubeconfig ${options.path ?? '(default)'} has no current cluster; pass --context or set current-context`,
    );
  }
  return kubeConfig;
}
