import { slackSignature } from '../../../core/chatops/signature.ts';

/**
 * The requests Slack sends an app, built field for field like the real ones
 * (test/fixtures/slack-slash-command.json, slack-block-actions.json, slack-view-submission.json,
 * and the fields test/fixtures/slack-facts.md §1 lists): a slash command as flat form fields, an
 * interaction as one `payload=<URL-encoded JSON>` field, signed with v0 HMAC-SHA256 over
 * `v0:<timestamp>:<body>`. The sandbox's proxy and the tests use these same builders.
 */
export interface SlackTeamRef {
  id: string;
  domain: string;
  /** Only on Enterprise Grid. */
  enterpriseId?: string;
  enterpriseName?: string;
}

export interface SlackUserRef {
  id: string;
  /** Slack's (deprecated, still sent) user name. */
  name: string;
}

export interface SlackChannelRef {
  id: string;
  name: string;
}

/** Fields every request of one app and workspace carries. */
export interface SlackAppRef {
  team: SlackTeamRef;
  apiAppId: string;
  /** The deprecated verification token, still sent. */
  token: string;
}

export interface SlashCommandInput extends SlackAppRef {
  user: SlackUserRef;
  channel: SlackChannelRef;
  command: string;
  text: string;
  responseUrl: string;
  triggerId: string;
}

/** A slash command's form body, fields in the order Slack sends them. */
export function slashCommandForm(input: SlashCommandInput): URLSearchParams {
  const { team } = input;
  return new URLSearchParams({
    token: input.token,
    team_id: team.id,
    team_domain: team.domain,
    channel_id: input.channel.id,
    channel_name: input.channel.name,
    user_id: input.user.id,
    user_name: input.user.name,
    command: input.command,
    text: input.text,
    api_app_id: input.apiAppId,
    is_enterprise_install: 'false',
    ...(team.enterpriseId === undefined
      ? {}
      : { enterprise_id: team.enterpriseId, enterprise_name: team.enterpriseName ?? '' }),
    response_url: input.responseUrl,
    trigger_id: input.triggerId,
  });
}

/** The element the person used, as it was in the blocks (a button, or a select with its choice). */
export interface ActedElement {
  type: string;
  action_id: string;
  block_id: string;
  text?: unknown;
  value?: string;
  selected_option?: unknown;
}

export type ActionContainer =
  | { type: 'message'; message_ts: string; channel_id: string; is_ephemeral: boolean }
  | { type: 'view'; view_id: string };

export interface BlockActionsInput extends SlackAppRef {
  user: SlackUserRef;
  container: ActionContainer;
  triggerId: string;
  /** For a click on a message. */
  channel?: SlackChannelRef;
  /** The message the button is on (absent for an ephemeral message, as Slack sends). */
  message?: Record<string, unknown>;
  /** The view the button is in, with its state. */
  view?: Record<string, unknown>;
  /** A message's interactive state (`{values:{}}` on a message without inputs). */
  state?: { values: Record<string, unknown> };
  /** Absent for a click in a modal, as Slack sends. */
  responseUrl?: string;
  action: ActedElement;
  /** `seconds.micros` */
  actionTs: string;
}

function userJson(user: SlackUserRef, team: SlackTeamRef): Record<string, string> {
  return { id: user.id, username: user.name, name: user.name, team_id: team.id };
}

function teamJson(team: SlackTeamRef): Record<string, string> {
  return {
    id: team.id,
    domain: team.domain,
    ...(team.enterpriseId === undefined
      ? {}
      : { enterprise_id: team.enterpriseId, enterprise_name: team.enterpriseName ?? '' }),
  };
}

/** A block_actions payload (docs.slack.dev/reference/interaction-payloads/block_actions-payload). */
export function blockActionsPayload(input: BlockActionsInput): Record<string, unknown> {
  const { action } = input;
  return {
    type: 'block_actions',
    user: userJson(input.user, input.team),
    api_app_id: input.apiAppId,
    token: input.token,
    container: input.container,
    trigger_id: input.triggerId,
    team: teamJson(input.team),
    ...(input.channel === undefined ? {} : { channel: input.channel }),
    ...(input.message === undefined ? {} : { message: input.message }),
    ...(input.view === undefined ? {} : { view: input.view }),
    ...(input.state === undefined ? {} : { state: input.state }),
    ...(input.responseUrl === undefined ? {} : { response_url: input.responseUrl }),
    actions: [
      {
        action_id: action.action_id,
        block_id: action.block_id,
        ...(action.text === undefined ? {} : { text: action.text }),
        ...(action.value === undefined ? {} : { value: action.value }),
        type: action.type,
        ...(action.selected_option === undefined ? {} : { selected_option: action.selected_option }),
        action_ts: input.actionTs,
      },
    ],
  };
}

export interface ViewSubmissionInput extends SlackAppRef {
  user: SlackUserRef;
  triggerId: string;
  /** The view as Slack keeps it (id, hash, callback_id, private_metadata …) with `state.values`. */
  view: Record<string, unknown>;
}

/** A view_submission payload (test/fixtures/slack-view-submission.json). */
export function viewSubmissionPayload(input: ViewSubmissionInput): Record<string, unknown> {
  return {
    type: 'view_submission',
    team: teamJson(input.team),
    user: userJson(input.user, input.team),
    api_app_id: input.apiAppId,
    token: input.token,
    trigger_id: input.triggerId,
    view: input.view,
    response_urls: [],
  };
}

/** An interaction payload as Slack posts it: one form field. */
export function interactionForm(payload: Record<string, unknown>): string {
  return `payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

/** The headers Slack sends with a body signed at `timestamp` (seconds). */
export function signedHeaders(body: string, secret: string, timestamp: number): Record<string, string> {
  const seconds = String(timestamp);
  return {
    'Content-Type': 'application/x-www-form-urlencoded',
    'X-Slack-Request-Timestamp': seconds,
    'X-Slack-Signature': slackSignature(secret, seconds, body),
  };
}

/** An action_ts / message ts in Slack's `seconds.micros` form. */
export function slackTs(ms: number): string {
  return (ms / 1000).toFixed(6);
}
