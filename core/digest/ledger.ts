/**
 * Exactly one digest per subscription and period (decision D46), with single-item conditional
 * writes (dynalite has no transactions), shaped like the alert outbox's posting lease (D16):
 *
 * - `claim` takes a lease on (subscription, period) unless the period is sent or another sender's
 *   lease is still running. Two runs racing get one winner.
 * - Before posting, the sender records the attempt (`attempted`); when its answer is lost or it
 *   crashes, the lease runs out and the next run, seeing `attempts > 1` without a recorded message,
 *   looks the message up by its metadata before posting again.
 * - `posted` records the message, `sent` closes the period; `release` gives the lease back after a
 *   failure, so the next scheduled run retries at once.
 */
export interface SendKey {
  subscriptionId: string;
  /** The period key (schedule.ts). */
  period: string;
}

export interface SendState {
  /** The lease holder (one invocation's id). */
  owner: string;
  /** Claims taken on this period so far, this one included. */
  attempts: number;
  /** ISO-8601 of the first post attempt whose answer was not recorded. */
  postAttemptedAt?: string;
  /** The digest message, once Slack answered. */
  posted?: { channel: string; ts: string };
  /** The chart was shared. */
  chartShared?: boolean;
}

export type ClaimOutcome =
  | { claimed: true; state: SendState }
  | { claimed: false; why: 'sent' }
  | { claimed: false; why: 'busy'; until: string };

export interface DigestSendLedger {
  /** Whether the period was sent (a cheap read before claiming). */
  isSent(key: SendKey): Promise<boolean>;
  claim(key: SendKey, owner: string, at: string, leaseUntil: string): Promise<ClaimOutcome>;
  /**
   * Updates the claim while `owner` holds it (false when the lease was lost to another sender, which
   * then carries on from what was recorded).
   */
  record(
    key: SendKey,
    owner: string,
    change: Partial<Pick<SendState, 'postAttemptedAt' | 'posted' | 'chartShared'>>,
  ): Promise<boolean>;
  /** Marks the period sent (the lease holder only). */
  sent(key: SendKey, owner: string, at: string): Promise<boolean>;
  /** Ends the lease now, keeping what was recorded, so the next run retries. */
  release(key: SendKey, owner: string, at: string): Promise<void>;
}
