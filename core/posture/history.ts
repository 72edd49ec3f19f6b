import { SEVERITIES, type Severity } from '../model/severity.ts';
import type { CheckCategory } from './check.ts';
import type { AuditReport, StatusCounts } from './report.ts';

/**
 * The history of scheduled audits: one small entry per audit (score and counts, never results), kept
 * per cluster for the "change since the last audit" line and for the digests' trends.
 */
export interface AuditHistoryEntry {
  cluster: string;
  /** ISO-8601 time the snapshot was taken; unique per cluster. */
  takenAt: string;
  /** 0–100. */
  score: number;
  summary: StatusCounts;
  /** Failed results per severity. */
  failures: Record<Severity, number>;
  /** pass/fail/skip per check category (only categories that ran). */
  categories: Partial<Record<CheckCategory, StatusCounts>>;
  /** Where the full report's exports are stored (reportExportId). */
  reportId?: string;
}

/** Port: audit history per cluster (DynamoDB in AWS, memory in tests). */
export interface AuditHistoryStore {
  /** Stores the entry; storing the same cluster and takenAt again changes nothing. */
  put(entry: AuditHistoryEntry): Promise<void>;
  /** The newest `limit` entries of the cluster, newest first. */
  latest(cluster: string, limit: number): Promise<AuditHistoryEntry[]>;
}

export function historyEntryOf(report: AuditReport, reportId?: string): AuditHistoryEntry {
  const failures = Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<
    Severity,
    number
  >;
  for (const result of report.results) if (result.status === 'fail') failures[result.severity] += 1;
  const categories: Partial<Record<CheckCategory, StatusCounts>> = {};
  for (const [category, counts] of Object.entries(report.categories) as [CheckCategory, StatusCounts][]) {
    categories[category] = { ...counts };
  }
  const entry: AuditHistoryEntry = {
    cluster: report.cluster,
    takenAt: report.takenAt,
    score: report.score,
    summary: { ...report.summary },
    failures,
    categories,
  };
  if (reportId !== undefined) entry.reportId = reportId;
  return entry;
}

/** The newest entry taken before `takenAt` (the audit a new one is compared with). */
export function previousEntry(
  entries: readonly AuditHistoryEntry[],
  takenAt: string,
): AuditHistoryEntry | undefined {
  return newestFirst(entries.filter((entry) => compareTimes(entry.takenAt, takenAt) < 0))[0];
}

export function newestFirst(entries: readonly AuditHistoryEntry[]): AuditHistoryEntry[] {
  return [...entries].sort((a, b) => compareTimes(b.takenAt, a.takenAt));
}

/** Entries with `from <= takenAt < to` (ISO-8601 bounds), oldest first: a digest's period. */
export function entriesBetween(
  entries: readonly AuditHistoryEntry[],
  from: string,
  to: string,
): AuditHistoryEntry[] {
  return newestFirst(entries)
    .reverse()
    .filter((entry) => compareTimes(entry.takenAt, from) >= 0 && compareTimes(entry.takenAt, to) < 0);
}

export interface AuditTrend {
  cluster: string;
  /** Oldest first. */
  points: { takenAt: string; score: number; fail: number }[];
  first: AuditHistoryEntry;
  latest: AuditHistoryEntry;
  /** latest.score − first.score */
  scoreChange: number;
  /** latest − first failures, per severity (negative = fewer failures). */
  failureChange: Record<Severity, number>;
  lowestScore: number;
  highestScore: number;
}

/** How a cluster's posture moved over the entries given (any order); undefined for none. */
export function auditTrend(entries: readonly AuditHistoryEntry[]): AuditTrend | undefined {
  const ordered = newestFirst(entries).reverse();
  const first = ordered[0];
  const latest = ordered.at(-1);
  if (first === undefined || latest === undefined) return undefined;
  const failureChange = Object.fromEntries(
    SEVERITIES.map((severity) => [severity, latest.failures[severity] - first.failures[severity]]),
  ) as Record<Severity, number>;
  const scores = ordered.map((entry) => entry.score);
  return {
    cluster: latest.cluster,
    points: ordered.map((entry) => ({
      takenAt: entry.takenAt,
      score: entry.score,
      fail: entry.summary.fail,
    })),
    first,
    latest,
    scoreChange: latest.score - first.score,
    failureChange,
    lowestScore: Math.min(...scores),
    highestScore: Math.max(...scores),
  };
}

/** ISO-8601 times compared as instants (offsets and precisions may differ); unparsable ones as text. */
function compareTimes(a: string, b: string): number {
  const left = Date.parse(a);
  const right = Date.parse(b);
  if (Number.isNaN(left) || Number.isNaN(right)) return a.localeCompare(b);
  return left - right;
}
