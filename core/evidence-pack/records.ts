import type { AuditRecord } from '../audit-trail/record.ts';
import type { StoredFinding } from '../findings/stored-finding.ts';
import {
  type FindingHistoryEntry,
  type FindingStatus,
  incidentRules,
  incidentSeverity,
  incidentTarget,
} from '../model/finding.ts';
import type { Severity } from '../model/severity.ts';
import type { EvidencePeriod } from './model.ts';
import { redactText } from './redact.ts';

/**
 * The pack's records (one JSON object per finding, action, suppression), each limited to the
 * period: a finding's lifecycle entries and an action's trail records are those whose time is in
 * [from, to). Free texts people typed go through `redactText`.
 */

export function inPeriod(at: string, period: EvidencePeriod): boolean {
  const time = Date.parse(at);
  return time >= Date.parse(period.from) && time < Date.parse(period.to);
}

export interface LifecycleEntry {
  at: string;
  status: FindingStatus;
  by: string;
  reason?: string;
  until?: string;
}

/** One line of findings.jsonl. */
export interface FindingLine {
  fingerprint: string;
  severity: Severity;
  rules: string[];
  title: string;
  cluster?: string;
  namespace?: string;
  target: string;
  /** Who the incident is about (the principal the detection names). */
  actor?: string;
  firstSeen: string;
  /** Absent when the finding was last seen after the period (`seenAfterPeriod`). */
  lastSeen?: string;
  seenAfterPeriod?: true;
  /** Its status when the period began; absent when it was first seen in the period. */
  statusAtStart?: FindingStatus;
  statusAtEnd: FindingStatus;
  /** Status changes in the period, oldest first: when and by whom. */
  lifecycle: LifecycleEntry[];
}

const CLOSED: ReadonlySet<FindingStatus> = new Set(['resolved', 'remediated']);

function statusBefore(history: readonly FindingHistoryEntry[], at: string): FindingStatus | undefined {
  const time = Date.parse(at);
  let status: FindingStatus | undefined;
  for (const entry of history) if (Date.parse(entry.at) < time) status = entry.status;
  return status;
}

function lifecycleEntry(entry: FindingHistoryEntry): LifecycleEntry {
  return {
    at: entry.at,
    status: entry.status,
    by: entry.actor,
    ...(entry.reason === undefined ? {} : { reason: redactText(entry.reason) }),
    ...(entry.until === undefined ? {} : { until: entry.until }),
  };
}

/** The finding as the pack shows it, or undefined when it was not open at any time of the period. */
export function findingLine(finding: StoredFinding, period: EvidencePeriod): FindingLine | undefined {
  if (Date.parse(finding.firstSeen) >= Date.parse(period.to)) return undefined;
  const lifecycle = finding.history.filter((entry) => inPeriod(entry.at, period)).map(lifecycleEntry);
  const atStart = statusBefore(finding.history, period.from);
  const firstSeenInPeriod = Date.parse(finding.firstSeen) >= Date.parse(period.from);
  if (lifecycle.length === 0 && !firstSeenInPeriod && (atStart === undefined || CLOSED.has(atStart)))
    return undefined;
  const rules = incidentRules(finding);
  const detection = finding.detection;
  const statusAtEnd = statusBefore(finding.history, period.to) ?? 'open';
  const seenAfter = Date.parse(finding.lastSeen) >= Date.parse(period.to);
  return {
    fingerprint: finding.fingerprint,
    severity: incidentSeverity(finding),
    rules: rules.map((rule) => rule.ruleId),
    title: rules[0]?.title ?? detection.ruleId,
    ...(detection.cluster === undefined ? {} : { cluster: detection.cluster }),
    ...(detection.namespace === undefined ? {} : { namespace: detection.namespace }),
    target: incidentTarget(detection),
    ...(detection.principal === undefined ? {} : { actor: detection.principal }),
    firstSeen: finding.firstSeen,
    ...(seenAfter ? { seenAfterPeriod: true as const } : { lastSeen: finding.lastSeen }),
    ...(atStart === undefined || firstSeenInPeriod ? {} : { statusAtStart: atStart }),
    statusAtEnd,
    lifecycle,
  };
}

/** One entry of suppressions.json: a suppression still in force when the period ended. */
export interface SuppressionLine {
  fingerprint: string;
  severity: Severity;
  rules: string[];
  cluster?: string;
  namespace?: string;
  target: string;
  /** When it was suppressed, by whom, why, until when (absent: no end). */
  at: string;
  by: string;
  reason?: string;
  until?: string;
}

export function suppressionAtEnd(
  finding: StoredFinding,
  line: FindingLine,
  period: EvidencePeriod,
): SuppressionLine | undefined {
  if (line.statusAtEnd !== 'suppressed') return undefined;
  const end = Date.parse(period.to);
  const entry = finding.history.findLast(
    (candidate) => candidate.status === 'suppressed' && Date.parse(candidate.at) < end,
  );
  if (entry === undefined) return undefined;
  if (entry.until !== undefined && Date.parse(entry.until) <= end) return undefined;
  return {
    fingerprint: line.fingerprint,
    severity: line.severity,
    rules: line.rules,
    ...(line.cluster === undefined ? {} : { cluster: line.cluster }),
    ...(line.namespace === undefined ? {} : { namespace: line.namespace }),
    target: line.target,
    at: entry.at,
    by: entry.actor,
    ...(entry.reason === undefined ? {} : { reason: redactText(entry.reason) }),
    ...(entry.until === undefined ? {} : { until: entry.until }),
  };
}

/** A trail record with the texts people typed (and kubeguard repeated) scrubbed. */
export function scrubbedRecord(record: AuditRecord): AuditRecord {
  const copy: AuditRecord = { ...record };
  for (const field of ['reason', 'detail', 'plan', 'target'] as const) {
    const value = copy[field];
    if (value !== undefined) copy[field] = redactText(value);
  }
  return copy;
}

/** Request kinds that run or decide a remediation (core/chatops/requests.ts). */
const ACTION_KINDS: ReadonlySet<string> = new Set(['execute', 'approve', 'deny']);
const ACTION_TYPES: ReadonlySet<AuditRecord['type']> = new Set(['action', 'approval-requested', 'approval']);

/** One line of actions.jsonl: the trail records of one remediation request, with what they say. */
export interface ActionLine {
  requestId: string;
  kind: string;
  /** The first record's time. */
  at: string;
  /** Who made the request. */
  actor: string;
  cluster?: string;
  finding?: string;
  target?: string;
  plan?: string;
  reason?: string;
  /** The approval this request asked for (`approval-requested`): the approver role. */
  approverRole?: string;
  /** Who approved the run (from the `action` record: `requested by X, approved by Y`). */
  approvedBy?: string;
  /** For an approve/deny request: its decision (`done` approved, `denied`, `unchanged` expired). */
  decision?: { by: string; result?: string; detail?: string };
  outcome?: { at: string; result?: string; detail?: string };
  /** Every trail record of the request in the period, oldest first (audit-trail.jsonl has them too). */
  records: AuditRecord[];
}

export function isActionGroup(records: readonly AuditRecord[]): boolean {
  return records.some((record) => ACTION_TYPES.has(record.type) || ACTION_KINDS.has(record.kind));
}

/** The action of one request's records (scrubbed, in the period, oldest first). */
export function actionLine(records: readonly AuditRecord[]): ActionLine {
  const first = records[0] as AuditRecord;
  const pick = <K extends keyof AuditRecord>(field: K): AuditRecord[K] | undefined =>
    records.find((record) => record[field] !== undefined)?.[field];
  const action = records.find((record) => record.type === 'action');
  const asked = records.find((record) => record.type === 'approval-requested');
  const approval = records.find((record) => record.type === 'approval');
  const outcome = records.findLast((record) => record.type === 'outcome');
  const approvedBy = /approved by (\S+)$/.exec(action?.detail ?? '')?.[1];
  const line: ActionLine = {
    requestId: first.requestId,
    kind: first.kind,
    at: first.at,
    actor: first.actor,
    records: [...records],
  };
  const fields = { cluster: pick('cluster'), finding: pick('finding'), target: pick('target') };
  for (const [field, value] of Object.entries(fields)) {
    if (value !== undefined) (line as unknown as Record<string, unknown>)[field] = value;
  }
  const plan = pick('plan');
  if (plan !== undefined) line.plan = plan;
  const reason = pick('reason');
  if (reason !== undefined) line.reason = reason;
  if (asked?.role !== undefined) line.approverRole = asked.role;
  if (approvedBy !== undefined) line.approvedBy = approvedBy;
  if (approval !== undefined) {
    line.decision = {
      by: approval.actor,
      ...(approval.result === undefined ? {} : { result: approval.result }),
      ...(approval.detail === undefined ? {} : { detail: approval.detail }),
    };
  }
  if (outcome !== undefined) {
    line.outcome = {
      at: outcome.at,
      ...(outcome.result === undefined ? {} : { result: outcome.result }),
      ...(outcome.detail === undefined ? {} : { detail: outcome.detail }),
    };
  }
  return line;
}
