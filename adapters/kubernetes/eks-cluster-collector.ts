import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { ClusterConfig } from '../../core/config/schema.ts';
import type { Clock } from '../../core/ports.ts';
import type { ClusterSnapshot } from '../../core/posture/snapshot.ts';
import type { CollectorProgress } from '../../core/slack-views/audit-progress.ts';
import type { ImageFindingSource } from '../../core/supply-chain/ports.ts';
import type { AccountCredentials } from '../aws/account-credentials.ts';
import { tracedAwsClient } from '../observability/hooks.ts';
import { collectEksClusterSnapshot } from './eks-cluster-snapshot.ts';
import { createEksConnections } from './eks-connections.ts';

interface RegionalClients {
  guardDuty: GuardDutyClient;
  secretsManager: SecretsManagerClient;
}

/**
 * Collects a configured EKS cluster's posture snapshot (AWS side and Kubernetes side). A cluster of
 * a member account is collected as that account's member role (account-credentials.ts): its AWS
 * clients and its bearer tokens are signed with the assumed credentials. The AWS clients are built
 * once per account and region and the bearer-token provider once per cluster (eks-connections.ts),
 * so a function that audits several clusters reuses them across invocations. Inspector's image
 * findings are read in the cluster's account and region when a source is given.
 */
export function createEksClusterCollector(
  clock: Clock,
  accounts: AccountCredentials,
  /** Inspector's findings (inspector-findings.ts), read in each cluster's account and region. @default not read */
  imageFindings?: ImageFindingSource,
): (cluster: ClusterConfig, onProgress?: (progress: CollectorProgress) => void) => Promise<ClusterSnapshot> {
  const connections = createEksConnections(accounts);
  const clients = new Map<string, RegionalClients>();
  const clientsFor = (cluster: ClusterConfig): RegionalClients => {
    const { key, ...config } = connections.awsConfig(cluster);
    let found = clients.get(`${key} ${cluster.region}`);
    if (found === undefined) {
      found = {
        guardDuty: tracedAwsClient(new GuardDutyClient(config)),
        secretsManager: tracedAwsClient(new SecretsManagerClient(config)),
      };
      clients.set(`${key} ${cluster.region}`, found);
    }
    return found;
  };
  return (cluster, onProgress) =>
    collectEksClusterSnapshot({
      clusterName: cluster.name,
      eks: connections.eks(cluster),
      ...clientsFor(cluster),
      tokens: connections.tokens(cluster),
      ...(imageFindings === undefined
        ? {}
        : {
            imageFindings: {
              source: imageFindings,
              region: cluster.region,
              ...(cluster.account === undefined ? {} : { account: cluster.account }),
            },
          }),
      clock,
      ...(onProgress === undefined ? {} : { onProgress }),
    });
}
