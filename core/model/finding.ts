import { createHash } from 'node:crypto';
import type { Detection } from './detection.ts';

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
}

/** A detection's lifecycle: every occurrence with the same fingerprint belongs to one finding. */
export interface Finding {
  fingerprint: string;
  status: FindingStatus;
  /** The latest detection, used to render the alert. */
  detection: Detection;
  occurrences: number;
  firstSeen: string;
  lastSeen: string;
  slack?: SlackMessageRef;
  history: FindingHistoryEntry[];
}

/**
 * The identity of an incident: the same rule (or GuardDuty type) on the same cluster, namespace,
 * workload and principal is one finding, however many events report it.
 */
export function fingerprintOf(detection: Detection): string {
  const parts = [
    detection.cluster ?? '',
    detection.findingType ?? detection.ruleId,
    detection.namespace ?? '',
    detection.workload ?? detection.pod ?? '',
    detection.principal ?? '',
  ];
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
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
  return {
    fingerprint: fingerprintOf(detection),
    status: 'open',
    detection,
    occurrences: Math.max(1, detection.count),
    firstSeen: detection.firstSeen,
    lastSeen: detection.lastSeen,
    history: [{ at, status: 'open', actor: 'kubeguard' }],
  };
}
