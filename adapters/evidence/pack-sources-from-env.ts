import type { EvidenceSources } from '#core/evidence-pack/model.ts';
import { recordStoresFromEnv } from '../aws/record-stores-from-env.ts';
import type { FunctionEnvironment } from '../config/env.ts';
import { evidenceWorkerPortsFromEnv } from './pack-worker-from-env.ts';

/**
 * The records of an evidence pack read from the deployed stores, for `kubeguard evidence --store`
 * (docs/cli.md): the kubeguard table's audit history, findings and audit trail (recordStoresFromEnv,
 * as the action worker reads them), and the report exports of the evidence
 * bucket or KUBEGUARD_EVIDENCE_DIR, through evidenceWorkerPortsFromEnv itself — so the CLI and
 * `/k8s evidence` read the same records the same way. Undefined without a bucket or directory.
 * Throws ConfigError without KUBEGUARD_TABLE_NAME (kubeguardTableFromEnv).
 */
export function storedEvidenceSourcesFromEnv(environment: FunctionEnvironment): EvidenceSources | undefined {
  const { history, findings, trail } = recordStoresFromEnv(environment);
  // Its pack store is left unused: the CLI writes the archive to --output, never to the bucket.
  return evidenceWorkerPortsFromEnv(environment, { history, findings, trail })?.sources;
}
