import { EKSClient } from '@aws-sdk/client-eks';
import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { ClusterConfig } from '../../core/config/schema.ts';
import type { Clock } from '../../core/ports.ts';
import type { ClusterSnapshot } from '../../core/posture/snapshot.ts';
import type { CollectorProgress } from '../../core/slack-views/audit-progress.ts';
import { collectEksClusterSnapshot } from './eks-cluster-snapshot.ts';
import { createEksTokenProvider, type EksTokenProvider } from './eks-token.ts';

interface RegionalClients {
  eks: EKSClient;
  guardDuty: GuardDutyClient;
  secretsManager: SecretsManagerClient;
}

/**
 * Collects a configured EKS cluster's posture snapshot (AWS side and Kubernetes side). The AWS
 * clients are built once per region and the bearer-token provider once per cluster, so a function
 * that audits several clusters reuses them across invocations.
 */
export function createEksClusterCollector(
  clock: Clock,
): (cluster: ClusterConfig, onProgress?: (progress: CollectorProgress) => void) => Promise<ClusterSnapshot> {
  const regions = new Map<string, RegionalClients>();
  const clientsIn = (region: string): RegionalClients => {
    let clients = regions.get(region);
    if (clients === undefined) {
      clients = {
        eks: new EKSClient({ region }),
        guardDuty: new GuardDutyClient({ region }),
        secretsManager: new SecretsManagerClient({ region }),
      };
      regions.set(region, clients);
    }
    return clients;
  };
  // One provider per cluster: it caches the signed token for 10 of its 15 minutes.
  const tokens = new Map<string, EksTokenProvider>();
  const tokensFor = (cluster: ClusterConfig, eks: EKSClient): EksTokenProvider => {
    let provider = tokens.get(cluster.name);
    if (provider === undefined) {
      provider = createEksTokenProvider({
        clusterName: cluster.name,
        region: cluster.region,
        credentials: eks.config.credentials,
      });
      tokens.set(cluster.name, provider);
    }
    return provider;
  };
  return (cluster, onProgress) => {
    const clients = clientsIn(cluster.region);
    return collectEksClusterSnapshot({
      clusterName: cluster.name,
      ...clients,
      tokens: tokensFor(cluster, clients.eks),
      clock,
      ...(onProgress === undefined ? {} : { onProgress }),
    });
  };
}
