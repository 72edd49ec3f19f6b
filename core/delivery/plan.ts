import type { StoredFinding } from '../findings/stored-finding.ts';

/** At most one thread reply per finding per minute (storm control). */
export const THREAD_REPLY_INTERVAL_MS = 60_000;

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
  if (delivery.messageStale) steps.push({ kind: 'update' });
  const hasNews = delivery.unsentOccurrences > 0 || delivery.unsentEvidence.length > 0;
  const lastReplyMs = delivery.lastThreadReplyAt
    ? Date.parse(delivery.lastThreadReplyAt)
    : Number.NEGATIVE_INFINITY;
  const replyDue = nowMs - lastReplyMs >= THREAD_REPLY_INTERVAL_MS;
  if (hasNews && replyDue && finding.status !== 'suppressed') {
    steps.push({
      kind: 'thread-reply',
      occurrences: delivery.unsentOccurrences,
      evidence: delivery.unsentEvidence,
    });
  }
  return steps;
}

/** True when every step that is due has been delivered (a thread reply may still wait for its minute). */
export function isFullyDelivered(finding: StoredFinding): boolean {
  return finding.slack !== undefined && !finding.delivery.messageStale;
}
