import type { DigestSlack } from '../../core/digest/send.ts';
import { KubeguardError } from '../../core/errors.ts';
import type { SlackMessageMetadata, SlackOutgoingMessage, SlackPostedMessage } from '../../core/ports.ts';

/**
 * A hand-written DigestSlack that records what it was asked, with scripted failures: a post that
 * lands but whose answer is lost, an upload that fails.
 */
export class FakeDigestSlack implements DigestSlack {
  readonly posts: (SlackOutgoingMessage & SlackPostedMessage & { at: string })[] = [];
  readonly uploads: { channel: string; filename: string; bytes: number }[] = [];
  readonly zones: Record<string, string>;
  /** The next N posts land but answer with UPSTREAM. */
  loseNextPostAnswers = 0;
  /** The next N uploads fail with UPSTREAM. */
  failNextUploads = 0;
  /** users.info fails (rate limited) while set. */
  failZoneLookups = false;
  #ts = 0;
  readonly #clock: () => string;

  constructor(zones: Record<string, string>, clock: () => string) {
    this.zones = zones;
    this.#clock = clock;
  }

  async postMessage(message: SlackOutgoingMessage): Promise<SlackPostedMessage> {
    this.#ts += 1;
    const posted = { channel: message.channel, ts: `1700000000.${String(this.#ts).padStart(6, '0')}` };
    this.posts.push({ ...message, ...posted, at: this.#clock() });
    if (this.loseNextPostAnswers > 0) {
      this.loseNextPostAnswers -= 1;
      throw new KubeguardError(
        'UPSTREAM',
        'Slack chat.postMessage did not complete: socket hang up; retry later',
      );
    }
    return posted;
  }

  async findPostedMessage(query: {
    channel: string;
    metadata: SlackMessageMetadata;
    oldest: string;
  }): Promise<SlackPostedMessage | undefined> {
    const found = [...this.posts]
      .reverse()
      .find(
        (post) =>
          post.channel === query.channel &&
          post.metadata?.eventType === query.metadata.eventType &&
          Object.entries(query.metadata.payload).every(
            ([key, value]) => post.metadata?.payload[key] === value,
          ),
      );
    return found === undefined ? undefined : { channel: found.channel, ts: found.ts };
  }

  async timeZoneOf(user: string): Promise<string | undefined> {
    if (this.failZoneLookups) {
      throw new KubeguardError(
        'RATE_LIMITED',
        `Slack users.info to ${user} was rate limited; retry after 3 s`,
      );
    }
    return this.zones[user];
  }

  async openDirectMessage(user: string): Promise<string> {
    return `D${user.slice(1)}`;
  }

  async uploadFile(file: { channel: string; filename: string; bytes: Uint8Array }): Promise<void> {
    if (this.failNextUploads > 0) {
      this.failNextUploads -= 1;
      throw new KubeguardError('UPSTREAM', 'Slack files.uploadV2 failed with HTTP 503; retry later');
    }
    this.uploads.push({ channel: file.channel, filename: file.filename, bytes: file.bytes.length });
  }
}
