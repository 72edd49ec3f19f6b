import { isRecord, stringField } from './http.ts';
import { APP_ID, BOT_ID, type SlackState, type StoredMessage } from './state.ts';

/**
 * The Slack Web API methods the bot calls (chat.*, conversations.*, usergroups.users.list,
 * users.info, auth.test), answered from the sandbox's state with slack.com's response shapes
 * (docs.slack.dev/reference/methods/…): HTTP 200 with `{ok:false, error}` for an API error.
 * Views and files live in views-api.ts and files-api.ts.
 */
export interface ApiAnswer {
  /** @default 200 */
  status?: number;
  body: Record<string, unknown>;
}

export interface ApiContext {
  state: SlackState;
  body: Record<string, unknown>;
  /** The server's own origin, for URLs it mints (`http://127.0.0.1:PORT`). */
  origin: string;
  userGroups: Readonly<Record<string, readonly string[]>>;
  /** views.open/push accept only trigger ids the server minted, for `triggerTtlMs`. */
  strictTriggers: boolean;
  triggerTtlMs: number;
}

export type MethodHandler = (context: ApiContext) => ApiAnswer;

export function ok(fields: Record<string, unknown> = {}): ApiAnswer {
  return { body: { ok: true, ...fields } };
}

export function apiError(error: string): ApiAnswer {
  return { body: { ok: false, error } };
}

function blocksOf(body: Record<string, unknown>): unknown[] | undefined {
  return Array.isArray(body.blocks) ? body.blocks : undefined;
}

/** A message as conversations.history / replies and chat.postMessage answer it. */
export function messageJson(
  state: SlackState,
  m: StoredMessage,
  withMetadata = false,
): Record<string, unknown> {
  const replies = [...state.messages.values()].filter((r) => r.channel === m.channel && r.threadTs === m.ts);
  return {
    type: 'message',
    ts: m.ts,
    text: m.text,
    ...(m.user === state.botUserId ? { bot_id: BOT_ID, app_id: APP_ID } : {}),
    user: m.user,
    ...(m.threadTs === undefined ? {} : { thread_ts: m.threadTs }),
    ...(replies.length > 0 ? { thread_ts: m.ts, reply_count: replies.length } : {}),
    ...(m.blocks.length > 0 ? { blocks: m.blocks } : {}),
    ...(m.updates > 0 ? { edited: { user: m.user, ts: m.history[m.history.length - 1]?.editedTs } } : {}),
    ...(m.files.length > 0 ? { files: m.files.map((f) => ({ id: f.id, name: f.name })) } : {}),
    ...(withMetadata && m.metadata !== undefined ? { metadata: m.metadata } : {}),
  };
}

const postMessage: MethodHandler = ({ state, body }) => {
  const channel = stringField(body, 'channel');
  if (!state.knowsChannel(channel)) return apiError('channel_not_found');
  const text = stringField(body, 'text') ?? '';
  const blocks = blocksOf(body) ?? [];
  if (text === '' && blocks.length === 0) return apiError('no_text');
  if (body.blocks !== undefined && !Array.isArray(body.blocks)) return apiError('invalid_blocks');
  const threadTs = stringField(body, 'thread_ts');
  const metadata = body.metadata;
  const posted = state.post({
    channel,
    text,
    blocks,
    ...(threadTs === undefined ? {} : { threadTs }),
    ...(isRecord(metadata) ? { metadata } : {}),
  });
  return ok({ channel, ts: posted.ts, message: { type: 'message', text, blocks, ts: posted.ts } });
};

const update: MethodHandler = ({ state, body }) => {
  const channel = stringField(body, 'channel') ?? '';
  const ts = stringField(body, 'ts') ?? '';
  const stored = state.message(channel, ts);
  if (stored === undefined) return apiError('message_not_found');
  state.update(stored, stringField(body, 'text'), blocksOf(body));
  return ok({ channel, ts, text: stored.text, message: { text: stored.text, blocks: stored.blocks } });
};

const postEphemeral: MethodHandler = ({ state, body }) => {
  const channel = stringField(body, 'channel');
  const user = stringField(body, 'user');
  if (!state.knowsChannel(channel)) return apiError('channel_not_found');
  if (user === undefined || (state.users.length > 0 && state.user(user) === undefined)) {
    return apiError('user_not_found');
  }
  const messageTs = state.nextTs();
  const threadTs = stringField(body, 'thread_ts');
  state.addEphemeral(
    {
      via: 'chat.postEphemeral',
      user,
      channel,
      text: stringField(body, 'text') ?? '',
      blocks: blocksOf(body) ?? [],
      ...(threadTs === undefined ? {} : { threadTs }),
    },
    messageTs,
  );
  return ok({ message_ts: messageTs });
};

/**
 * conversations.history: top-level messages of a channel id, newest first, after `oldest`
 * (exclusive), `limit` per page with a `next_cursor`; metadata only with `include_all_metadata`.
 */
const history: MethodHandler = ({ state, body }) => {
  const channel = stringField(body, 'channel') ?? '';
  if (!/^[CGD][A-Z0-9]+$/.test(channel) || !state.knowsChannel(channel)) return apiError('channel_not_found');
  const oldest = Number(stringField(body, 'oldest') ?? '0');
  const all = state
    .channelMessages()
    .filter((m) => m.channel === channel && Number(m.ts) > oldest)
    .reverse();
  return page(state, body, all);
};

/** conversations.replies: the parent, then its replies oldest first (Slack's order). */
const replies: MethodHandler = ({ state, body }) => {
  const channel = stringField(body, 'channel') ?? '';
  const ts = stringField(body, 'ts') ?? '';
  if (!state.knowsChannel(channel)) return apiError('channel_not_found');
  const parent = state.message(channel, ts);
  if (parent === undefined) return apiError('thread_not_found');
  const root = parent.threadTs === undefined ? parent : state.message(channel, parent.threadTs);
  if (root === undefined) return apiError('thread_not_found');
  const thread = [...state.messages.values()]
    .filter((m) => m.channel === channel && m.threadTs === root.ts)
    .sort((a, b) => Number(a.ts) - Number(b.ts));
  return page(state, body, [root, ...thread]);
};

function page(state: SlackState, body: Record<string, unknown>, all: StoredMessage[]): ApiAnswer {
  const limit = Math.max(1, Math.min(999, Number(stringField(body, 'limit') ?? '100')));
  const offset = Number(stringField(body, 'cursor') ?? '0');
  const withMetadata = ['true', '1'].includes(String(body.include_all_metadata));
  const slice = all.slice(offset, offset + limit);
  const hasMore = offset + limit < all.length;
  return ok({
    messages: slice.map((m) => messageJson(state, m, withMetadata)),
    has_more: hasMore,
    response_metadata: { next_cursor: hasMore ? String(offset + limit) : '' },
  });
}

const userGroupMembers: MethodHandler = ({ body, userGroups }) => {
  const members = userGroups[stringField(body, 'usergroup') ?? ''];
  return members === undefined ? apiError('no_such_subteam') : ok({ users: [...members] });
};

/** users.info: the fields of Slack's user object the sandbox knows. */
const usersInfo: MethodHandler = ({ state, body }) => {
  const id = stringField(body, 'user') ?? '';
  const user = state.user(id);
  if (user === undefined) return apiError('user_not_found');
  return ok({
    user: {
      id: user.id,
      team_id: state.teamId,
      name: user.name,
      deleted: false,
      real_name: user.name,
      tz: 'Etc/UTC',
      is_admin: false,
      is_owner: false,
      is_bot: false,
      is_app_user: false,
      profile: { real_name: user.name, display_name: user.name, team: state.teamId },
    },
  });
};

/**
 * conversations.open with `users` (one person): Slack answers `{ok, channel: {id: "D…"}}`, and
 * `no_op` and `already_open` true when the DM existed (docs.slack.dev conversations.open;
 * @slack/web-api ConversationsOpenResponse). Group DMs and `return_im` are not needed by kubeguard.
 */
const conversationsOpen: MethodHandler = ({ state, body }) => {
  const users = (stringField(body, 'users') ?? '').split(',').filter((u) => u !== '');
  if (users.length === 0) return apiError('users_list_not_supplied');
  const [user] = users;
  if (users.length > 1 || user === undefined) return apiError('method_not_supported_for_channel_type');
  if (state.users.length > 0 && state.user(user) === undefined) return apiError('user_not_found');
  if (!/^[UW][A-Z0-9]{2,30}$/.test(user)) return apiError('user_not_found');
  const { channel, opened } = state.openDirectMessage(user);
  return ok({ ...(opened ? {} : { no_op: true, already_open: true }), channel: { id: channel } });
};

const authTest: MethodHandler = ({ state, origin }) =>
  ok({
    url: `${origin}/`,
    team: 'kubeguard sandbox',
    user: 'kubeguard',
    team_id: state.teamId,
    user_id: state.botUserId,
    bot_id: BOT_ID,
    is_enterprise_install: false,
  });

export const MESSAGE_METHODS: Readonly<Record<string, MethodHandler>> = {
  'chat.postMessage': postMessage,
  'chat.update': update,
  'chat.postEphemeral': postEphemeral,
  'conversations.history': history,
  'conversations.replies': replies,
  'conversations.open': conversationsOpen,
  'usergroups.users.list': userGroupMembers,
  'users.info': usersInfo,
  'auth.test': authTest,
};
