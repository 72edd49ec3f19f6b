import { createAccountCredentials } from '../../adapters/aws/account-credentials.ts';
import { createAuditHistoryStoreFromEnv } from '../../adapters/aws/audit-history-store.ts';
import { DynamoPostureFacts } from '../../adapters/aws/digest-stores.ts';
import { kubeguardTableFromEnv } from '../../adapters/aws/kubeguard-table.ts';
import { functionEnvironment } from '../../adapters/config/env.ts';
import { createReportExportStoreFromEnv } from '../../adapters/evidence/report-exports.ts';
import { createEksClusterCollector } from '../../adapters/kubernetes/eks-cluster-collector.ts';
import { createSlackMessengerFromEnv } from '../../adapters/slack/messenger-from-env.ts';
import { createFunctionLogger } from '../shared/logger.ts';
import { once, systemClock } from '../shared/runtime.ts';

/**
 * What the posture-audit function runs, built once per cold start from the validated environment:
 * the EKS cluster collector, audit history on the kubeguard table, report exports (S3 or a local
 * directory) and the Slack messenger for the summary.
 */
export const composePostureAudit = once(() => {
  const environment = functionEnvironment();
  return {
    config: environment.config,
    logger: createFunctionLogger('posture-audit'),
    messenger: createSlackMessengerFromEnv(environment),
    collect: createEksClusterCollector(
      systemClock,
      createAccountCredentials({ config: environment.config, functionName: 'posture-audit' }),
    ),
    history: createAuditHistoryStoreFromEnv(environment),
    exports: createReportExportStoreFromEnv(environment),
    facts: new DynamoPostureFacts(kubeguardTableFromEnv(environment)),
  };
});
