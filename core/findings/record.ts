import type { Detection } from '../model/detection.ts';
import { fingerprintOf, openFinding } from '../model/finding.ts';
import { evidenceLine, MAX_HISTORY, MAX_UNSENT_EVIDENCE, type StoredFinding } from './stored-finding.ts';

export interface RecordContext {
  /** ISO-8601 now. */
  now: string;
  /** The routed channel, used when the finding is new. */
  channel: string;
}

function latest(detections: readonly Detection[]): Detection {
  return detections.reduce((a, b) => (b.lastSeen >= a.lastSeen ? b : a));
}

/** ISO-8601 strings of one format order like the instants they name. */
function earlierOf(a: string, b: string): string {
  return [a, b].sort()[0] as string;
}

function laterOf(a: string, b: string): string {
  return [a, b].sort()[1] as string;
}

function occurrenceCount(detections: readonly Detection[]): number {
  return detections.reduce((sum, d) => sum + Math.max(0, d.count), 0);
}

function newFinding(added: readonly Detection[], context: RecordContext): StoredFinding {
  const base = openFinding(latest(added), context.now);
  return {
    ...base,
    occurrences: occurrenceCount(added),
    firstSeen: added.map((d) => d.firstSeen).reduce(earlierOf),
    version: 1,
    delivery: {
      state: 'pending',
      attempts: 0,
      channel: context.channel,
      // The first message shows the count itself; there is nothing to summarize in the thread yet.
      unsentOccurrences: 0,
      unsentEvidence: [],
      messageStale: true,
    },
  };
}

/**
 * Folds new occurrences into a finding (pure). A remediated or resolved finding that occurs again
 * is reopened — it is not over — and says so in its history.
 */
export function applyOccurrences(
  current: StoredFinding | undefined,
  added: readonly Detection[],
  context: RecordContext,
): StoredFinding {
  if (added.length === 0) {
    if (current === undefined)
      throw new Error('applyOccurrences needs at least one detection for a new finding');
    return current;
  }
  if (current === undefined) return newFinding(added, context);
  const newest = latest(added);
  const reopen = current.status === 'remediated' || current.status === 'resolved';
  const history = reopen
    ? [
        ...current.history,
        {
          at: context.now,
          status: 'open' as const,
          actor: 'kubeguard',
          reason: `occurred again after ${current.status}`,
        },
      ].slice(-MAX_HISTORY)
    : current.history;
  const evidence = [...current.delivery.unsentEvidence, ...added.map(evidenceLine)].slice(
    -MAX_UNSENT_EVIDENCE,
  );
  return {
    ...current,
    status: reopen ? 'open' : current.status,
    detection: newest.lastSeen >= current.lastSeen ? newest : current.detection,
    occurrences: current.occurrences + occurrenceCount(added),
    firstSeen: added.map((d) => d.firstSeen).reduce(earlierOf, current.firstSeen),
    lastSeen: laterOf(newest.lastSeen, current.lastSeen),
    history,
    version: current.version + 1,
    delivery: {
      ...current.delivery,
      state: 'pending',
      unsentOccurrences: current.delivery.unsentOccurrences + occurrenceCount(added),
      unsentEvidence: evidence,
      messageStale: true,
    },
  };
}

/** Groups detections by fingerprint, keeping input order inside each group. */
export function groupByFingerprint(detections: readonly Detection[]): Map<string, Detection[]> {
  const groups = new Map<string, Detection[]>();
  for (const detection of detections) {
    const fingerprint = fingerprintOf(detection);
    const group = groups.get(fingerprint);
    if (group) group.push(detection);
    else groups.set(fingerprint, [detection]);
  }
  return groups;
}
