import { createAuditHistoryStoreFromEnv } from '../../adapters/aws/audit-history-store.ts';
import { DynamoPostureFacts } from '../../adapters/aws/digest-stores.ts';
import { kubeguardTableFromEnv } from '../../adapters/aws/kubeguard-table.ts';
import { functionEnvironment } from '../../adapters/config/env.ts';
import { createReportExportStoreFromEnv } from '../../adapters/evidence/report-exports.ts';
import type { ClusterConfig, KubeguardConfig } from '../../core/config/schema.ts';
import type { ClusterSnapshot } from '../../core/posture/snapshot.ts';
import { functionObservability } from '../shared/observability.ts';
import { once, systemClock } from '../shared/runtime.ts';

export type PostureAuditComposition = Awaited<ReturnType<typeof compose>>;

let composing: Promise<PostureAuditComposition> | undefined;

/**
 * What the posture-audit function runs, built once per cold start from the validated environment:
 * the EKS cluster collector, audit history on the kubeguard table, report exports (S3 or a local
 * directory) and the Slack messenger for the summary. A failed build is not kept: the next
 * invocation tries again.
 */
export function composePostureAudit(): Promise<PostureAuditComposition> {
  composing ??= compose().catch((error: unknown) => {
    composing = undefined;
    throw error;
  });
  return composing;
}

/**
 * Only what the first invocation needs is evaluated when the bundle loads (D56). The Powertools
 * tracer (aws-xray-sdk-core and cls-hooked, ~50 ms of evaluation) is imported here, at the first
 * invocation, before any client is built so each is captured; the collector (EKS, GuardDuty, Inspector and
 * Secrets Manager clients, the Kubernetes reader) on the first collection, so an event naming no
 * configured cluster never evaluates it; the S3 client of the exports when the first export is
 * written (adapters/evidence/report-exports.ts).
 */
async function compose() {
  const environment = functionEnvironment();
  const [{ createInvocationTracer }, { createSlackMessengerFromEnv }] = await Promise.all([
    import('../../adapters/observability/tracer.ts'),
    import('../../adapters/slack/messenger-from-env.ts'),
  ]);
  // Before the clients: their AWS and Slack calls are traced through it.
  const observability = functionObservability('posture-audit', createInvocationTracer);
  return {
    config: environment.config,
    logger: observability.logger,
    observability,
    messenger: createSlackMessengerFromEnv(environment),
    collect: lazyCollector(environment.config),
    history: createAuditHistoryStoreFromEnv(environment),
    exports: createReportExportStoreFromEnv(environment),
    facts: new DynamoPostureFacts(kubeguardTableFromEnv(environment)),
  };
}

/**
 * The EKS cluster collector with the member-account credentials, imported and built on the first
 * collection and reused afterwards.
 */
function lazyCollector(config: KubeguardConfig): (cluster: ClusterConfig) => Promise<ClusterSnapshot> {
  const collector = once(async () => {
    const [{ createEksClusterCollector }, { createAccountCredentials }, { createInspectorFindingSource }] =
      await Promise.all([
        import('../../adapters/kubernetes/eks-cluster-collector.ts'),
        import('../../adapters/aws/account-credentials.ts'),
        import('../../adapters/aws/inspector-findings.ts'),
      ]);
    const accounts = createAccountCredentials({ config, functionName: 'posture-audit' });
    return createEksClusterCollector(
      systemClock,
      accounts,
      createInspectorFindingSource({ config, accounts }),
    );
  });
  return async (cluster) => (await collector())(cluster);
}
