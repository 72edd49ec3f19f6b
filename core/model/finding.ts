import { createHash } from 'node:crypto';
import type { ActionOutcome } from '../remediation/action.ts';
import { actorKey } from './actor.ts';
import type { Detection } from './detection.ts';
import { foldRule, highestSeverity, type IncidentRule, rankRules, reportOf } from './incident.ts';
import type { Severity } from './severity.ts';

export const FINDING_STATUSES = ['open', 'acknowledged', 'suppressed', 'remediated', 'resolved'] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

/** Where the finding's Slack message lives. */
export interface SlackMessageRef {
  channel: string;
  ts: string;
}

export interface FindingHistoryEntry {
  at: string;
  status: FindingStatus;
  actor: string;
  reason?: string;
  /** When a suppression ends (ISO-8601): an occurrence after it reopens the finding. */
  until?: string;
}

/**
 * An incident's lifecycle: what one actor did to one target (see `fingerprintOf`), however many
 * events and rules report it.
 */
export interface Finding {
  fingerprint: string;
  status: FindingStatus;
  /**
   * The detection the alert shows: the most severe rule's (the latest of those), so its
   * severity is the incident's.
   */
  detection: Detection;
  /**
   * Every rule that reported the incident, in the order they first did. Absent on findings stored
   * before incidents grouped rules: `incidentRules` derives the list from `detection` then.
   */
  rules?: IncidentRule[];
  /** Requests (or GuardDuty counts) seen; several rules on one request count once. */
  occurrences: number;
  firstSeen: string;
  lastSeen: string;
  slack?: SlackMessageRef;
  history: FindingHistoryEntry[];
  /**
   * The last remediation run from the alert (isolate, release, rotate): the alert shows its verified
   * outcome under the evidence, on every later render too (core/findings/render.ts).
   */
  remediation?: FindingRemediation;
}

/** A remediation's outcome as the finding keeps it for its alert. */
export interface FindingRemediation {
  /** The confirmation that ran it. */
  requestId: string;
  /** As stored (core/chatops/plan-store.ts storedOutcome: the plan without its step list). */
  outcome: ActionOutcome;
  cluster?: string;
  reason?: string;
  approvedBy?: string;
}

const hash = (parts: readonly string[]) =>
  createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);

/**
 * What an incident is about: the workload or object acted on (`deployment/web`,
 * `clusterrolebinding/x`), else the pod as `pod/<name>` — GuardDuty names an exec'd pod
 * `pod/<name>` and the audit rules name it by its pod alone, and both must agree.
 */
export function incidentTarget(detection: Pick<Detection, 'workload' | 'pod'>): string {
  if (detection.workload !== undefined) return detection.workload;
  return detection.pod === undefined ? '' : `pod/${detection.pod}`;
}

/**
 * The identity of an incident (decision D19): the same actor on the same cluster, namespace and
 * target is one incident, whichever rules report it and however many events do. There is no rule
 * id in it, so one request seen by three rules is one alert; the actor is the IAM identity when the
 * source names it, so two people sharing `kubernetes-admin` are two incidents. A GuardDuty finding
 * outside the join window of its incident gets `separateIncidentKey` instead (findings/record.ts).
 * An Amazon Inspector image alert is keyed by its image digest and severity instead.
 */
export function fingerprintOf(detection: Detection): string {
  // An image alert is about an image, not an actor: one incident per digest and severity (decision D64).
  const image = detection.imageVulnerability;
  if (detection.source === 'inspector' && image !== undefined) {
    return hash(['inspector', image.digest, image.severity]);
  }
  return hash([
    detection.cluster ?? '',
    detection.namespace ?? '',
    incidentTarget(detection),
    actorKey(detection),
  ]);
}

/** The key of a GuardDuty finding that does not join its base incident: base key and finding type. */
export function separateIncidentKey(baseKey: string, findingType: string): string {
  return hash([baseKey, findingType]);
}

/** The rules of an incident; one derived from `detection` for a finding stored before rules were kept. */
export function incidentRules(finding: Finding): IncidentRule[] {
  if (finding.rules !== undefined && finding.rules.length > 0) return finding.rules;
  return foldRule([], reportOf(finding.detection), {
    count: finding.occurrences,
    firstSeen: finding.firstSeen,
    lastSeen: finding.lastSeen,
    eventId: finding.detection.eventId,
  });
}

/** The incident's severity: the highest any rule or GuardDuty gave it. */
export function incidentSeverity(finding: Finding): Severity {
  return highestSeverity(incidentRules(finding));
}

/** The incident's rules, most severe first. */
export function rankedIncidentRules(finding: Finding): IncidentRule[] {
  return rankRules(incidentRules(finding));
}

const ALLOWED_TRANSITIONS: Record<FindingStatus, readonly FindingStatus[]> = {
  open: ['acknowledged', 'suppressed', 'remediated', 'resolved'],
  acknowledged: ['suppressed', 'remediated', 'resolved', 'open'],
  suppressed: ['open', 'resolved'],
  remediated: ['open', 'resolved'],
  resolved: ['open'],
};

export function canTransition(from: FindingStatus, to: FindingStatus): boolean {
  return ALLOWED_TRANSITIONS[from].includes(to);
}

/** A new finding for the first occurrence of a detection. */
export function openFinding(detection: Detection, at: string): Finding {
  const occurrences = Math.max(1, detection.count);
  return {
    fingerprint: fingerprintOf(detection),
    status: 'open',
    detection,
    rules: foldRule([], reportOf(detection), {
      count: occurrences,
      firstSeen: detection.firstSeen,
      lastSeen: detection.lastSeen,
      eventId: detection.eventId,
    }),
    occurrences,
    firstSeen: detection.firstSeen,
    lastSeen: detection.lastSeen,
    history: [{ at, status: 'open', actor: 'kubeguard' }],
  };
}
