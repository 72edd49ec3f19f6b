import { createAuditHistoryStoreFromEnv } from '../../adapters/aws/audit-history-store.ts';
import { DynamoPostureFacts } from '../../adapters/aws/digest-stores.ts';
import { kubeguardTableFromEnv } from '../../adapters/aws/kubeguard-table.ts';
import { functionEnvironment } from '../../adapters/config/env.ts';
import { createReportExportStoreFromEnv } from '../../adapters/evidence/report-exports.ts';
import { createInvocationTracer } from '../../adapters/observability/tracer.ts';
import { createSlackMessengerFromEnv } from '../../adapters/slack/messenger-from-env.ts';
import type { ClusterConfig, KubeguardConfig } from '../../core/config/schema.ts';
import type { ClusterSnapshot } from '../../core/posture/snapshot.ts';
import { functionObservability } from '../shared/observability.ts';
import { once, systemClock } from '../shared/runtime.ts';

/**
 * What the posture-audit function runs, built once per cold start from the validated environment:
 * the EKS cluster collector, audit history on the kubeguard table, report exports (S3 or a local
 * directory) and the Slack messenger for the summary. The collector (the EKS, GuardDuty and Secrets
 * Manager clients and the Kubernetes reader) is imported when the first cluster is collected, not at
 * load: esbuild keeps a dynamically imported module in the one-file bundle but evaluates it only then
 * (D56), so an event that names no configured cluster never pays for it.
 */
export const composePostureAudit = once(() => {
  const environment = functionEnvironment();
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
});

/**
 * The EKS cluster collector with the member-account credentials, imported and built on the first
 * collection and reused afterwards.
 */
function lazyCollector(config: KubeguardConfig): (cluster: ClusterConfig) => Promise<ClusterSnapshot> {
  const collector = once(async () => {
    const [{ createEksClusterCollector }, { createAccountCredentials }] = await Promise.all([
      import('../../adapters/kubernetes/eks-cluster-collector.ts'),
      import('../../adapters/aws/account-credentials.ts'),
    ]);
    return createEksClusterCollector(
      systemClock,
      createAccountCredentials({ config, functionName: 'posture-audit' }),
    );
  });
  return async (cluster) => (await collector())(cluster);
}
