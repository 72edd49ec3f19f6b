import { EKSClient } from '@aws-sdk/client-eks';
import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { FunctionEnvironment } from '../../adapters/config/env.ts';
import {
  createLocalReportExportStore,
  createS3ReportExportStore,
} from '../../adapters/evidence/report-exports.ts';
import { collectEksClusterSnapshot } from '../../adapters/kubernetes/eks-cluster-snapshot.ts';
import { createEksTokenProvider, type EksTokenProvider } from '../../adapters/kubernetes/eks-token.ts';
import type { ClusterConfig } from '../../core/config/schema.ts';
import { ConfigError } from '../../core/errors.ts';
import type { Clock } from '../../core/ports.ts';
import type { ReportExportStore } from '../../core/posture/report-exports.ts';
import type { ClusterSnapshot } from '../../core/posture/snapshot.ts';

/**
 * The posture audit's own adapters, built once per cold start by its handler only: the EKS,
 * GuardDuty, Secrets Manager and Kubernetes clients stay out of the other functions' bundles.
 */
export interface PostureAuditAdapters {
  collect: (cluster: ClusterConfig) => Promise<ClusterSnapshot>;
  exports: ReportExportStore;
}

interface RegionalClients {
  eks: EKSClient;
  guardDuty: GuardDutyClient;
  secretsManager: SecretsManagerClient;
}

export function createPostureAuditAdapters(
  environment: FunctionEnvironment,
  clock: Clock,
): PostureAuditAdapters {
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
  return {
    collect: (cluster) => {
      const clients = clientsIn(cluster.region);
      return collectEksClusterSnapshot({
        clusterName: cluster.name,
        ...clients,
        tokens: tokensFor(cluster, clients.eks),
        clock,
      });
    },
    exports: reportExports(environment),
  };
}

function reportExports(environment: FunctionEnvironment): ReportExportStore {
  if (environment.evidenceBucket !== undefined) {
    if (environment.region === undefined) {
      throw new ConfigError(
        'AWS_REGION is not set; Lambda sets it — set it for local runs that use KUBEGUARD_EVIDENCE_BUCKET',
      );
    }
    return createS3ReportExportStore({
      client: new S3Client({ region: environment.region }),
      bucket: environment.evidenceBucket,
      region: environment.region,
    });
  }
  if (environment.evidenceDirectory !== undefined)
    return createLocalReportExportStore(environment.evidenceDirectory);
  throw new ConfigError(
    'neither KUBEGUARD_EVIDENCE_BUCKET nor KUBEGUARD_EVIDENCE_DIR is set; the CDK app sets the bucket — set a directory for local runs',
  );
}
