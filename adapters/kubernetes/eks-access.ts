import { Agent, type RequestOptions } from 'node:https';
import type { Cluster } from '@kubernetes/client-node';
import { ConfigError } from '#core/errors.ts';
import type { EksTokenProvider } from './eks-token.ts';
import type { KubeAccess } from './http.ts';

/**
 * How the functions reach an EKS API server: DescribeCluster's endpoint and CA, and a bearer token.
 * No client-node here on purpose (D56 in docs/decisions.md): a KubeConfig drags
 * client-node, undici, ws, js-yaml and the proxy agents (~1.4 MB) into every bundle that reaches a
 * cluster, while an EKS cluster needs nothing but the CA and the token.
 */

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
 * The access of one EKS cluster, authenticated with a bearer token from the provider. Tokens last 15
 * minutes: build a new one (the provider caches the token) for each audit or Lambda invocation rather
 * than keeping one for the life of a warm container. Its agent keeps connections alive, so an audit's
 * pages and kubelet reads share TLS sessions.
 */
export async function kubeConfigForEks(
  cluster: EksClusterAccess,
  tokens: EksTokenProvider,
): Promise<KubeAccess> {
  return new EksKubeAccess(cluster, await tokens.getToken());
}

class EksKubeAccess implements KubeAccess {
  readonly #cluster: Cluster;
  readonly #token: string;
  readonly #agent: Agent;

  constructor(access: EksClusterAccess, token: string) {
    this.#cluster = {
      name: access.name,
      server: access.endpoint,
      caData: access.certificateAuthorityData,
      skipTLSVerify: false,
    };
    this.#token = token;
    this.#agent = new Agent({ ca: Buffer.from(access.certificateAuthorityData, 'base64'), keepAlive: true });
  }

  getCurrentCluster(): Cluster {
    return this.#cluster;
  }

  async applyToHTTPSOptions(options: RequestOptions): Promise<void> {
    options.headers = { ...options.headers, Authorization: `Bearer ${this.#token}` };
    options.agent = this.#agent;
  }
}
