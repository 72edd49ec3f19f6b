import { EKSClient } from '@aws-sdk/client-eks';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { ClusterRuntime, RemediationRuntime } from '../../core/chatops/remediation-runtime.ts';
import type { ClusterConfig } from '../../core/config/schema.ts';
import type { Timers } from '../../core/delivery/retry.ts';
import { ConfigError, KubeguardError } from '../../core/errors.ts';
import type { EvidenceStore } from '../../core/remediation/ports.ts';
import { type AccountCredentials, createAccountCredentials } from '../aws/account-credentials.ts';
import type { DynamoDBDocumentClient } from '../aws/dynamo-document.ts';
import { DynamoRotationClaims } from '../aws/rotation-claims.ts';
import { SecretsManagerRotator } from '../aws/secrets-rotator.ts';
import type { FunctionEnvironment } from '../config/env.ts';
import { createLocalEvidenceStore } from '../evidence/local-dir.ts';
import { createS3EvidenceStore } from '../evidence/s3.ts';
import { tracedAwsClient } from '../observability/hooks.ts';
import { createKubeClient } from './client.ts';
import { clusterAccessFrom, kubeConfigForEks } from './eks-access.ts';
import { describeCluster } from './eks-cluster-snapshot.ts';
import { createEksTokenProvider, type EksTokenProvider } from './eks-token.ts';

/**
 * The action worker's remediation runtime in AWS (core/chatops/remediation-runtime.ts): for a
 * configured cluster, its endpoint and CA from eks:DescribeCluster and a bearer token signed as the
 * worker's role (the remediation role, mapped to the kubeguard-remediation group by an EKS access
 * entry) or, for a member account's cluster, as the member role assumed there (account-credentials.ts;
 * EKS and Secrets Manager calls too), forensic bundles in the evidence bucket under `forensics/<cluster>/` (the prefix the
 * role may write), Secrets Manager in the cluster's region, and rotation claims in the table.
 * AWS clients are built once per account and region and token providers once per cluster; the KubeConfig is
 * built again per request, since a token lasts 15 minutes and a warm worker lives longer.
 */
export function remediationRuntimeFromEnv(
  environment: FunctionEnvironment,
  table: { client: DynamoDBDocumentClient; tableName: string },
  timers: Timers = realTimers(),
  accounts: AccountCredentials = createAccountCredentials({
    config: environment.config,
    functionName: 'action-worker',
  }),
): RemediationRuntime {
  // Keyed by account (`home` or a member account's id) and region.
  const eks = new Map<string, EKSClient>();
  const secrets = new Map<string, SecretsManagerRotator>();
  const tokens = new Map<string, EksTokenProvider>();
  const evidenceFor = evidenceStores(environment);
  const clientConfig = (cluster: ClusterConfig) => {
    const { key, credentials } = accounts.forCluster(cluster);
    const region = cluster.region;
    return {
      key: `${key} ${region}`,
      config: credentials === undefined ? { region } : { region, credentials },
    };
  };
  const eksFor = (cluster: ClusterConfig) => {
    const { key, config } = clientConfig(cluster);
    let client = eks.get(key);
    if (client === undefined) {
      client = tracedAwsClient(new EKSClient(config));
      eks.set(key, client);
    }
    return client;
  };
  const secretsFor = (cluster: ClusterConfig) => {
    const { key, config } = clientConfig(cluster);
    let rotator = secrets.get(key);
    if (rotator === undefined) {
      rotator = new SecretsManagerRotator({
        client: tracedAwsClient(new SecretsManagerClient(config)),
        timers,
      });
      secrets.set(key, rotator);
    }
    return rotator;
  };
  return {
    async forCluster(name: string): Promise<ClusterRuntime> {
      const cluster = configured(environment, name);
      const client = eksFor(cluster);
      // The client's credentials sign the token: the member role's in a member account.
      let provider = tokens.get(cluster.name);
      if (provider === undefined) {
        provider = createEksTokenProvider({
          clusterName: cluster.name,
          region: cluster.region,
          credentials: client.config.credentials,
        });
        tokens.set(cluster.name, provider);
      }
      const access = clusterAccessFrom(await describeCluster(client, cluster.name));
      return {
        kube: createKubeClient({ kubeConfig: await kubeConfigForEks(access, provider) }),
        evidence: evidenceFor(cluster.name),
        secrets: secretsFor(cluster),
      };
    },
    rotationClaims: new DynamoRotationClaims({ client: table.client, tableName: table.tableName }),
    timers,
  };
}

function configured(environment: FunctionEnvironment, name: string): ClusterConfig {
  const cluster = environment.config.clusters.find((candidate) => candidate.name === name);
  if (cluster === undefined) {
    throw new KubeguardError(
      'NOT_FOUND',
      `cluster ${JSON.stringify(name)} is not configured; configured clusters: ${environment.config.clusters.map((c) => c.name).join(', ')}`,
    );
  }
  return cluster;
}

/** The evidence bucket (KUBEGUARD_EVIDENCE_BUCKET), else a directory (KUBEGUARD_EVIDENCE_DIR). */
function evidenceStores(environment: FunctionEnvironment): (cluster: string) => EvidenceStore {
  const { evidenceBucket, evidenceDirectory } = environment;
  if (evidenceBucket !== undefined) {
    const client = tracedAwsClient(
      new S3Client(environment.region === undefined ? {} : { region: environment.region }),
    );
    return (cluster) =>
      createS3EvidenceStore({ client, bucket: evidenceBucket, prefix: `forensics/${cluster}/` });
  }
  if (evidenceDirectory !== undefined) {
    return (cluster) => createLocalEvidenceStore(`${evidenceDirectory}/forensics/${cluster}`);
  }
  // Rotations store no bundle; an isolation fails before touching the pod (executePlan stores first).
  return () => ({
    put: async () => {
      throw new ConfigError(
        'neither KUBEGUARD_EVIDENCE_BUCKET nor KUBEGUARD_EVIDENCE_DIR is set: forensic bundles have nowhere to go, so no pod is isolated',
      );
    },
  });
}

function realTimers(): Timers {
  return {
    nowMs: () => Date.now(),
    sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
  };
}
