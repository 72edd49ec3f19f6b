import { slackSignature } from '../../core/chatops/signature.ts';
import { loadFixture } from './fixtures.ts';

/**
 * Slack requests as the bot receives them, derived from the real payload fixtures
 * (test/fixtures/slack-*.json): a slash command's form fields, a block_actions or view_submission
 * payload in a `payload=` form field, signed like Slack signs them (a fresh timestamp by default).
 */

/** Slack's documented example signing secret, which also signed the fixtures. */
export const FIXTURE_SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';

export interface SlackRequest {
  body: string;
  headers: Record<string, string>;
}

/** A slash command (`slack-slash-command.json`) with the fields given replacing the fixture's. */
export function slashCommandBody(fields: Record<string, string>): string {
  const parsed = loadFixture<Record<string, string>>('slack-slash-command.json', 'parsed');
  return new URLSearchParams({
    ...parsed,
    command: '/k8s',
    api_app_id: 'A111',
    is_enterprise_install: 'false',
    ...fields,
  }).toString();
}

export interface ClickOptions {
  actionId: string;
  value: string;
  userId: string;
  /** The alert message the button is on. */
  channel: string;
  messageTs: string;
  actionTs?: string;
  triggerId?: string;
  responseUrl?: string;
}

/**
 * A button click (`slack-block-actions.json`) on a message in a channel: as the fixture notes, real
 * payloads for a non-ephemeral message carry the message and `state`, and `is_ephemeral` is false.
 */
export function blockActionBody(options: ClickOptions): string {
  const payload = loadFixture<Record<string, unknown>>('slack-block-actions.json');
  const [action] = payload.actions as Record<string, unknown>[];
  const user = payload.user as Record<string, unknown>;
  const clicked = {
    ...payload,
    user: { ...user, id: options.userId },
    container: {
      type: 'message',
      message_ts: options.messageTs,
      channel_id: options.channel,
      is_ephemeral: false,
    },
    channel: { id: options.channel, name: 'kubeguard-alerts' },
    trigger_id: options.triggerId ?? `${Date.now()}.111.${Math.random().toString(16).slice(2, 10)}`,
    response_url: options.responseUrl ?? (payload.response_url as string),
    message: { type: 'message', ts: options.messageTs, text: 'alert', blocks: [] },
    state: { values: {} },
    actions: [
      {
        ...action,
        action_id: options.actionId,
        block_id: 'alert_actions',
        value: options.value,
        action_ts: options.actionTs ?? `${(Date.now() / 1000).toFixed(6)}`,
      },
    ],
  };
  return `payload=${encodeURIComponent(JSON.stringify(clicked))}`;
}

export interface SubmissionOptions {
  callbackId: string;
  privateMetadata: string;
  /** block id → action id → value */
  values: Record<string, Record<string, string>>;
  userId: string;
  viewId?: string;
  hash?: string;
}

/** A form submission (`slack-view-submission.json`) with the given callback, metadata and values. */
export function viewSubmissionBody(options: SubmissionOptions): string {
  const payload = loadFixture<Record<string, unknown>>('slack-view-submission.json');
  const view = payload.view as Record<string, unknown>;
  const user = payload.user as Record<string, unknown>;
  const values = Object.fromEntries(
    Object.entries(options.values).map(([block, actions]) => [
      block,
      Object.fromEntries(
        Object.entries(actions).map(([action, value]) => [action, { type: 'plain_text_input', value }]),
      ),
    ]),
  );
  const submitted = {
    ...payload,
    user: { ...user, id: options.userId },
    view: {
      ...view,
      id: options.viewId ?? view.id,
      callback_id: options.callbackId,
      private_metadata: options.privateMetadata,
      state: { values },
      hash: options.hash ?? view.hash,
    },
  };
  return `payload=${encodeURIComponent(JSON.stringify(submitted))}`;
}

/** Signs a body as Slack does, at `timestamp` (seconds; default now). */
export function signed(
  body: string,
  options: { secret?: string; timestamp?: number; headers?: Record<string, string> } = {},
): SlackRequest {
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  return {
    body,
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      'X-Slack-Request-Timestamp': timestamp,
      'X-Slack-Signature': slackSignature(options.secret ?? FIXTURE_SIGNING_SECRET, timestamp, body),
      ...options.headers,
    },
  };
}

/** POSTs a request to the bot; the status and the body (JSON when it is JSON). */
export async function send(
  url: string,
  request: SlackRequest,
): Promise<{ status: number; body: unknown; text: string }> {
  const response = await fetch(url, { method: 'POST', headers: request.headers, body: request.body });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text === '' ? '' : JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: response.status, body, text };
}
