import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DocumentClient } from '#adapters/aws/dynamo-document.ts';
import { DynamoRotationClaims } from '#adapters/aws/rotation-claims.ts';
import { createLocalEvidenceStore } from '#adapters/evidence/local-dir.ts';
import { createKubeClient } from '#adapters/kubernetes/client.ts';
import { kubeConfigFromFile } from '#adapters/kubernetes/kubeconfig.ts';
import { collectClusterSnapshot } from '#adapters/kubernetes/snapshot-collector.ts';
import { InMemorySecretsManager } from '#adapters/local/in-memory-secrets-manager.ts';
import type { PostureAuditRunner } from '#core/chatops/audit-ports.ts';
import type { RemediationRuntime } from '#core/chatops/remediation-runtime.ts';
import { ConfigError, KubeguardError } from '#core/errors.ts';
import { type DemoCluster, PAYMENTS_SECRET, startDemoCluster } from './demo-cluster/index.ts';

/**
 * The cluster the sandbox acts on: the demo cluster (an in-memory Kubernetes API on loopback,
 * cli/sandbox/demo-cluster) with its kubeconfig written under the data directory, or a real cluster
 * from a kubeconfig (`--kubeconfig FILE` or KUBECONFIG). Remediation reaches it with that
 * kubeconfig, keeps forensic bundles in `<data>/evidence`, and rotates through an in-memory Secrets
 * Manager seeded with the demo's ExternalSecret key — never AWS. `/k8s audit` collects its
 * Kubernetes side; the AWS collectors (EKS, GuardDuty, Secrets Manager) are not run, so their checks
 * are reported as skipped.
 */
export interface SandboxCluster {
  name: string;
  /** The API server's URL (kubectl --server). */
  kubeServer: string;
  /** The kubeconfig file: the one written for the demo cluster, or the one given. */
  kubeconfigPath: string;
  /** Set when the sandbox runs its own demo cluster. */
  demo?: DemoCluster;
  /** The configuration's `clusters` entry for it. */
  region: string;
  remediation(table: { client: DocumentClient; tableName: string }): RemediationRuntime;
  audit: PostureAuditRunner;
  stop(): Promise<void>;
}

/** The demo cluster's region, as its nodes' names say. */
const DEMO_REGION = 'eu-west-1';

/** What the demo's Secrets Manager holds: the ExternalSecret's key, rotation configured. */
const DEMO_SECRETS = [
  {
    arn: PAYMENTS_SECRET.arn,
    name: PAYMENTS_SECRET.name,
    rotationEnabled: true,
    rotationLambdaArn: 'arn:aws:lambda:us-west-2:123456789012:function:MyTestRotationLambda',
    versionStages: { 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111': ['AWSCURRENT'] },
    tags: {},
  },
];

export async function startSandboxCluster(options: {
  /** A real cluster's kubeconfig; absent = the demo cluster. */
  kubeconfig?: string;
  /** Where the demo's kubeconfig and the forensic bundles go. */
  dataDir: string;
  /** @default 0 (any free port) */
  demoPort?: number;
}): Promise<SandboxCluster> {
  const evidenceRoot = join(options.dataDir, 'evidence');
  let demo: DemoCluster | undefined;
  let kubeconfigPath = options.kubeconfig;
  if (kubeconfigPath === undefined) {
    demo = await startDemoCluster({ port: options.demoPort ?? 0 });
    kubeconfigPath = join(options.dataDir, 'kubeconfig');
    writeFileSync(kubeconfigPath, demo.kubeconfig(), { mode: 0o600 });
  }
  const kubeConfig = kubeConfigFromFile({ path: kubeconfigPath });
  const current = kubeConfig.getCurrentCluster();
  if (current === null)
    throw new ConfigError(`kubeconfig ${kubeconfigPath} names no current cluster; set current-context`);
  const name = demo?.name ?? current.name;
  const secrets = new InMemorySecretsManager(demo === undefined ? [] : DEMO_SECRETS);
  const timers = {
    nowMs: () => Date.now(),
    sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
  };
  return {
    name,
    region: DEMO_REGION,
    kubeServer: current.server,
    kubeconfigPath,
    ...(demo === undefined ? {} : { demo }),
    remediation: (table) => ({
      async forCluster(cluster) {
        if (cluster !== name) {
          throw new KubeguardError(
            'NOT_FOUND',
            `cluster ${JSON.stringify(cluster)} is not the sandbox's; its cluster is ${name}`,
          );
        }
        return {
          kube: createKubeClient({ kubeConfig }),
          evidence: createLocalEvidenceStore(join(evidenceRoot, 'forensics', name)),
          secrets,
        };
      },
      rotationClaims: new DynamoRotationClaims(table),
      timers,
    }),
    audit: {
      collect: (cluster, onProgress) =>
        collectClusterSnapshot({
          kubeConfig,
          name: cluster.name,
          clock: () => new Date().toISOString(),
          onProgress,
        }),
    },
    stop: async () => {
      await demo?.stop();
    },
  };
}
