import { toCsv } from './export/csv.ts';
import { toJson } from './export/json.ts';
import { toMarkdown } from './export/markdown.ts';
import type { AuditReport } from './report.ts';

/**
 * Evidence exports of an audit for compliance reviews: the full report as JSON, Markdown and CSV,
 * stored under one report id (S3 in AWS, a directory locally) and linked from the Slack summary.
 */
export interface ReportExports {
  json: string;
  markdown: string;
  csv: string;
}

/** Where each export can be opened: an https URL (S3 console) or a local file path. */
export type ReportExportLinks = ReportExports;

/** Port: stores the exports of one report, once, and says where they are. */
export interface ReportExportStore {
  /**
   * Stores `report.json`, `report.md` and `report.csv` under `reportId` (see reportExportId), and
   * `snapshot.json` when given: the configuration snapshot the report was computed from, already
   * redacted (snapshotExport), which evidence packs hold beside each report.
   * Refuses to overwrite a stored report (CONFLICT): evidence is written once.
   */
  putReportExports(
    reportId: string,
    exports: ReportExports,
    takenAt: string,
    snapshot?: string,
  ): Promise<ReportExportLinks>;
}

/** The file name of the redacted configuration snapshot beside a report's exports. */
export const SNAPSHOT_EXPORT_FILE = 'snapshot.json';

/** File names of the exports inside a report's folder. */
export const REPORT_EXPORT_FILES: Readonly<Record<keyof ReportExports, string>> = {
  json: 'report.json',
  markdown: 'report.md',
  csv: 'report.csv',
};

export function renderReportExports(report: AuditReport): ReportExports {
  return { json: toJson(report), markdown: toMarkdown(report), csv: toCsv(report) };
}

/**
 * `audits/<cluster>/<takenAt in ISO 8601 basic format>`, e.g. `audits/prod-eu/20260302T060000.000Z`:
 * sortable, and free of `:` so it is also a valid directory name everywhere. Characters outside
 * `A-Za-z0-9._-` (never in EKS cluster names) become `-`.
 */
export function reportExportId(report: Pick<AuditReport, 'cluster' | 'takenAt'>): string {
  const segment = (text: string) => text.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^\.+/, '-') || '-';
  return `audits/${segment(report.cluster)}/${segment(report.takenAt.replace(/[-:]/g, ''))}`;
}

/**
 * Admission policies generated from a stored report (the audit summary's "Generate policies"): one
 * YAML file per generation, beside the report's exports, as its own write-once evidence bundle.
 */
export interface PolicyFile {
  /** `vap` or `kyverno` (core/policy-as-code/generate.ts PolicyEngine). */
  engine: string;
  /** `warn` or `deny`. */
  mode: string;
  /** The generated multi-document YAML. */
  yaml: string;
}

/** Port: stores a generated policy file and says where it can be opened. */
export interface PolicyFileStore {
  /**
   * Stores `policies.yaml` under `policyFileId(reportId, file)`. The id holds a digest of the YAML,
   * so the same file stored again (a retry, a second click) is found where it is and linked, never
   * overwritten; a different file (another engine or mode, another generator) gets its own id.
   * @returns an https URL (S3 console) or a local file path, like the exports' links
   */
  putPolicyFile(reportId: string, file: PolicyFile, generatedAt: string): Promise<string>;
}

/** The file name of a generated policy file inside its bundle. */
export const POLICY_FILE_NAME = 'policies.yaml';

/**
 * `<report id>/policies/<engine>-<mode>-<first 12 hex of the YAML's SHA-256>`, e.g.
 * `audits/prod-eu/20260302T060000.000Z/policies/vap-warn-3f2a9c01b7d4`: content-addressed.
 */
export function policyFileId(reportId: string, file: PolicyFile, sha256Hex: string): string {
  const segment = (text: string) => text.replace(/[^A-Za-z0-9]/g, '-').slice(0, 20) || '-';
  return `${reportId}/policies/${segment(file.engine)}-${segment(file.mode)}-${sha256Hex.slice(0, 12)}`;
}
