import type { EvidenceSources } from '#core/evidence-pack/model.ts';
import { DynamoAuditHistoryStore } from '../aws/audit-history-store.ts';
import { DynamoAuditTrailStore } from '../aws/audit-trail-store.ts';
import { DynamoFindingStore } from '../aws/findings-store.ts';
import { kubeguardTableFromEnv } from '../aws/kubeguard-table.ts';
import type { FunctionEnvironment } from '../config/env.ts';
import { evidenceWorkerPortsFromEnv } from './pack-worker-from-env.ts';

/**
 * The records of an evidence pack read from the deployed stores, for `kubeguard evidence --store`
 * (docs/cli.md): the kubeguard table's audit history, findings and audit trail, built as the action
 * worker builds them (adapters/slack/worker-from-env.ts), and the report exports of the evidence
 * bucket or KUBEGUARD_EVIDENCE_DIR, through evidenceWorkerPortsFromEnv itself — so the CLI and
 * `/k8s evidence` read the same records the same way. Undefined without a bucket or directory.
 * Throws ConfigError without KUBEGUARD_TABLE_NAME (kubeguardTableFromEnv).
 */
export function storedEvidenceSourcesFromEnv(environment: FunctionEnvironment): EvidenceSources | undefined {
  const table = kubeguardTableFromEnv(environment);
  const findings = new DynamoFindingStore({
    client: table.client,
    tableName: table.tableName,
    // Only read here; the clock stamps what a write would expire.
    nowSeconds: () => Math.floor(Date.now() / 1000),
  });
  const trail = new DynamoAuditTrailStore(table);
  const history = new DynamoAuditHistoryStore({ client: table.client, tableName: table.tableName });
  // Its pack store is left unused: the CLI writes the archive to --output, never to the bucket.
  return evidenceWorkerPortsFromEnv(environment, { history, findings, trail })?.sources;
}
