import { KubeguardError } from '../../core/errors.ts';
import type { SlackMessenger } from '../../core/ports.ts';

type Call =
  | { method: 'postMessage'; channel: string; text: string; blocks: readonly unknown[]; threadTs?: string }
  | { method: 'updateMessage'; channel: string; ts: string; text: string; blocks: readonly unknown[] };

/** Records Slack calls in memory; `failNext` makes the next calls throw the given typed errors. */
export class FakeMessenger implements SlackMessenger {
  readonly calls: Call[] = [];
  readonly #failures: KubeguardError[] = [];
  #ts = 1_700_000_000;

  failNext(...errors: KubeguardError[]): void {
    this.#failures.push(...errors);
  }

  get posts() {
    return this.calls.filter((c) => c.method === 'postMessage');
  }

  get channelMessages() {
    return this.posts.filter((c) => c.method === 'postMessage' && c.threadTs === undefined);
  }

  get updates() {
    return this.calls.filter((c) => c.method === 'updateMessage');
  }

  async postMessage(message: {
    channel: string;
    text: string;
    blocks: readonly unknown[];
    threadTs?: string;
  }) {
    const failure = this.#failures.shift();
    if (failure) throw failure;
    this.calls.push({ method: 'postMessage', ...message });
    this.#ts += 1;
    return { channel: message.channel, ts: `${this.#ts}.000100` };
  }

  async updateMessage(message: { channel: string; ts: string; text: string; blocks: readonly unknown[] }) {
    const failure = this.#failures.shift();
    if (failure) throw failure;
    this.calls.push({ method: 'updateMessage', ...message });
  }
}

export const slackRateLimited = (seconds: number) =>
  new KubeguardError('RATE_LIMITED', 'ratelimited', { details: { retryAfterSeconds: seconds } });
export const slackServerError = () =>
  new KubeguardError('UPSTREAM', 'Slack answered HTTP 500', { details: { status: 500 } });
