import type { Detection } from '../model/detection.ts';
import type { AppliedEvents, StoredFinding } from './stored-finding.ts';

/**
 * Exactly-once counting (decision D16), the part both stores share: which detections of a batch a
 * finding does not count yet, and the finding's record of the event ids it counts.
 */

/** Event ids kept on the finding item (~50 bytes each); older ones are covered by the occurrence log. */
export const MAX_APPLIED_EVENTS = 200;

/** How many occurrences a detection stands for (a GuardDuty finding revision carries its count). */
export function occurrenceCountOf(detection: Detection): number {
  return Math.max(1, detection.count);
}

/** Keeps, per event id, the newest revision (GuardDuty redelivers a finding id with higher counts). */
export function newestPerEvent(detections: readonly Detection[]): Detection[] {
  const byEvent = new Map<string, Detection>();
  for (const detection of detections) {
    const seen = byEvent.get(detection.eventId);
    const newer =
      seen === undefined ||
      detection.count > seen.count ||
      (detection.updatedAt ?? '') > (seen.updatedAt ?? '');
    if (newer) byEvent.set(detection.eventId, detection);
  }
  return [...byEvent.values()];
}

/** What the finding's recent ids say it counts for an event, or 0. */
export function appliedInFinding(finding: StoredFinding | undefined, eventId: string): number {
  const entry = finding?.applied?.recent.find(([id]) => id === eventId);
  return entry === undefined ? 0 : entry[1];
}

/** The applied-events evictions a finding has seen (compared across reads, see D16). */
export function evictionsOf(finding: StoredFinding | undefined): number {
  return finding?.applied?.evicted ?? 0;
}

/**
 * The detections the finding does not count yet, each with `count` set to what it adds: its count
 * minus what the finding (recent ids) or the occurrence log (`logged`: appliedCount per event id)
 * says is applied already.
 */
export function unapplied(
  detections: readonly Detection[],
  finding: StoredFinding | undefined,
  logged: ReadonlyMap<string, number>,
): Detection[] {
  const added: Detection[] = [];
  for (const detection of detections) {
    const applied = Math.max(
      appliedInFinding(finding, detection.eventId),
      logged.get(detection.eventId) ?? 0,
    );
    const delta = occurrenceCountOf(detection) - applied;
    if (delta > 0) added.push({ ...detection, count: delta });
  }
  return added;
}

/**
 * `next` (the finding after `added` was folded in) with those event ids recorded as applied at their
 * full count, newest last. Returns the entries pushed out beyond MAX_APPLIED_EVENTS: the caller marks
 * their occurrence items applied before it writes the finding, so no id is forgotten while unmarked.
 */
export function withApplied(
  next: StoredFinding,
  previous: StoredFinding | undefined,
  added: readonly Detection[],
  fullCounts: ReadonlyMap<string, number>,
): { finding: StoredFinding; evicted: [string, number][] } {
  const ids = new Set(added.map((d) => d.eventId));
  const kept = (previous?.applied?.recent ?? []).filter(([id]) => !ids.has(id));
  const recent: [string, number][] = [
    ...kept,
    ...added.map((d): [string, number] => [d.eventId, fullCounts.get(d.eventId) ?? occurrenceCountOf(d)]),
  ];
  const overflow = Math.max(0, recent.length - MAX_APPLIED_EVENTS);
  const evicted = recent.slice(0, overflow);
  const applied: AppliedEvents = {
    recent: recent.slice(overflow),
    evicted: evictionsOf(previous) + overflow,
  };
  return { finding: { ...next, applied }, evicted };
}
