import { compareSeverity, SEVERITIES, type Severity } from '../model/severity.ts';
import type { CheckCategory, CheckMetadata, CheckResult, CheckStatus, ObjectRef } from './check.ts';
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
const SEVERITY_RANK: Readonly<Record<Severity, number>> = Object.fromEntries(
  SEVERITIES.map((severity, index) => [severity, index]),
) as Record<Severity, number>;

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
  const summary = emptyCounts();
  const categories: Partial<Record<CheckCategory, StatusCounts>> = {};
  const sections = new Map<string, StatusCounts>();
  // The counters each check's results add to, looked up once per check instead of per result.
  const countersOf = new Map<string, StatusCounts[]>();
  for (const check of checks) {
    categories[check.category] ??= emptyCounts();
    const counters = [categories[check.category] as StatusCounts];
    for (const section of check.cis) {
      let counts = sections.get(section);
      if (counts === undefined) {
        counts = emptyCounts();
        sections.set(section, counts);
      }
      counters.push(counts);
    }
    if (!countersOf.has(check.id)) countersOf.set(check.id, counters);
  }
  for (const result of results) {
    summary[result.status] += 1;
    for (const counts of countersOf.get(result.checkId) ?? []) counts[result.status] += 1;
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
    results: sortResults(results, coreIds),
  };
}

/**
 * The results in compareResults order, without comparing strings per pair (issue 14: sorting the
 * ~397,000 results of a 22,636-object audit with localeCompare took over a second). Each distinct
 * string is ranked once with the collation localeCompare uses; the (status, severity, core, check)
 * part and the (namespace, kind, name, file) part of each result then become two integer ranks, and
 * one numeric sort of `rank × 2^19 + position` orders everything (position keeps the sort stable).
 */
export function sortResults(results: readonly CheckResult[], coreIds: ReadonlySet<string>): CheckResult[] {
  // Distinct (check, status) groups and (namespace, kind, name, file) subjects, through nested maps:
  // no string is built per result.
  const groups = new Map<string, Map<CheckStatus, number>>();
  const groupFirst: CheckResult[] = [];
  const subjects = new Map<string, Map<string, Map<string, Map<string, number>>>>();
  const subjectFirst: CheckResult[] = [];
  const groupOf = new Uint32Array(results.length);
  const subjectOf = new Uint32Array(results.length);
  // Results of one check come together and pod checks share their template's ref object: remember
  // the last group and each ref's subject, and use the nested maps only for what is new.
  let lastCheck: string | undefined;
  let lastStatus: CheckStatus | undefined;
  let lastGroup = 0;
  const byRef = new Map<ObjectRef, { file: string | undefined; id: number }>();
  for (let i = 0; i < results.length; i++) {
    const r = results[i] as CheckResult;
    if (r.checkId !== lastCheck || r.status !== lastStatus) {
      const byStatus = child(groups, r.checkId);
      let group = byStatus.get(r.status);
      if (group === undefined) {
        group = groupFirst.push(r) - 1;
        byStatus.set(r.status, group);
      }
      lastCheck = r.checkId;
      lastStatus = r.status;
      lastGroup = group;
    }
    groupOf[i] = lastGroup;
    const known = byRef.get(r.object);
    if (known !== undefined && known.file === r.file) {
      subjectOf[i] = known.id;
      continue;
    }
    const files = child(child(child(subjects, r.object.namespace ?? ''), r.object.kind), r.object.name);
    let subject = files.get(r.file ?? '');
    if (subject === undefined) {
      subject = subjectFirst.push(r) - 1;
      files.set(r.file ?? '', subject);
    }
    byRef.set(r.object, { file: r.file, id: subject });
    subjectOf[i] = subject;
  }
  const collator = new Intl.Collator();
  const distinct = new Set<string>(['']);
  for (const r of groupFirst) distinct.add(r.checkId);
  for (const r of subjectFirst) {
    distinct.add(r.object.namespace ?? '');
    distinct.add(r.object.kind);
    distinct.add(r.object.name);
    distinct.add(r.file ?? '');
  }
  const textRank = rankStrings(distinct, collator);
  const rankOf = (text: string) => textRank.get(text) as number;
  const groupRank = tupleRanks(
    groupFirst.map((r, id) => [
      STATUS_ORDER[r.status],
      -SEVERITY_RANK[r.severity],
      coreIds.has(r.checkId) ? 0 : 1,
      rankOf(r.checkId),
      id,
    ]),
    4,
  );
  const subjectRank = tupleRanks(
    subjectFirst.map((r, id) => [
      rankOf(r.object.namespace ?? ''),
      rankOf(r.object.kind),
      rankOf(r.object.name),
      rankOf(r.file ?? ''),
      id,
    ]),
    4,
  );
  const SLOT = 2 ** 19; // positions and subject ranks below this; 2^19 × 2^19 × groups < 2^53
  if (results.length >= SLOT || subjectFirst.length >= SLOT || groupFirst.length >= 2 ** 14) {
    return [...results].sort(compareResults(coreIds));
  }
  const keys = new Float64Array(results.length);
  for (let i = 0; i < results.length; i++) {
    const group = groupRank[groupOf[i] as number] as number;
    keys[i] = (group * SLOT + (subjectRank[subjectOf[i] as number] as number)) * SLOT + i;
  }
  keys.sort();
  const sorted: CheckResult[] = new Array(results.length);
  for (let i = 0; i < keys.length; i++) sorted[i] = results[(keys[i] as number) % SLOT] as CheckResult;
  return sorted;
}

function child<K, V>(map: Map<K, Map<string, V>>, key: K): Map<string, V> {
  let found = map.get(key);
  if (found === undefined) {
    found = new Map();
    map.set(key, found);
  }
  return found;
}

/** Each string's rank under the collation; strings it calls equal share a rank. */
function rankStrings(distinct: ReadonlySet<string>, collator: Intl.Collator): Map<string, number> {
  const ordered = [...distinct].sort(collator.compare);
  const rank = new Map<string, number>();
  ordered.forEach((text, index) => {
    const previous = ordered[index - 1];
    const same = previous !== undefined && collator.compare(previous, text) === 0;
    rank.set(text, same ? (rank.get(previous) as number) : index);
  });
  return rank;
}

/** Dense ranks of integer tuples (the first `width` numbers of each; the last is its id). */
function tupleRanks(tuples: readonly number[][], width: number): Uint32Array {
  const order = [...tuples].sort((a, b) => {
    for (let k = 0; k < width; k++) {
      const difference = (a[k] as number) - (b[k] as number);
      if (difference !== 0) return difference;
    }
    return 0;
  });
  const ranks = new Uint32Array(tuples.length);
  let rank = 0;
  order.forEach((tuple, index) => {
    const previous = order[index - 1];
    if (previous !== undefined && tuple.slice(0, width).some((value, k) => value !== previous[k])) rank++;
    ranks[tuple[width] as number] = rank;
  });
  return ranks;
}

function metadataOnly(check: CheckMetadata): CheckMetadata {
  const { id, title, severity, category, core, cis, pss, reads, remediation } = check;
  return pss === undefined
    ? { id, title, severity, category, core, cis, reads, remediation }
    : { id, title, severity, category, core, cis, pss, reads, remediation };
}
