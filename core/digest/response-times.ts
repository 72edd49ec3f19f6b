import type { AuditRecord } from '../audit-trail/record.ts';
import type { StoredFinding } from '../findings/stored-finding.ts';
import type { FindingStatus } from '../model/finding.ts';

/**
 * Mean time to acknowledge and to remediate, from the audit trail (and the finding's own status
 * history where the trail has no record — a change made before the trail existed). A finding
 * counts once it was acknowledged (or remediated) within the period; findings still waiting are
 * left out of the mean and counted apart, so an open finding never pulls the mean to zero.
 */
export interface ResponseTimes {
  acknowledged: number;
  /** Minutes, one decimal; absent when nothing was acknowledged in the period. */
  meanMinutesToAcknowledge?: number;
  remediated: number;
  meanMinutesToRemediate?: number;
  /** Findings of the period's clusters still open (not acknowledged) at its end. */
  stillOpen: number;
}

/** Actions people took through kubeguard in the period, and by whom. */
export interface ActionsSummary {
  total: number;
  /** Most active first (then by id): Slack user id, the count, and the count per kind. */
  byActor: { actor: string; count: number; kinds: Record<string, number> }[];
}

const TRANSITION = /(\w+) → (\w+)/;
const REMEDIATED: ReadonlySet<string> = new Set(['remediated', 'resolved']);
/** Remediation actions count as remediating the finding they name. */
const REMEDIATION_KINDS: ReadonlySet<string> = new Set(['isolate-pod', 'cordon-node', 'rotate-secret']);

interface Range {
  from: number;
  to: number;
}

export function responseTimes(
  findings: readonly StoredFinding[],
  trail: readonly AuditRecord[],
  period: { from: string; to: string },
): ResponseTimes {
  const range: Range = { from: Date.parse(period.from), to: Date.parse(period.to) };
  const acknowledgedAt = new Map<string, number>();
  const remediatedAt = new Map<string, number>();
  for (const record of trail) {
    if (record.type !== 'outcome' || record.result !== 'done' || record.finding === undefined) continue;
    const at = Date.parse(record.at);
    if (!Number.isFinite(at)) continue;
    const to = TRANSITION.exec(record.detail ?? record.plan ?? '')?.[2];
    if (to === 'acknowledged' || record.kind === 'ack') keepEarliest(acknowledgedAt, record.finding, at);
    if ((to !== undefined && REMEDIATED.has(to)) || REMEDIATION_KINDS.has(record.kind)) {
      keepEarliest(remediatedAt, record.finding, at);
    }
  }
  const ackMinutes: number[] = [];
  const fixMinutes: number[] = [];
  let stillOpen = 0;
  for (const finding of findings) {
    const opened = Date.parse(finding.firstSeen);
    if (!Number.isFinite(opened)) continue;
    if (finding.status === 'open' && opened < range.to) stillOpen += 1;
    const acked = acknowledgedAt.get(finding.fingerprint) ?? firstChange(finding, ['acknowledged']);
    if (acked !== undefined && within(acked, range) && acked >= opened)
      ackMinutes.push((acked - opened) / 60_000);
    const fixed = remediatedAt.get(finding.fingerprint) ?? firstChange(finding, ['remediated', 'resolved']);
    if (fixed !== undefined && within(fixed, range) && fixed >= opened)
      fixMinutes.push((fixed - opened) / 60_000);
  }
  const times: ResponseTimes = {
    acknowledged: ackMinutes.length,
    remediated: fixMinutes.length,
    stillOpen,
  };
  const ack = mean(ackMinutes);
  if (ack !== undefined) times.meanMinutesToAcknowledge = ack;
  const fix = mean(fixMinutes);
  if (fix !== undefined) times.meanMinutesToRemediate = fix;
  return times;
}

/** Changes made (outcome records `done`) in the period, by person. */
export function actionsSummary(
  trail: readonly AuditRecord[],
  period: { from: string; to: string },
  clusters: ReadonlySet<string> | undefined,
): ActionsSummary {
  const range: Range = { from: Date.parse(period.from), to: Date.parse(period.to) };
  const byActor = new Map<string, { actor: string; count: number; kinds: Record<string, number> }>();
  let total = 0;
  for (const record of trail) {
    if (record.type !== 'outcome' || record.result !== 'done') continue;
    if (!within(Date.parse(record.at), range)) continue;
    if (clusters !== undefined && record.cluster !== undefined && !clusters.has(record.cluster)) continue;
    total += 1;
    const entry = byActor.get(record.actor) ?? { actor: record.actor, count: 0, kinds: {} };
    entry.count += 1;
    entry.kinds[record.kind] = (entry.kinds[record.kind] ?? 0) + 1;
    byActor.set(record.actor, entry);
  }
  return {
    total,
    byActor: [...byActor.values()].sort((a, b) => b.count - a.count || a.actor.localeCompare(b.actor)),
  };
}

function firstChange(finding: StoredFinding, statuses: readonly FindingStatus[]): number | undefined {
  const entry = finding.history.find((change) => statuses.includes(change.status));
  if (entry === undefined) return undefined;
  const at = Date.parse(entry.at);
  return Number.isFinite(at) ? at : undefined;
}

function keepEarliest(map: Map<string, number>, key: string, at: number): void {
  const known = map.get(key);
  if (known === undefined || at < known) map.set(key, at);
}

function within(at: number, range: Range): boolean {
  return Number.isFinite(at) && at >= range.from && at < range.to;
}

function mean(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  return Math.round((values.reduce((sum, value) => sum + value, 0) / values.length) * 10) / 10;
}
