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
 * Other errors (invalid_auth, channel_not_found …) are not retried: retrying cannot fix them.
 */
export async function withSlackRetries<T>(
  call: () => Promise<T>,
  policy: RetryPolicy,
  timers: Timers,
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
      if (error.code === 'RATE_LIMITED') {
        const waitSeconds = retryAfter ?? 1;
        if (waitSeconds > policy.maxRetryAfterSeconds) throw new DeliveryFailed(error, waitSeconds);
        await timers.sleep(waitSeconds * 1000);
      } else {
        await timers.sleep(policy.baseBackoffMs * 2 ** (attempt - 1));
      }
    }
  }
}

/**
 * Keeps messages to one channel about a second apart (Slack's chat.postMessage special tier:
 * ~1 message per second per channel). One pacer lives per process.
 */
export class ChannelPacer {
  readonly #nextAllowedMs = new Map<string, number>();
  readonly #intervalMs: number;
  readonly #timers: Timers;

  constructor(timers: Timers, intervalMs = 1000) {
    this.#timers = timers;
    this.#intervalMs = intervalMs;
  }

  async wait(channel: string): Promise<void> {
    const now = this.#timers.nowMs();
    const allowedAt = this.#nextAllowedMs.get(channel) ?? now;
    const startAt = Math.max(now, allowedAt);
    this.#nextAllowedMs.set(channel, startAt + this.#intervalMs);
    if (startAt > now) await this.#timers.sleep(startAt - now);
  }
}
