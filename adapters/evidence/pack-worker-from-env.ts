import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import type { AuditTrailStore } from '#core/audit-trail/ports.ts';
import type { EvidenceWorkerPorts } from '#core/chatops/evidence-ports.ts';
import type { FindingLister } from '#core/findings/ports.ts';
import type { FunctionEnvironment } from '../config/env.ts';
import {
  createStoredEvidenceSources,
  localReportFiles,
  type PeriodAuditHistory,
  s3ReportFiles,
} from './pack-sources.ts';
import { createLocalEvidencePackStore, createS3EvidencePackStore } from './pack-store.ts';

/**
 * What `/k8s evidence` and the monthly pack run on in the action worker: the kubeguard table's
 * history, findings and trail, the report exports of the evidence bucket (or KUBEGUARD_EVIDENCE_DIR),
 * and the pack store beside them — `evidence-packs/` of the bucket, with `evidence.objectLock` and
 * `evidence.urlExpiryHours` (docs/configuration.md), or `<dir>/evidence-packs`; the store builds the
 * pack as it writes it, staging the archive in the function's `/tmp`. Undefined without an
 * evidence store: the command then says packs are not set up.
 */
export function evidenceWorkerPortsFromEnv(
  environment: FunctionEnvironment,
  stores: { history: PeriodAuditHistory; findings: FindingLister; trail: AuditTrailStore },
): EvidenceWorkerPorts | undefined {
  const settings = environment.config.evidence;
  const clusters = () => environment.config.clusters.map((cluster) => cluster.name);
  let where: Pick<EvidenceWorkerPorts, 'store'> & { reports: ReturnType<typeof localReportFiles> };
  if (environment.evidenceBucket !== undefined) {
    const client = new S3Client(environment.region === undefined ? {} : { region: environment.region });
    where = {
      reports: s3ReportFiles({ client, bucket: environment.evidenceBucket }),
      store: createS3EvidencePackStore({
        client,
        bucket: environment.evidenceBucket,
        urlExpiryHours: settings.urlExpiryHours,
        ...(settings.objectLock === undefined ? {} : { objectLock: settings.objectLock }),
      }),
    };
  } else if (environment.evidenceDirectory !== undefined) {
    where = {
      reports: localReportFiles(environment.evidenceDirectory),
      store: createLocalEvidencePackStore(join(environment.evidenceDirectory, 'evidence-packs')),
    };
  } else {
    return undefined;
  }
  return {
    sources: createStoredEvidenceSources({ clusters, ...stores, reports: where.reports }),
    store: where.store,
  };
}
