import {
  type KnownBlock,
  LogLevel,
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
  WebClient,
} from '@slack/web-api';
import { KubeguardError } from '../../core/errors.ts';
import { METRICS } from '../../core/observability/metrics.ts';
import {
  SlackMessageGoneError,
  type SlackMessageMetadata,
  type SlackMessenger,
  type SlackOutgoingMessage,
  type SlackPostedMessage,
} from '../../core/ports.ts';
import type { Block } from '../../core/slack-views/blocks.ts';
import { adapterMetrics, tracedCall } from '../observability/hooks.ts';

export interface WebApiMessengerOptions {
  /** Bot token (xoxb-…). Never logged, never put into an error. */
  token: string;
  /**
   * Base URL of the Web API, ending in `/`.
   * @default 'https://slack.com/api/'
   */
  slackApiUrl?: string;
  /**
   * Per-request timeout; a timeout fails with UPSTREAM so delivery can retry.
   * @default 10000
   */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** conversations.history pages read when looking a message up (200 messages each). */
const HISTORY_PAGES = 5;
const HISTORY_PAGE_SIZE = 200;
/** What conversations.history accepts: a conversation id, not a `#name`. */
const CONVERSATION_ID = /^[CGD][A-Z0-9]+$/;
/** Used when Slack answers 429 without a usable Retry-After: Slack's per-channel pace is 1/s. */
const DEFAULT_RETRY_AFTER_SECONDS = 1;

/**
 * SlackMessenger over @slack/web-api. The client's own retries and rate-limit queueing are off:
 * every failure surfaces at once as a KubeguardError, so the delivery layer owns retry, pacing and
 * pending markers (and a Lambda never sleeps inside the SDK).
 */
export function createWebApiMessenger(options: WebApiMessengerOptions): SlackMessenger {
  const client = new WebClient(options.token, {
    ...(options.slackApiUrl === undefined ? {} : { slackApiUrl: options.slackApiUrl }),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    logLevel: LogLevel.ERROR,
  });

  return {
    async postMessage(message: SlackOutgoingMessage): Promise<SlackPostedMessage> {
      const method = 'chat.postMessage';
      // A reply whose thread (or its channel) is gone means the alert was deleted.
      const gone = message.threadTs === undefined ? NO_GONE_ERRORS : REPLY_GONE_ERRORS;
      const result = await call(
        method,
        message.channel,
        () =>
          client.chat.postMessage({
            channel: message.channel,
            text: message.text,
            blocks: toSdkBlocks(message.blocks),
            ...(message.threadTs === undefined ? {} : { thread_ts: message.threadTs }),
            ...(message.metadata === undefined ? {} : { metadata: toSdkMetadata(message.metadata) }),
            // Alerts quote attacker-influenced URLs; never let Slack fetch or preview them.
            unfurl_links: false,
            unfurl_media: false,
          }),
        gone,
      );
      if (typeof result.channel !== 'string' || typeof result.ts !== 'string') {
        throw new KubeguardError('UPSTREAM', `Slack ${method} answered ok without channel and ts`, {
          details: { method, status: 200 },
        });
      }
      return { channel: result.channel, ts: result.ts };
    },

    async updateMessage(message): Promise<void> {
      await call(
        'chat.update',
        message.channel,
        () =>
          client.chat.update({
            channel: message.channel,
            ts: message.ts,
            text: message.text,
            blocks: toSdkBlocks(message.blocks),
          }),
        UPDATE_GONE_ERRORS,
      );
    },

    async findPostedMessage(query): Promise<SlackPostedMessage | undefined> {
      const method = 'conversations.history';
      if (!CONVERSATION_ID.test(query.channel)) {
        throw new KubeguardError(
          'UNSUPPORTED',
          `Slack ${method} needs a channel id, not ${JSON.stringify(query.channel)} — configure channel ids (C…) in kubeguard.config.json so a post whose answer was lost can be found again`,
          { details: { method, channel: query.channel } },
        );
      }
      let cursor: string | undefined;
      for (let page = 0; page < HISTORY_PAGES; page += 1) {
        const result = await call(method, query.channel, () =>
          client.conversations.history({
            channel: query.channel,
            oldest: slackTimestamp(query.oldest),
            include_all_metadata: true,
            limit: HISTORY_PAGE_SIZE,
            ...(cursor === undefined ? {} : { cursor }),
          }),
        );
        // Newest first: the newest match is the message a lost answer was about.
        const found = (result.messages ?? []).find(
          (m) => typeof m.ts === 'string' && matches(m.metadata, query.metadata),
        );
        if (found?.ts !== undefined) return { channel: query.channel, ts: found.ts };
        cursor = result.response_metadata?.next_cursor;
        if (result.has_more !== true || cursor === undefined || cursor === '') return undefined;
      }
      return undefined;
    },
  };
}

function toSdkMetadata(metadata: SlackMessageMetadata) {
  return { event_type: metadata.eventType, event_payload: { ...metadata.payload } };
}

function matches(
  found: { event_type?: string; event_payload?: unknown } | undefined,
  wanted: SlackMessageMetadata,
): boolean {
  if (found?.event_type !== wanted.eventType) return false;
  const payload = found.event_payload as Record<string, unknown> | undefined;
  return Object.entries(wanted.payload).every(([key, value]) => payload?.[key] === value);
}

/** Slack's `oldest`: seconds since the epoch with microseconds, from ISO-8601. */
function slackTimestamp(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? (ms / 1000).toFixed(6) : '0';
}

const NO_GONE_ERRORS: ReadonlySet<string> = new Set();
/** chat.update: the message was deleted, or the channel it was in. */
const UPDATE_GONE_ERRORS: ReadonlySet<string> = new Set(['message_not_found', 'channel_not_found']);
/** A thread reply: the parent was deleted, or its channel. */
const REPLY_GONE_ERRORS: ReadonlySet<string> = new Set([
  'thread_not_found',
  'message_not_found',
  'channel_not_found',
]);

/** Our Block type is a structural subset of the SDK's; the SDK's union is too wide to assign to. */
function toSdkBlocks(blocks: readonly Block[]): KnownBlock[] {
  return blocks as unknown as KnownBlock[];
}

async function call<T>(
  method: string,
  channel: string,
  request: () => Promise<T>,
  goneErrors: ReadonlySet<string> = NO_GONE_ERRORS,
): Promise<T> {
  try {
    return await slackCall(method, request);
  } catch (error) {
    if (error instanceof WebAPIPlatformError && goneErrors.has(error.data.error)) {
      throw new SlackMessageGoneError(
        `Slack ${method} to ${channel} failed: ${error.data.error} — the message was deleted; kubeguard posts a fresh one`,
        { cause: error, details: { method, channel, slackError: error.data.error } },
      );
    }
    throw toKubeguardError(error, method, channel);
  }
}

/** Slack `ok:false` errors that mean the token or the bot lacks access. */
const FORBIDDEN_ERRORS = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'no_permission',
  'missing_scope',
  'not_allowed_token_type',
  'not_in_channel',
  'restricted_action',
  'restricted_action_read_only_channel',
  'restricted_action_thread_only_channel',
  'restricted_action_non_threadable_channel',
  'ekm_access_denied',
  'team_access_not_granted',
  'access_denied',
]);

/** Slack `ok:false` errors that are Slack's own trouble: worth retrying. */
const TRANSIENT_ERRORS = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

const HINTS: Record<string, string> = {
  invalid_auth: 'check SLACK_BOT_TOKEN (a bot token, xoxb-…) for this workspace',
  not_authed: 'set SLACK_BOT_TOKEN',
  token_revoked: 'reinstall the Slack app and update SLACK_BOT_TOKEN',
  missing_scope:
    'add the scopes kubeguard needs (chat:write, channels:history, groups:history) to the Slack app and reinstall it',
  not_in_channel: 'invite the bot to the channel (/invite @kubeguard)',
  channel_not_found:
    'fix the channel in kubeguard.config.json (slack.defaultChannel / routes) or invite the bot',
  is_archived: 'unarchive the channel or route alerts elsewhere in kubeguard.config.json',
  invalid_blocks: 'the message is not valid Block Kit — report this as a kubeguard bug',
  msg_too_long: 'the message is too long — report this as a kubeguard bug',
  message_not_found: 'the message to update was deleted; post a new one',
};

/** One Web API call, a trace subsegment (`Slack chat.postMessage`) in the functions that trace. */
export function slackCall<T>(method: string, request: () => Promise<T>): Promise<T> {
  return tracedCall(`Slack ${method}`, request);
}

/**
 * A Web API failure as a KubeguardError (RATE_LIMITED, UPSTREAM, FORBIDDEN, INVALID_ARGUMENT); the bot
 * adapters share it. Every Slack failure passes here, so this is where a 429 counts as SlackRateLimited.
 */
export function toKubeguardError(error: unknown, method: string, channel: string): KubeguardError {
  const mapped = mapSlackError(error, method, channel);
  if (mapped.code === 'RATE_LIMITED') adapterMetrics().add(METRICS.slackRateLimited, 1);
  return mapped;
}

function mapSlackError(error: unknown, method: string, channel: string): KubeguardError {
  const where = `Slack ${method} to ${channel}`;
  if (error instanceof WebAPIRateLimitedError) {
    return new KubeguardError(
      'RATE_LIMITED',
      `${where} was rate limited; retry after ${error.retryAfter} s`,
      {
        cause: error,
        details: { method, channel, retryAfterSeconds: error.retryAfter },
      },
    );
  }
  if (error instanceof WebAPIHTTPError) {
    return new KubeguardError('UPSTREAM', `${where} failed with HTTP ${error.statusCode}; retry later`, {
      cause: error,
      details: { method, channel, status: error.statusCode },
    });
  }
  if (error instanceof WebAPIPlatformError) return platformError(error, where, method, channel);
  if (error instanceof WebAPIRequestError) {
    return new KubeguardError(
      'UPSTREAM',
      `${where} did not complete: ${error.original.message}; retry later`,
      {
        cause: error,
        details: { method, channel, status: undefined },
      },
    );
  }
  // The SDK reports a 429 without a parseable Retry-After header as a plain Error.
  if (error instanceof Error && error.message.startsWith('Retry header did not contain a valid timeout')) {
    return new KubeguardError('RATE_LIMITED', `${where} was rate limited without a usable Retry-After`, {
      cause: error,
      details: { method, channel, retryAfterSeconds: DEFAULT_RETRY_AFTER_SECONDS },
    });
  }
  return new KubeguardError(
    'UPSTREAM',
    `${where} failed: ${error instanceof Error ? error.message : String(error)}`,
    {
      cause: error,
      details: { method, channel, status: undefined },
    },
  );
}

function platformError(
  error: WebAPIPlatformError,
  where: string,
  method: string,
  channel: string,
): KubeguardError {
  const slackError = error.data.error;
  const details = { method, channel, slackError, ...slackMessages(error) };
  const hint = HINTS[slackError];
  const message = `${where} failed: ${slackError}${hint === undefined ? '' : ` — ${hint}`}`;
  if (slackError === 'ratelimited') {
    return new KubeguardError('RATE_LIMITED', message, {
      cause: error,
      details: { ...details, retryAfterSeconds: DEFAULT_RETRY_AFTER_SECONDS },
    });
  }
  if (TRANSIENT_ERRORS.has(slackError)) {
    return new KubeguardError('UPSTREAM', message, { cause: error, details: { ...details, status: 200 } });
  }
  const code = FORBIDDEN_ERRORS.has(slackError) ? 'FORBIDDEN' : 'INVALID_ARGUMENT';
  return new KubeguardError(code, message, { cause: error, details });
}

/** Slack explains invalid_blocks and similar errors in response_metadata.messages. */
function slackMessages(error: WebAPIPlatformError): { slackMessages?: string[] } {
  const messages = error.data.response_metadata?.messages;
  return Array.isArray(messages) && messages.length > 0 ? { slackMessages: messages.slice(0, 10) } : {};
}
