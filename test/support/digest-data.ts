import type { AuditRecord } from '../../core/audit-trail/record.ts';
import type { StoredFinding } from '../../core/findings/stored-finding.ts';
import type { Detection } from '../../core/model/detection.ts';
import { type FindingStatus, openFinding } from '../../core/model/finding.ts';
import type { Severity } from '../../core/model/severity.ts';
import type { AuditHistoryEntry } from '../../core/posture/history.ts';
import { guardDutyDetection } from './detections.ts';

/**
 * Digest test data derived from real shapes: history entries as historyEntryOf makes them,
 * findings from a real GuardDuty fixture's detection, audit-trail records as the status-change
 * handler writes them.
 */
export const DAY_MS = 86_400_000;

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** One audit: `score`, with `fail` failures split over severities. */
export function historyEntry(cluster: string, takenAt: string, score: number, fail = 10): AuditHistoryEntry {
  return {
    cluster,
    takenAt,
    score,
    summary: { pass: 80, fail, skip: 3 },
    failures: { low: fail - Math.floor(fail / 2), medium: Math.floor(fail / 2), high: 0, critical: 0 },
    categories: { workload: { pass: 40, fail, skip: 1 } },
  };
}

/** A daily audit at 06:00 UTC for `days` days up to (not including) `end`, scores from `scoreOf(dayIndex)`. */
export function dailyHistory(
  cluster: string,
  end: string,
  days: number,
  scoreOf: (day: number) => number,
): AuditHistoryEntry[] {
  const endMs = Date.parse(end);
  const first = Date.parse(`${end.slice(0, 10)}T06:00:00.000Z`) - days * DAY_MS;
  const entries: AuditHistoryEntry[] = [];
  for (let day = 0; day <= days; day += 1) {
    const at = first + day * DAY_MS;
    if (at < endMs) entries.push(historyEntry(cluster, iso(at), scoreOf(day)));
  }
  return entries;
}

const BASE = guardDutyDetection('guardduty-eks-privileged-container.json');

export interface FindingSpec {
  fingerprint: string;
  cluster: string;
  severity: Severity;
  firstSeen: string;
  lastSeen?: string;
  status?: FindingStatus;
  /** Status changes after opening: [status, at, until?]. */
  changes?: [FindingStatus, string, string?][];
  ruleId?: string;
  occurrences?: number;
  quiet?: boolean;
  namespace?: string;
  principal?: string;
}

export function finding(spec: FindingSpec): StoredFinding {
  const detection: Detection = {
    ...BASE,
    ruleId: spec.ruleId ?? BASE.ruleId,
    severity: spec.severity,
    cluster: spec.cluster,
    namespace: spec.namespace ?? BASE.namespace,
    principal: spec.principal ?? BASE.principal,
    firstSeen: spec.firstSeen,
    lastSeen: spec.lastSeen ?? spec.firstSeen,
    count: spec.occurrences ?? 1,
  };
  const opened = openFinding(detection, spec.firstSeen);
  const history = [...opened.history];
  for (const [status, at, until] of spec.changes ?? []) {
    history.push({ at, status, actor: 'U0AUDITOR', ...(until === undefined ? {} : { until }) });
  }
  return {
    ...opened,
    fingerprint: spec.fingerprint,
    status: spec.status ?? history.at(-1)?.status ?? 'open',
    history,
    version: 1,
    delivery: {
      state: spec.quiet === true ? 'quiet' : 'delivered',
      attempts: 0,
      channel: spec.quiet === true ? '' : 'C0SECURITY',
      unsentOccurrences: 0,
      unsentEvidence: [],
      messageStale: false,
    },
  };
}

/** The outcome record the worker writes for a status change that was made. */
export function statusOutcome(
  requestId: string,
  at: string,
  actor: string,
  cluster: string,
  fingerprint: string,
  kind: string,
  from: FindingStatus,
  to: FindingStatus,
): AuditRecord {
  return {
    id: `${requestId}:outcome`,
    requestId,
    type: 'outcome',
    at,
    actor,
    kind,
    source: 'button',
    cluster,
    finding: fingerprint,
    target: `finding ${fingerprint.slice(0, 8)}`,
    result: 'done',
    detail: `${from} → ${to}`,
  };
}
