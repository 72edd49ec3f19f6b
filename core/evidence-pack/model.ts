import type { AuditRecord } from '../audit-trail/record.ts';
import type { Framework } from '../compliance/framework.ts';
import type { StoredFinding } from '../findings/stored-finding.ts';
import type { AuditReport } from '../posture/report.ts';

/**
 * An evidence pack: one archive an auditor can read without kubeguard, holding everything kubeguard
 * knows about a period — posture reports and the configuration snapshots behind them (secrets and
 * env values redacted), findings with their lifecycle, remediation actions with plan, approver and
 * outcome, active suppressions — plus a summary per control of SOC 2, PCI DSS and ISO/IEC 27001.
 */

// One definition, in core/compliance/framework.ts (the check and rule metadata name it too).
export { FRAMEWORKS, type Framework } from '../compliance/framework.ts';

/** Half-open period [from, to) in ISO-8601 instants. */
export interface EvidencePeriod {
  from: string;
  to: string;
}

export interface EvidencePackRequest {
  /** Cluster names, or every configured cluster. */
  clusters: readonly string[] | 'all';
  period: EvidencePeriod;
  /** The frameworks whose summaries the pack holds. @default all three */
  frameworks: readonly Framework[];
  /** Who asked (`slack:U123`, `cli:<user>`, `schedule`). */
  requestedBy: string;
  /** ISO-8601 time the pack is built (the core reads no clock). */
  generatedAt: string;
}

/** One posture audit run of the period, as stored. */
export interface PostureRun {
  cluster: string;
  report: AuditReport;
  /**
   * The configuration snapshot the report was computed from, already redacted when stored
   * (core/evidence-pack/redact.ts); absent for runs stored before snapshots were kept.
   */
  snapshot?: unknown;
}

/** Port: where a pack's records come from (the kubeguard table and evidence bucket, or export files). */
export interface EvidenceSources {
  /** The configured clusters (for `all`). */
  clusters(): Promise<string[]>;
  /** Every posture run of the cluster whose `takenAt` is in the period. */
  postureRuns(cluster: string, period: EvidencePeriod): AsyncIterable<PostureRun>;
  /** Every finding that was open at some point of the period (first seen before `to`, not closed before `from`). */
  findings(period: EvidencePeriod): AsyncIterable<StoredFinding>;
  /** Every audit-trail record in the period (actions, approvals, denials, status changes). */
  auditRecords(period: EvidencePeriod): AsyncIterable<AuditRecord>;
}

export interface EvidencePackFile {
  /** Path inside the archive, `/`-separated, no leading slash. */
  path: string;
  content: string;
  contentType: string;
}

export interface EvidencePackManifest {
  packId: string;
  generatedAt: string;
  requestedBy: string;
  period: EvidencePeriod;
  clusters: string[];
  frameworks: Framework[];
  /** Every file but the manifest itself, with its SHA-256 (hex) and size in bytes. */
  files: { path: string; sha256: string; bytes: number }[];
}

export interface EvidencePack {
  id: string;
  files: EvidencePackFile[];
  manifest: EvidencePackManifest;
}
