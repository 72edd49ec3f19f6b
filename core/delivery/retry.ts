import { asKubeguardError, type KubeguardError } from '../errors.ts';

/** How hard one invocation tries before leaving a delivery pending for a later attempt. */
export interface RetryPolicy {
  /** Attempts per Slack call, the first included. @default 4 */
  maxAttempts: number;
  /** Longest Retry-After honoured in-process, in seconds; longer waits are left to the sweeper. @default 30 */
  maxRetryAfterSeconds: number;
  /** First backoff after a 5xx or network error, doubled each time. @default 500 */
  baseBackoffMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  maxRetryAfterSeconds: 30,
  baseBackoffMs: 500,
};

export interface Timers {
  /** Milliseconds since the epoch. */
  nowMs: () => number;
  sleep: (ms: number) => Promise<void>;
}

/** Slack answered but we must not retry now (auth, bad channel) or we ran out of attempts. */
export class DeliveryFailed extends Error {
  readonly error: KubeguardError;
  readonly retryAfterSeconds?: number;
  constructor(error: KubeguardError, retryAfterSeconds?: number) {
    super(error.message, { cause: error });
    this.name = 'DeliveryFailed';
    this.error = error;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

function retryAfterOf(error: KubeguardError): number | undefined {
  const value = error.details.retryAfterSeconds;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/**
 * Runs a Slack call, honouring 429 Retry-After and backing off exponentially on 5xx/network errors.
 * Other errors (invalid_auth, channel_not_found …) are not retried: retrying cannot fix them. A wait
 * that would end after `deadlineMs` (the invocation's time budget) is not waited: the call fails and
 * the finding stays pending for the next run.
 */
export async function withSlackRetries<T>(
  call: () => Promise<T>,
  policy: RetryPolicy,
  timers: Timers,
  deadlineMs = Number.POSITIVE_INFINITY,
): Promise<T> {
  let attempt = 0;
  for (;;) {
    attempt += 1;
    try {
      return await call();
    } catch (thrown) {
      const error = asKubeguardError(thrown);
      const retryAfter = retryAfterOf(error);
      const retryable = error.code === 'RATE_LIMITED' || error.code === 'UPSTREAM';
      if (!retryable || attempt >= policy.maxAttempts) throw new DeliveryFailed(error, retryAfter);
      const waitMs =
        error.code === 'RATE_LIMITED' ? (retryAfter ?? 1) * 1000 : policy.baseBackoffMs * 2 ** (attempt - 1);
      const tooLong = error.code === 'RATE_LIMITED' && waitMs > policy.maxRetryAfterSeconds * 1000;
      if (tooLong || timers.nowMs() + waitMs > deadlineMs) {
        throw new DeliveryFailed(error, error.code === 'RATE_LIMITED' ? waitMs / 1000 : retryAfter);
      }
      await timers.sleep(waitMs);
    }
  }
}

/**
 * Keeps messages to one channel about a second apart (Slack's chat.postMessage special tier:
 * ~1 message per second per channel). One pacer lives per process; the delivery function runs one
 * instance at a time (reserved concurrency 1), so the pace holds per channel across invocations.
 */
export class ChannelPacer {
  readonly #nextAllowedMs = new Map<string, number>();
  readonly #intervalMs: number;
  readonly #timers: Timers;

  constructor(timers: Timers, intervalMs = 1000) {
    this.#timers = timers;
    this.#intervalMs = intervalMs;
  }

  /** When (epoch ms) the next message to `channel` may go. */
  readyAt(channel: string): number {
    return Math.max(this.#timers.nowMs(), this.#nextAllowedMs.get(channel) ?? 0);
  }

  async wait(channel: string): Promise<void> {
    const now = this.#timers.nowMs();
    const allowedAt = this.#nextAllowedMs.get(channel) ?? now;
    const startAt = Math.max(now, allowedAt);
    this.#nextAllowedMs.set(channel, startAt + this.#intervalMs);
    if (startAt > now) await this.#timers.sleep(startAt - now);
  }
}
