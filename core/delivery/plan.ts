import type { StoredFinding } from '../findings/stored-finding.ts';

/** At most one thread reply per finding per minute (storm control). */
export const THREAD_REPLY_INTERVAL_MS = 60_000;

/**
 * New counts are shown at most every 30 seconds per message: chat.update is a Tier 3 method
 * (~50 calls a minute per workspace), and a storm over 20 findings must stay under it. Status
 * changes are shown at once.
 */
export const MESSAGE_UPDATE_INTERVAL_MS = 30_000;

function elapsedSince(iso: string | undefined, nowMs: number): number {
  return iso === undefined ? Number.POSITIVE_INFINITY : nowMs - Date.parse(iso);
}

/** When the stale message may next be updated (now, when a status change waits). */
export function nextUpdateDueMs(finding: StoredFinding, nowMs: number): number {
  const { delivery } = finding;
  if (delivery.statusStale || delivery.lastMessageAt === undefined) return nowMs;
  return Math.max(nowMs, Date.parse(delivery.lastMessageAt) + MESSAGE_UPDATE_INTERVAL_MS);
}

export type DeliveryStep =
  | { kind: 'post' }
  | { kind: 'update' }
  | { kind: 'thread-reply'; occurrences: number; evidence: string[] };

/**
 * What Slack must be told so the channel shows what the store knows: the first message, an
 * in-place update of the count and status, and at most one thread reply a minute summarizing new
 * evidence. Suppressed findings keep their message current but stay quiet in the thread.
 */
export function planDelivery(finding: StoredFinding, nowMs: number): DeliveryStep[] {
  const { delivery } = finding;
  if (finding.slack === undefined) return [{ kind: 'post' }];
  const steps: DeliveryStep[] = [];
  if (delivery.messageStale && nextUpdateDueMs(finding, nowMs) <= nowMs) steps.push({ kind: 'update' });
  const hasNews = delivery.unsentOccurrences > 0 || delivery.unsentEvidence.length > 0;
  const replyDue = elapsedSince(delivery.lastThreadReplyAt, nowMs) >= THREAD_REPLY_INTERVAL_MS;
  if (hasNews && replyDue && finding.status !== 'suppressed') {
    steps.push({
      kind: 'thread-reply',
      occurrences: delivery.unsentOccurrences,
      evidence: delivery.unsentEvidence,
    });
  }
  return steps;
}
