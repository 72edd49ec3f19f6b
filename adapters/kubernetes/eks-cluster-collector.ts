import { EKSClient } from '@aws-sdk/client-eks';
import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { ClusterConfig } from '../../core/config/schema.ts';
import type { Clock } from '../../core/ports.ts';
import type { ClusterSnapshot } from '../../core/posture/snapshot.ts';
import type { CollectorProgress } from '../../core/slack-views/audit-progress.ts';
import type { AccountCredentials } from '../aws/account-credentials.ts';
import { tracedAwsClient } from '../observability/hooks.ts';
import { collectEksClusterSnapshot } from './eks-cluster-snapshot.ts';
import { createEksTokenProvider, type EksTokenProvider } from './eks-token.ts';

interface RegionalClients {
  eks: EKSClient;
  guardDuty: GuardDutyClient;
  secretsManager: SecretsManagerClient;
}

/**
 * Collects a configured EKS cluster's posture snapshot (AWS side and Kubernetes side). A cluster of
 * a member account is collected as that account's member role (account-credentials.ts): its AWS
 * clients and its bearer tokens are signed with the assumed credentials. The AWS clients are built
 * once per account and region and the bearer-token provider once per cluster, so a function that
 * audits several clusters reuses them across invocations.
 */
export function createEksClusterCollector(
  clock: Clock,
  accounts: AccountCredentials,
): (cluster: ClusterConfig, onProgress?: (progress: CollectorProgress) => void) => Promise<ClusterSnapshot> {
  const clients = new Map<string, RegionalClients>();
  const clientsFor = (cluster: ClusterConfig): RegionalClients => {
    const { key, credentials } = accounts.forCluster(cluster);
    const region = cluster.region;
    let found = clients.get(`${key} ${region}`);
    if (found === undefined) {
      const config = credentials === undefined ? { region } : { region, credentials };
      found = {
        eks: tracedAwsClient(new EKSClient(config)),
        guardDuty: tracedAwsClient(new GuardDutyClient(config)),
        secretsManager: tracedAwsClient(new SecretsManagerClient(config)),
      };
      clients.set(`${key} ${region}`, found);
    }
    return found;
  };
  // One provider per cluster (by account, region and name: two accounts may use the same name): it
  // caches the signed token for 10 of its 15 minutes.
  const tokens = new Map<string, EksTokenProvider>();
  const tokensFor = (cluster: ClusterConfig, eks: EKSClient): EksTokenProvider => {
    const key = `${cluster.account ?? 'home'} ${cluster.region} ${cluster.name}`;
    let provider = tokens.get(key);
    if (provider === undefined) {
      provider = createEksTokenProvider({
        clusterName: cluster.name,
        region: cluster.region,
        // The client's credentials: the member role's for a member account's cluster.
        credentials: eks.config.credentials,
      });
      tokens.set(key, provider);
    }
    return provider;
  };
  return (cluster, onProgress) => {
    const regional = clientsFor(cluster);
    return collectEksClusterSnapshot({
      clusterName: cluster.name,
      ...regional,
      tokens: tokensFor(cluster, regional.eks),
      clock,
      ...(onProgress === undefined ? {} : { onProgress }),
    });
  };
}
