import {
  blockActionsPayload,
  interactionForm,
  type SlackAppRef,
  signedHeaders,
  slashCommandForm,
  viewSubmissionPayload,
} from '../../cli/sandbox/slack/payloads.ts';
import { loadFixture } from './fixtures.ts';

/**
 * Slack requests as the bot receives them, built by the sandbox's own builders
 * (cli/sandbox/slack/payloads.ts, one implementation) with the workspace, app and values of the real
 * payload fixtures (test/fixtures/slack-*.json), signed like Slack signs them (a fresh timestamp by
 * default). test/unit/cli/sandbox/slack/payloads.test.ts holds the builders to the fixtures' shape.
 */

/** Slack's documented example signing secret, which also signed the fixtures. */
export const FIXTURE_SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';

export interface SlackRequest {
  body: string;
  headers: Record<string, string>;
}

/** The workspace, app and person of the real fixtures (T111, A111, W111 "primary-owner"). */
function fixtureApp(): SlackAppRef & { user: { id: string; name: string } } {
  const parsed = loadFixture<Record<string, string>>('slack-slash-command.json', 'parsed');
  const payload = loadFixture<Record<string, unknown>>('slack-block-actions.json');
  const team = payload.team as Record<string, string>;
  return {
    team: {
      id: String(team.id),
      domain: String(team.domain),
      enterpriseId: String(parsed.enterprise_id),
      enterpriseName: String(parsed.enterprise_name),
    },
    apiAppId: String(payload.api_app_id),
    token: String(payload.token),
    user: { id: String(parsed.user_id), name: String(parsed.user_name) },
  };
}

/** A slash command (`slack-slash-command.json`) with the fields given replacing the fixture's. */
export function slashCommandBody(fields: Record<string, string>): string {
  const parsed = loadFixture<Record<string, string>>('slack-slash-command.json', 'parsed');
  const form = slashCommandForm({
    ...fixtureApp(),
    channel: { id: String(parsed.channel_id), name: String(parsed.channel_name) },
    command: '/k8s',
    text: String(parsed.text),
    responseUrl: String(parsed.response_url),
    triggerId: String(parsed.trigger_id),
  });
  for (const [key, value] of Object.entries(fields)) form.set(key, value);
  return form.toString();
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
  /** The thread the message is a reply in (its parent's ts), as Slack's container and message carry it. */
  threadTs?: string;
}

/**
 * A button click (`slack-block-actions.json`) on a message in a channel: as the fixture notes, real
 * payloads for a non-ephemeral message carry the message and `state`, and `is_ephemeral` is false.
 */
export function blockActionBody(options: ClickOptions): string {
  const fixture = loadFixture<Record<string, unknown>>('slack-block-actions.json');
  const [action] = fixture.actions as Record<string, unknown>[];
  const app = fixtureApp();
  const payload = blockActionsPayload({
    ...app,
    user: { ...app.user, id: options.userId },
    container: {
      type: 'message',
      message_ts: options.messageTs,
      channel_id: options.channel,
      is_ephemeral: false,
      ...(options.threadTs === undefined ? {} : { thread_ts: options.threadTs }),
    },
    triggerId: options.triggerId ?? `${Date.now()}.111.${Math.random().toString(16).slice(2, 10)}`,
    channel: { id: options.channel, name: 'kubeguard-alerts' },
    message: {
      type: 'message',
      ts: options.messageTs,
      text: 'alert',
      blocks: [],
      ...(options.threadTs === undefined ? {} : { thread_ts: options.threadTs }),
    },
    state: { values: {} },
    responseUrl: options.responseUrl ?? String(fixture.response_url),
    action: {
      type: 'button',
      action_id: options.actionId,
      block_id: 'alert_actions',
      text: action?.text,
      value: options.value,
    },
    actionTs: options.actionTs ?? `${(Date.now() / 1000).toFixed(6)}`,
  });
  return interactionForm(payload);
}

export interface ModalClickOptions {
  actionId: string;
  value: string;
  userId: string;
  /** The modal as Slack sent it back (views.open/update answer): id, hash, callback_id … */
  view: Record<string, unknown>;
  blockId?: string;
  actionTs?: string;
  triggerId?: string;
}

/**
 * A button click inside a modal: the container is the view, the payload carries the view (with its
 * state) and, as Slack sends it, no channel, message or response URL.
 */
export function modalBlockActionBody(options: ModalClickOptions): string {
  const fixture = loadFixture<Record<string, unknown>>('slack-block-actions.json');
  const [action] = fixture.actions as Record<string, unknown>[];
  const app = fixtureApp();
  const payload = blockActionsPayload({
    ...app,
    user: { ...app.user, id: options.userId },
    container: { type: 'view', view_id: String(options.view.id) },
    triggerId: options.triggerId ?? `${Date.now()}.111.${Math.random().toString(16).slice(2, 10)}`,
    view: { ...options.view, state: { values: {} } },
    action: {
      type: 'button',
      action_id: options.actionId,
      block_id: options.blockId ?? 'audit_details_pages',
      text: action?.text,
      value: options.value,
    },
    actionTs: options.actionTs ?? `${(Date.now() / 1000).toFixed(6)}`,
  });
  return interactionForm(payload);
}

export interface SubmissionOptions {
  callbackId: string;
  privateMetadata: string;
  /** block id → action id → value (plain-text inputs) */
  values: Record<string, Record<string, string>>;
  /**
   * `view.state.values` as Slack builds it, for any other input (radio buttons …): the sandbox's
   * `stateValues(view.blocks, entered)` makes it from the opened view. Replaces `values` when given.
   */
  state?: Record<string, Record<string, unknown>>;
  userId: string;
  viewId?: string;
  hash?: string;
}

/** A form submission (`slack-view-submission.json`) with the given callback, metadata and values. */
export function viewSubmissionBody(options: SubmissionOptions): string {
  const fixture = loadFixture<Record<string, unknown>>('slack-view-submission.json');
  const view = fixture.view as Record<string, unknown>;
  const values = Object.fromEntries(
    Object.entries(options.values).map(([block, actions]) => [
      block,
      Object.fromEntries(
        Object.entries(actions).map(([action, value]) => [action, { type: 'plain_text_input', value }]),
      ),
    ]),
  );
  const app = fixtureApp();
  const payload = viewSubmissionPayload({
    ...app,
    user: { ...app.user, id: options.userId },
    triggerId: String(fixture.trigger_id),
    view: {
      ...view,
      id: options.viewId ?? view.id,
      callback_id: options.callbackId,
      private_metadata: options.privateMetadata,
      state: { values: options.state ?? values },
      hash: options.hash ?? view.hash,
    },
  });
  return interactionForm(payload);
}

/** Signs a body as Slack does, at `timestamp` (seconds; default now). */
export function signed(
  body: string,
  options: { secret?: string; timestamp?: number; headers?: Record<string, string> } = {},
): SlackRequest {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return {
    body,
    headers: {
      ...signedHeaders(body, options.secret ?? FIXTURE_SIGNING_SECRET, timestamp),
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
