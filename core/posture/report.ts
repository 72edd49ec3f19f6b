import { compareSeverity } from '../model/severity.ts';
import type { CheckCategory, CheckMetadata, CheckResult, CheckStatus } from './check.ts';
import { postureScore } from './scoring.ts';

export interface StatusCounts {
  pass: number;
  fail: number;
  skip: number;
}

/** A manifest document that could not be audited (broken YAML, no kind, an unrendered template …). */
export interface SkippedDocument {
  file: string;
  /** 0-based document index in the file; absent when the whole file was unusable (binary). */
  document?: number;
  item?: number;
  reason: string;
}

/** What an offline audit read: it belongs in the summary, so a skipped document is never silent. */
export interface InputSummary {
  files: number;
  objects: number;
  skipped: SkippedDocument[];
}

/** The outcome of one audit: what the exports (JSON, Markdown, CSV, SARIF) and Slack render. */
export interface AuditReport {
  /** Cluster name, or `manifests` for an offline audit. */
  cluster: string;
  /** When the snapshot was taken (ISO-8601). */
  takenAt: string;
  /** 0–100, see scoring.ts. */
  score: number;
  summary: StatusCounts;
  /** Offline audits: the files and objects read and the documents skipped. */
  input?: InputSummary;
  /** Counts per check category (only categories with at least one check run). */
  categories: Partial<Record<CheckCategory, StatusCounts>>;
  /** Counts per CIS Amazon EKS Benchmark v1.8.0 section, in section order. */
  cisSections: Record<string, StatusCounts>;
  /** Metadata of every check that ran, in id order. */
  checks: CheckMetadata[];
  /** Top risks first: failures, then skips, then passes; then severity, core checks, id, object. */
  results: CheckResult[];
}

function emptyCounts(): StatusCounts {
  return { pass: 0, fail: 0, skip: 0 };
}

const STATUS_ORDER: Readonly<Record<CheckStatus, number>> = { fail: 0, skip: 1, pass: 2 };

export function compareResults(coreIds: ReadonlySet<string>): (a: CheckResult, b: CheckResult) => number {
  return (a, b) =>
    STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
    compareSeverity(b.severity, a.severity) ||
    Number(coreIds.has(b.checkId)) - Number(coreIds.has(a.checkId)) ||
    a.checkId.localeCompare(b.checkId) ||
    (a.object.namespace ?? '').localeCompare(b.object.namespace ?? '') ||
    a.object.kind.localeCompare(b.object.kind) ||
    a.object.name.localeCompare(b.object.name) ||
    (a.file ?? '').localeCompare(b.file ?? '');
}

/** Compares CIS section numbers numerically (4.2.10 after 4.2.9). */
export function compareSections(a: string, b: string): number {
  const left = a.split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] ?? -1) - (right[i] ?? -1);
    if (difference !== 0) return difference;
  }
  return 0;
}

export function buildReport(
  meta: { cluster: string; takenAt: string },
  checks: readonly CheckMetadata[],
  results: readonly CheckResult[],
): AuditReport {
  const byId = new Map(checks.map((check) => [check.id, check]));
  const summary = emptyCounts();
  const categories: Partial<Record<CheckCategory, StatusCounts>> = {};
  const sections = new Map<string, StatusCounts>();
  for (const check of checks) {
    categories[check.category] ??= emptyCounts();
    for (const section of check.cis) if (!sections.has(section)) sections.set(section, emptyCounts());
  }
  for (const result of results) {
    summary[result.status] += 1;
    const check = byId.get(result.checkId);
    if (check === undefined) continue;
    const categoryCounts = categories[check.category] ?? emptyCounts();
    categoryCounts[result.status] += 1;
    categories[check.category] = categoryCounts;
    for (const section of check.cis) {
      const counts = sections.get(section) ?? emptyCounts();
      counts[result.status] += 1;
      sections.set(section, counts);
    }
  }
  const coreIds = new Set(checks.filter((check) => check.core).map((check) => check.id));
  const cisSections: Record<string, StatusCounts> = {};
  for (const section of [...sections.keys()].sort(compareSections)) {
    cisSections[section] = sections.get(section) ?? emptyCounts();
  }
  return {
    cluster: meta.cluster,
    takenAt: meta.takenAt,
    score: postureScore(results),
    summary,
    categories,
    cisSections,
    checks: [...checks].map(metadataOnly).sort((a, b) => a.id.localeCompare(b.id)),
    results: [...results].sort(compareResults(coreIds)),
  };
}

function metadataOnly(check: CheckMetadata): CheckMetadata {
  const { id, title, severity, category, core, cis, pss, reads, remediation } = check;
  return pss === undefined
    ? { id, title, severity, category, core, cis, reads, remediation }
    : { id, title, severity, category, core, cis, pss, reads, remediation };
}
