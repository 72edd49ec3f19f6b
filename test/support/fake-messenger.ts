import { KubeguardError } from '../../core/errors.ts';
import {
  SlackMessageGoneError,
  type SlackMessageMetadata,
  type SlackMessenger,
  type SlackOutgoingMessage,
} from '../../core/ports.ts';

type Call =
  | {
      method: 'postMessage';
      channel: string;
      text: string;
      blocks: readonly unknown[];
      threadTs?: string;
      metadata?: SlackMessageMetadata;
      ts: string;
    }
  | { method: 'updateMessage'; channel: string; ts: string; text: string; blocks: readonly unknown[] };

/**
 * Records Slack calls in memory; `failNext` makes the next calls throw the given typed errors,
 * `deleteMessage` removes a posted message (updates and replies to it then fail as Slack's do).
 * `findPostedMessage` searches the posts by metadata and ignores `oldest` (the fake has no clock).
 */
export class FakeMessenger implements SlackMessenger {
  readonly calls: Call[] = [];
  readonly deleted = new Set<string>();
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

  deleteMessage(ts: string): void {
    this.deleted.add(ts);
  }

  async postMessage(message: SlackOutgoingMessage) {
    const failure = this.#failures.shift();
    if (failure) throw failure;
    if (message.threadTs !== undefined && this.deleted.has(message.threadTs)) {
      throw new SlackMessageGoneError('thread_not_found');
    }
    this.#ts += 1;
    const ts = `${this.#ts}.000100`;
    this.calls.push({ method: 'postMessage', ...message, ts });
    return { channel: message.channel, ts };
  }

  async updateMessage(message: { channel: string; ts: string; text: string; blocks: readonly unknown[] }) {
    const failure = this.#failures.shift();
    if (failure) throw failure;
    if (this.deleted.has(message.ts)) throw new SlackMessageGoneError('message_not_found');
    this.calls.push({ method: 'updateMessage', ...message });
  }

  async findPostedMessage(query: { channel: string; metadata: SlackMessageMetadata }) {
    const found = this.posts.findLast(
      (p) =>
        p.method === 'postMessage' &&
        p.channel === query.channel &&
        p.threadTs === undefined &&
        !this.deleted.has(p.ts) &&
        p.metadata?.eventType === query.metadata.eventType &&
        Object.entries(query.metadata.payload).every(([k, v]) => p.metadata?.payload[k] === v),
    );
    return found?.method === 'postMessage' ? { channel: found.channel, ts: found.ts } : undefined;
  }
}

export const slackRateLimited = (seconds: number) =>
  new KubeguardError('RATE_LIMITED', 'ratelimited', { details: { retryAfterSeconds: seconds } });
export const slackServerError = () =>
  new KubeguardError('UPSTREAM', 'Slack answered HTTP 500', { details: { status: 500 } });
