import { S3Client } from '@aws-sdk/client-s3';
import type { AuditWorkerPorts } from '#core/chatops/audit-ports.ts';
import type { SlackViewUpdates } from '#core/chatops/ports.ts';
import type { Clock } from '#core/ports.ts';
import { createAccountCredentials } from '../aws/account-credentials.ts';
import { DynamoAuditHistoryStore } from '../aws/audit-history-store.ts';
import { createInspectorFindingSource } from '../aws/inspector-findings.ts';
import { kubeguardTableFromEnv } from '../aws/kubeguard-table.ts';
import { DynamoClaimStore } from '../aws/replay-claims.ts';
import type { FunctionEnvironment } from '../config/env.ts';
import { createPolicyFileStoreFromEnv, createReportExportStoreFromEnv } from '../evidence/report-exports.ts';
import { createAuditReportReaderFromEnv } from '../evidence/report-reader.ts';
import { createEksClusterCollector } from './eks-cluster-collector.ts';

/**
 * What `/k8s audit` needs in the action worker, from the environment: the posture audit's own
 * collector (EKS, GuardDuty, Secrets Manager, Inspector and the Kubernetes API, as the worker's role), history
 * and claims on the kubeguard table, the report exports and their reader (the evidence bucket, or
 * KUBEGUARD_EVIDENCE_DIR locally). Undefined when no evidence store is configured: an audit's
 * summary links its stored report, so there is no audit without one.
 */
export function auditWorkerPortsFromEnv(
  environment: FunctionEnvironment,
  views: SlackViewUpdates,
  clock: Clock = () => new Date().toISOString(),
): AuditWorkerPorts | undefined {
  const reports = createAuditReportReaderFromEnv(
    environment,
    () => new S3Client(environment.region === undefined ? {} : { region: environment.region }),
  );
  if (reports === undefined) return undefined;
  const table = kubeguardTableFromEnv(environment);
  const accounts = createAccountCredentials({ config: environment.config, functionName: 'action-worker' });
  const collect = createEksClusterCollector(
    clock,
    accounts,
    // The daily audit's Inspector findings too, so `/k8s audit` judges the image checks the same way.
    createInspectorFindingSource({ config: environment.config, accounts }),
  );
  return {
    runner: { collect: (cluster, onProgress) => collect(cluster, onProgress) },
    history: new DynamoAuditHistoryStore({ client: table.client, tableName: table.tableName }),
    exports: createReportExportStoreFromEnv(environment),
    reports,
    policies: createPolicyFileStoreFromEnv(environment),
    claims: new DynamoClaimStore(table),
    views,
  };
}
