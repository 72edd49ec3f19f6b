import type { ClusterConfig } from '../config/schema.ts';
import type { AuditHistoryStore } from '../posture/history.ts';
import type { AuditReport } from '../posture/report.ts';
import type { PolicyFileStore, ReportExportStore } from '../posture/report-exports.ts';
import type { ClusterSnapshot } from '../posture/snapshot.ts';
import type { CollectorProgress } from '../slack-views/audit-progress.ts';
import type { ClaimStore, SlackViewUpdates } from './ports.ts';

/**
 * What the action worker needs to run `/k8s audit` and to show stored reports
 * (core/chatops/handlers/audit.ts). The audit itself is the scheduled audit's
 * (core/posture/scheduled-audit.ts auditAndStore): the same collectors, checks, exports and
 * history — only the collection reports its progress.
 */

/** Collects a cluster's posture snapshot, saying as each collector starts and ends. */
export interface PostureAuditRunner {
  collect(
    cluster: ClusterConfig,
    onProgress: (progress: CollectorProgress) => void,
  ): Promise<ClusterSnapshot>;
}

/** Where a stored report is found again: the parts of its reference (auditReportRef). */
export interface AuditReportLocation {
  cluster: string;
  takenAt: string;
}

/** Reads a report back from the evidence exports (`report.json`); undefined when none is stored. */
export interface AuditReportReader {
  read(location: AuditReportLocation): Promise<AuditReport | undefined>;
}

export interface AuditWorkerPorts {
  runner: PostureAuditRunner;
  history: AuditHistoryStore;
  exports: ReportExportStore;
  reports: AuditReportReader;
  /** Claims `audit-run:<cluster>` while an audit of the cluster runs: one at a time. */
  claims: ClaimStore;
  /** Fills the details modal the ingress opened, and pages it. */
  views: SlackViewUpdates;
  /** Where "Generate policies" stores its YAML (beside the exports); absent = the worker says it is not set up. */
  policies?: PolicyFileStore;
}
