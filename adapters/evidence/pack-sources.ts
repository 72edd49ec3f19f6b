import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { GetObjectCommand, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import { type AuditTrailStore, MAX_AUDIT_RANGE_DAYS } from '#core/audit-trail/ports.ts';
import type { AuditRecord } from '#core/audit-trail/record.ts';
import { KubeguardError } from '#core/errors.ts';
import type { EvidencePeriod, EvidenceSources, PostureRun } from '#core/evidence-pack/model.ts';
import type { FindingLister } from '#core/findings/ports.ts';
import type { StoredFinding } from '#core/findings/stored-finding.ts';
import { type AuditHistoryEntry, type AuditHistoryStore, entriesBetween } from '#core/posture/history.ts';
import { REPORT_EXPORT_FILES, SNAPSHOT_EXPORT_FILE } from '#core/posture/report-exports.ts';
import { parseStoredReport } from '#core/posture/stored-report.ts';

/**
 * Where an evidence pack's records come from (EvidenceSources, core/evidence-pack/model.ts):
 * - `createStoredEvidenceSources`: the stores kubeguard keeps — the audit history (which audits ran,
 *   and where their report is) with the stored `report.json` and `snapshot.json` of each, the
 *   findings in the kubeguard table, the audit trail;
 * - `createFileEvidenceSources`: export files, for `kubeguard evidence` (docs/cli.md): audit reports
 *   (`kubeguard audit --format json`, or a copy of the bucket's `audits/` folder), a findings export
 *   and an audit-trail JSON Lines export.
 * Both hand the builder only records of the period; the builder filters again (decision D68).
 */

/** The file beside a stored report that holds its redacted configuration snapshot. */
export const SNAPSHOT_FILE = SNAPSHOT_EXPORT_FILE;

/** A finding was open at some point of [from, to): first seen before `to`, not closed before `from`. */
export function openDuring(finding: StoredFinding, period: EvidencePeriod): boolean {
  if (!(time(finding.firstSeen) < time(period.to))) return false;
  if (finding.status !== 'resolved' && finding.status !== 'remediated') return true;
  const closing = finding.history.findLast((entry) => entry.status === finding.status);
  return time(closing?.at ?? finding.lastSeen) >= time(period.from);
}

/** [from, to) cut into ranges the audit trail answers in one query (MAX_AUDIT_RANGE_DAYS at most). */
export function trailRanges(period: EvidencePeriod): EvidencePeriod[] {
  const end = time(period.to);
  const step = MAX_AUDIT_RANGE_DAYS * 86_400_000;
  const ranges: EvidencePeriod[] = [];
  for (let start = time(period.from); start < end; start += step) {
    ranges.push({
      from: new Date(start).toISOString(),
      to: start + step >= end ? period.to : new Date(start + step).toISOString(),
    });
  }
  return ranges;
}

// ---------------------------------------------------------------------------------------------------
// The stores

/** The files stored beside a report (`<reportId>/report.json`, `snapshot.json`): a directory or the bucket. */
export interface StoredReportFiles {
  /** The file's text, or undefined when it is not stored. */
  read(reportId: string, file: string): Promise<string | undefined>;
}

/** Audit history that can also answer a period (DynamoAuditHistoryStore.between). */
export type PeriodAuditHistory = AuditHistoryStore & {
  between?: (cluster: string, from: string, to: string) => Promise<AuditHistoryEntry[]>;
};

export interface StoredEvidenceSourcesOptions {
  /** The configured cluster names (for `all`). */
  clusters: () => Promise<string[]> | string[];
  history: PeriodAuditHistory;
  reports: StoredReportFiles;
  findings: FindingLister;
  trail: AuditTrailStore;
  /** Findings read at most (the listing scans the table); more is an error, never a silent cut. @default 100 000 */
  maxFindings?: number;
}

/** Without `between`, the newest this many audits of a cluster are read and filtered. */
const HISTORY_FALLBACK_LIMIT = 1000;

export function createStoredEvidenceSources(options: StoredEvidenceSourcesOptions): EvidenceSources {
  const maxFindings = options.maxFindings ?? 100_000;
  return {
    async clusters() {
      return [...(await options.clusters())];
    },
    async *postureRuns(cluster, period) {
      const entries =
        options.history.between !== undefined
          ? await options.history.between(cluster, period.from, period.to)
          : entriesBetween(
              await options.history.latest(cluster, HISTORY_FALLBACK_LIMIT),
              period.from,
              period.to,
            );
      for (const entry of entriesBetween(entries, period.from, period.to)) {
        if (entry.reportId === undefined) continue; // an audit whose exports were not stored
        const text = await options.reports.read(entry.reportId, REPORT_EXPORT_FILES.json);
        if (text === undefined) continue;
        const report = parseStoredReport(text, `${entry.reportId}/${REPORT_EXPORT_FILES.json}`);
        const snapshot = await options.reports.read(entry.reportId, SNAPSHOT_FILE);
        yield runOf(cluster, report, snapshot, `${entry.reportId}/${SNAPSHOT_FILE}`);
      }
    },
    async *findings(period) {
      const listing = await options.findings.listFindings({ limit: maxFindings });
      if (listing.truncated) {
        throw new KubeguardError(
          'LIMIT_EXCEEDED',
          `the findings table holds more than ${maxFindings} findings; an evidence pack would miss some — build it from an export (kubeguard evidence --findings) or raise maxFindings`,
        );
      }
      for (const finding of [...listing.findings].sort(byFirstSeen)) {
        if (openDuring(finding, period)) yield finding;
      }
    },
    async *auditRecords(period) {
      for (const range of trailRanges(period)) {
        let cursor: string | undefined;
        do {
          const page = await options.trail.byTime({
            ...range,
            limit: 500,
            ...(cursor === undefined ? {} : { cursor }),
          });
          yield* page.records;
          cursor = page.cursor;
        } while (cursor !== undefined);
      }
    },
  };
}

/** Stored report files under `<root>/<reportId>/` (createLocalReportExportStore's layout). */
export function localReportFiles(root: string): StoredReportFiles {
  return {
    async read(reportId, file) {
      return readIfPresent(join(resolve(root), reportId, file));
    },
  };
}

/** Stored report files at `s3://<bucket>/<reportId>/<file>` (createS3ReportExportStore's layout). */
export function s3ReportFiles(options: { client: S3Client; bucket: string }): StoredReportFiles {
  return {
    async read(reportId, file) {
      const key = `${reportId}/${file}`;
      try {
        const answer = await options.client.send(new GetObjectCommand({ Bucket: options.bucket, Key: key }));
        return (await answer.Body?.transformToString('utf-8')) ?? '';
      } catch (error) {
        if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
        throw new KubeguardError('UPSTREAM', `cannot read s3://${options.bucket}/${key}`, { cause: error });
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Export files

export interface FileEvidenceSourcesOptions {
  /**
   * Report files (`kubeguard audit --format json`) or directories searched for `*.json` reports —
   * a copy of the evidence bucket's `audits/` folder works as it is. A report's snapshot is the
   * `snapshot.json` beside a `report.json`, or `<name>.snapshot.json` beside `<name>.json`.
   */
  reports: readonly string[];
  /** Stored findings: a JSON array, JSON Lines, or `aws dynamodb scan` output (`{"Items": …}`). */
  findings?: string;
  /** The audit trail as JSON Lines (core/audit-trail/export.ts: `/k8s trail export`). */
  auditTrail?: string;
}

interface ReportFile {
  path: string;
  cluster: string;
  takenAt: string;
}

export function createFileEvidenceSources(options: FileEvidenceSourcesOptions): EvidenceSources {
  let index: Promise<ReportFile[]> | undefined;
  const reports = () => {
    index ??= indexReports(options.reports);
    return index;
  };
  return {
    async clusters() {
      return [...new Set((await reports()).map((file) => file.cluster))].sort();
    },
    async *postureRuns(cluster, period) {
      const files = (await reports())
        .filter((file) => file.cluster === cluster && inPeriod(file.takenAt, period))
        .sort((a, b) => time(a.takenAt) - time(b.takenAt));
      for (const file of files) {
        const report = parseStoredReport(await readFile(file.path, 'utf8'), file.path);
        const snapshotPath = snapshotPathOf(file.path);
        yield runOf(cluster, report, await readIfPresent(snapshotPath), snapshotPath);
      }
    },
    async *findings(period) {
      if (options.findings === undefined) return;
      const findings = parseFindings(await readFile(options.findings, 'utf8'), options.findings);
      for (const finding of findings.sort(byFirstSeen)) if (openDuring(finding, period)) yield finding;
    },
    async *auditRecords(period) {
      if (options.auditTrail === undefined) return;
      const records = parseAuditTrail(await readFile(options.auditTrail, 'utf8'), options.auditTrail);
      for (const record of records.sort((a, b) => time(a.at) - time(b.at))) {
        if (inPeriod(record.at, period)) yield record;
      }
    },
  };
}

/** Every report file named or found under a named directory, with its cluster and time. */
async function indexReports(paths: readonly string[]): Promise<ReportFile[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch((error: unknown) => {
      throw new KubeguardError(
        'INVALID_ARGUMENT',
        `cannot read the reports at ${path}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    });
    if (info.isDirectory()) files.push(...(await jsonFilesUnder(path)));
    else files.push(path);
  }
  const index: ReportFile[] = [];
  for (const path of files) {
    let head: { cluster?: unknown; takenAt?: unknown; results?: unknown };
    try {
      head = JSON.parse(await readFile(path, 'utf8')) as typeof head;
    } catch (error) {
      throw new KubeguardError(
        'INVALID_ARGUMENT',
        `${path} is not a JSON audit report: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    if (
      typeof head?.cluster !== 'string' ||
      typeof head.takenAt !== 'string' ||
      !Array.isArray(head.results)
    ) {
      throw new KubeguardError(
        'INVALID_ARGUMENT',
        `${path} is not an audit report (no cluster, takenAt and results): give the JSON of \`kubeguard audit --format json\``,
      );
    }
    index.push({ path, cluster: head.cluster, takenAt: head.takenAt });
  }
  return index;
}

/** `*.json` under a directory, recursively, leaving out snapshots and manifests. */
async function jsonFilesUnder(directory: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) found.push(...(await jsonFilesUnder(path)));
    else if (
      entry.isFile() &&
      entry.name.endsWith('.json') &&
      entry.name !== SNAPSHOT_FILE &&
      entry.name !== 'manifest.json' &&
      !entry.name.endsWith('.snapshot.json')
    ) {
      found.push(path);
    }
  }
  return found.sort();
}

function snapshotPathOf(reportPath: string): string {
  const name = basename(reportPath);
  return name === REPORT_EXPORT_FILES.json
    ? join(dirname(reportPath), SNAPSHOT_FILE)
    : join(dirname(reportPath), `${name.replace(/\.json$/, '')}.snapshot.json`);
}

/** Findings from a JSON array, JSON Lines, or `aws dynamodb scan` output of the kubeguard table. */
export function parseFindings(text: string, source: string): StoredFinding[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  let values: unknown[];
  try {
    if (trimmed.startsWith('[')) values = JSON.parse(trimmed) as unknown[];
    else if (trimmed.startsWith('{') && /^\{\s*"(Items|Count|ScannedCount)"/.test(trimmed)) {
      const scan = JSON.parse(trimmed) as { Items?: Record<string, { S?: string; N?: string }>[] };
      values = (scan.Items ?? [])
        .filter((item) => item.sk?.S === 'FINDING' && item.body?.S !== undefined)
        .map((item) => ({
          ...(JSON.parse(item.body?.S ?? '') as object),
          version: Number(item.version?.N ?? 0),
        }));
    } else values = jsonLines(trimmed);
  } catch (error) {
    throw new KubeguardError(
      'INVALID_ARGUMENT',
      `${source} is not a findings export: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  return values.map((value, index) => {
    const finding = value as Partial<StoredFinding>;
    if (
      typeof finding?.fingerprint !== 'string' ||
      typeof finding.status !== 'string' ||
      typeof finding.firstSeen !== 'string' ||
      typeof finding.lastSeen !== 'string' ||
      !Array.isArray(finding.history) ||
      typeof finding.detection !== 'object'
    ) {
      throw new KubeguardError(
        'INVALID_ARGUMENT',
        `${source}: finding ${index + 1} lacks fingerprint, status, firstSeen, lastSeen, history or detection`,
      );
    }
    return finding as StoredFinding;
  });
}

/** Audit records from JSON Lines (core/audit-trail/export.ts), or `aws dynamodb scan` output of the kubeguard table. */
export function parseAuditTrail(text: string, source: string): AuditRecord[] {
  let values: unknown[];
  try {
    const trimmed = text.trim();
    if (/^\{\s*"(Items|Count|ScannedCount)"/.test(trimmed)) {
      // One AUDIT_RECORD item per record (the day and finding index items repeat it).
      const scan = JSON.parse(trimmed) as { Items?: Record<string, { S?: string }>[] };
      values = (scan.Items ?? [])
        .filter((item) => item.type?.S === 'AUDIT_RECORD' && item.body?.S !== undefined)
        .map((item) => JSON.parse(item.body?.S ?? '') as unknown);
    } else values = jsonLines(text);
  } catch (error) {
    throw new KubeguardError(
      'INVALID_ARGUMENT',
      `${source} is not an audit-trail export: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  return values.map((value, index) => {
    const record = value as Partial<AuditRecord>;
    if (typeof record?.id !== 'string' || typeof record.at !== 'string' || typeof record.type !== 'string') {
      throw new KubeguardError(
        'INVALID_ARGUMENT',
        `${source}: line ${index + 1} is not an audit record (id, at, type)`,
      );
    }
    return record as AuditRecord;
  });
}

function jsonLines(text: string): unknown[] {
  const values: unknown[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      values.push(JSON.parse(line));
    } catch (error) {
      throw new Error(`line ${index + 1}: ${(error as Error).message}`);
    }
  });
  return values;
}

// ---------------------------------------------------------------------------------------------------

function runOf(
  cluster: string,
  report: PostureRun['report'],
  snapshotText: string | undefined,
  snapshotSource: string,
): PostureRun {
  if (snapshotText === undefined) return { cluster, report };
  try {
    return { cluster, report, snapshot: JSON.parse(snapshotText) as unknown };
  } catch (error) {
    throw new KubeguardError(
      'INVALID_ARGUMENT',
      `${snapshotSource} is not JSON: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new KubeguardError('UPSTREAM', `cannot read ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

function inPeriod(at: string, period: EvidencePeriod): boolean {
  const instant = time(at);
  return instant >= time(period.from) && instant < time(period.to);
}

function byFirstSeen(a: StoredFinding, b: StoredFinding): number {
  return time(a.firstSeen) - time(b.firstSeen) || (a.fingerprint < b.fingerprint ? -1 : 1);
}

function time(iso: string): number {
  return Date.parse(iso);
}
