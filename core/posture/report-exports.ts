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
   * Stores `report.json`, `report.md` and `report.csv` under `reportId` (see reportExportId).
   * Refuses to overwrite a stored report (CONFLICT): evidence is written once.
   */
  putReportExports(reportId: string, exports: ReportExports, takenAt: string): Promise<ReportExportLinks>;
}

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
