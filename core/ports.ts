import { KubeguardError } from './errors.ts';
import type { Detection } from './model/detection.ts';
import type { Block } from './slack-views/blocks.ts';

/**
 * Interfaces the core needs from the outside world. Each declares only what the core calls;
 * adapters/ implements them, tests use hand-written fakes from test/support/.
 */

/** The current time as ISO-8601; the core never reads the clock itself. */
export type Clock = () => string;

/**
 * Where detections go after analysis: the findings store and alert delivery in AWS, stdout in the
 * CLI, an array in tests. `accept` resolves only when every detection is durably handed over.
 */
export interface DetectionSink {
  accept(detections: readonly Detection[]): Promise<void>;
}

/**
 * Counts denied requests per key (a principal or a public source IP) over a sliding window that
 * outlives one Lambda invocation: DynamoDB in AWS, memory in the CLI and tests. `record` adds one
 * occurrence at `at` (ISO-8601) and resolves to the number of occurrences of `key` within the
 * `windowSeconds` that end at `at`, this one included. Implementations may over-count slightly at
 * the window's far edge (see adapters/aws/denial-counter.ts) but never miss an occurrence inside it.
 */
export interface DenialCounter {
  record(key: string, at: string, windowSeconds: number): Promise<number>;
}

/**
 * Wakes alert delivery after ingest recorded something to deliver: an asynchronous invocation of the
 * delivery function in AWS, an in-process run locally. A nudge that fails or is throttled is
 * harmless — the schedule runs delivery every minute anyway — so callers log the failure and go on.
 */
export interface DeliveryTrigger {
  nudge(): Promise<void>;
}

/**
 * Slack message metadata (`event_type` and `event_payload` on the wire): kubeguard tags each alert
 * with its finding so the message can be found again when Slack's answer to the post was lost.
 */
export interface SlackMessageMetadata {
  eventType: string;
  payload: Readonly<Record<string, string>>;
}

/** A message to post: `text` is the escaped notification fallback, `blocks` the Block Kit body. */
export interface SlackOutgoingMessage {
  channel: string;
  text: string;
  blocks: readonly Block[];
  /** Post as a reply in this message's thread. */
  threadTs?: string;
  metadata?: SlackMessageMetadata;
}

/** Where a posted message lives; `channel` is the id Slack resolved (a `#name` becomes `C…`). */
export interface SlackPostedMessage {
  channel: string;
  ts: string;
}

/**
 * The Slack Web API calls alert delivery needs. Implementations do not retry: they fail with a
 * KubeguardError (RATE_LIMITED with `details.retryAfterSeconds`, UPSTREAM for 5xx/network,
 * FORBIDDEN or INVALID_ARGUMENT for Slack `ok:false` errors, SlackMessageGoneError when the message
 * to update or reply to no longer exists) so the delivery layer decides about retries, pacing and
 * pending markers.
 */
export interface SlackMessenger {
  postMessage(message: SlackOutgoingMessage): Promise<SlackPostedMessage>;
  updateMessage(message: {
    channel: string;
    ts: string;
    text: string;
    blocks: readonly Block[];
  }): Promise<void>;
  /**
   * The newest top-level message in `channel` posted at or after `oldest` (ISO-8601) whose metadata
   * has `eventType` and every field of `payload`; undefined when there is none. UNSUPPORTED when
   * the channel cannot be read back (a `#name` instead of an id).
   */
  findPostedMessage(query: {
    channel: string;
    metadata: SlackMessageMetadata;
    oldest: string;
  }): Promise<SlackPostedMessage | undefined>;
}

/**
 * The message to update or reply to is gone (`message_not_found`, `thread_not_found`, or
 * `channel_not_found` for a message that was posted there): someone deleted it, or its channel.
 */
export class SlackMessageGoneError extends KubeguardError {
  constructor(message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super('NOT_FOUND', message, options);
    this.name = 'SlackMessageGoneError';
  }
}
