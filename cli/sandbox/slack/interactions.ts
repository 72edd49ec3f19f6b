import {
  blockIdOf,
  findElement,
  missingRequired,
  optionByValue,
  type PageValues,
  stateValues,
} from './elements.ts';
import { isRecord } from './http.ts';
import {
  type ActedElement,
  blockActionsPayload,
  interactionForm,
  type SlackAppRef,
  type SlackUserRef,
  signedHeaders,
  slackTs,
  slashCommandForm,
  viewSubmissionPayload,
} from './payloads.ts';
import type { SandboxUser, SlackState, ViewRecord } from './state.ts';
import { pushView, replaceView } from './views-api.ts';
import { messageJson } from './web-api.ts';

/**
 * The signing proxy behind the page (`POST /api/sandbox/act`): the page says who did what — a slash
 * command, a click on a message or in a modal, a modal submitted or closed — and this builds the
 * request Slack would send (payloads.ts), signs it with the app's signing secret at the current time,
 * posts it to the bot's `/slack/events` and applies the ack as Slack does: a command's ack body is
 * shown to the person only; a submission's `response_action` shows field errors, updates, pushes or
 * clears the modal, and an empty ack closes it. The page never sees the signing secret.
 */
export type PageAction =
  | { kind: 'command'; user: string; channel: string; text: string; threadTs?: string }
  | {
      kind: 'click';
      user: string;
      /** A click on a message … */
      channel?: string;
      messageTs?: string;
      /** … or on an ephemeral message (its ts) … */
      ephemeralTs?: string;
      /** … or in a modal / the Home tab. */
      viewId?: string;
      blockIndex: number;
      actionId: string;
      /** The option chosen in a select, radio or overflow. */
      selected?: string;
      /** The modal's inputs as entered so far. */
      values?: PageValues;
    }
  | { kind: 'submit'; user: string; viewId: string; values: PageValues }
  | { kind: 'close'; user: string; viewId: string };

export interface ProxyOptions {
  state: SlackState;
  app: SlackAppRef;
  signingSecret: string;
  botEventsUrl: string;
  /** The server's origin, for response URLs. */
  origin: string;
  /** Slack gives up on an ack after 3 s. @default 3000 */
  ackTimeoutMs?: number;
  /** The clock the signature's timestamp comes from. @default Date.now */
  nowMs?: () => number;
  fetch?: typeof fetch;
}

export interface ProxyResult {
  /** The page's answer status: 200 when the request reached the bot, 4xx for a bad page request. */
  status: number;
  body: {
    ok: boolean;
    error?: string;
    /** The bot's HTTP status and ack body. */
    botStatus?: number;
    ack?: string;
  };
}

const bad = (error: string, status = 400): ProxyResult => ({ status, body: { ok: false, error } });

export async function runPageAction(options: ProxyOptions, action: PageAction): Promise<ProxyResult> {
  const { state } = options;
  const user = state.user(action.user);
  if (user === undefined) return bad(`unknown sandbox user "${action.user}"`);
  switch (action.kind) {
    case 'command':
      return command(options, user, action);
    case 'click':
      return action.viewId === undefined
        ? clickMessage(options, user, action)
        : clickView(options, user, action);
    case 'submit':
      return submit(options, user, action);
    case 'close': {
      const record = state.views.get(action.viewId);
      if (record === undefined || record.user !== user.id)
        return bad(`no view "${action.viewId}" for ${user.id}`, 404);
      state.popModal(user.id);
      return { status: 200, body: { ok: true } };
    }
  }
}

function actor(user: SandboxUser): SlackUserRef {
  return { id: user.id, name: user.name };
}

async function post(
  options: ProxyOptions,
  body: string,
): Promise<{ status: number; text: string } | 'timeout'> {
  const nowMs = options.nowMs ?? Date.now;
  const headers = signedHeaders(body, options.signingSecret, Math.floor(nowMs() / 1000));
  try {
    const response = await (options.fetch ?? fetch)(options.botEventsUrl, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(options.ackTimeoutMs ?? 3000),
    });
    return { status: response.status, text: await response.text() };
  } catch (error) {
    if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
      return 'timeout';
    throw error;
  }
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const parsed = JSON.parse(text) as unknown;
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

async function command(
  options: ProxyOptions,
  user: SandboxUser,
  action: Extract<PageAction, { kind: 'command' }>,
): Promise<ProxyResult> {
  const { state } = options;
  if (!state.knowsChannel(action.channel)) return bad(`unknown channel "${action.channel}"`);
  const match = /^(\/[\w-]+)(?:\s+([\s\S]*))?$/.exec(action.text.trim());
  if (match === null) return bad('a slash command starts with "/", e.g. "/k8s help"');
  const [, name = '', text = ''] = match;
  const responseId = state.mintResponseTarget({ user: user.id, channel: action.channel });
  const form = slashCommandForm({
    ...options.app,
    user: actor(user),
    channel: { id: action.channel, name: state.channelName(action.channel) },
    command: name,
    text,
    responseUrl: `${options.origin}/api/sandbox/response/${responseId}`,
    triggerId: state.mintTrigger(user.id),
  });
  const answer = await post(options, form.toString());
  const say = (text: string, blocks: unknown[] = [], inChannel = false) => {
    if (inChannel) state.post({ channel: action.channel, text, blocks });
    else state.addEphemeral({ via: 'ack', user: user.id, channel: action.channel, text, blocks });
  };
  if (answer === 'timeout') {
    say(`${name} failed with the error "operation_timeout"`);
    return { status: 200, body: { ok: false, error: 'operation_timeout' } };
  }
  if (answer.status !== 200) {
    say(`${name} failed with the error "dispatch_failed"`);
    return {
      status: 200,
      body: { ok: false, error: 'dispatch_failed', botStatus: answer.status, ack: answer.text },
    };
  }
  const json = parseJson(answer.text);
  if (json !== undefined && (typeof json.text === 'string' || Array.isArray(json.blocks))) {
    say(
      String(json.text ?? ''),
      Array.isArray(json.blocks) ? json.blocks : [],
      json.response_type === 'in_channel',
    );
  } else if (json === undefined && answer.text.trim() !== '') {
    say(answer.text);
  }
  return { status: 200, body: { ok: true, botStatus: answer.status, ack: answer.text } };
}

function acted(
  found: { element: Record<string, unknown>; blockId: string },
  selected?: string,
): ActedElement {
  const { element } = found;
  const option = selected === undefined ? undefined : optionByValue(element, selected);
  return {
    type: String(element.type),
    action_id: String(element.action_id),
    block_id: found.blockId,
    ...(element.text === undefined ? {} : { text: element.text }),
    ...(typeof element.value === 'string' ? { value: element.value } : {}),
    ...(option === undefined ? {} : { selected_option: option }),
  };
}

/** Blocks with Slack's block ids filled in, as Slack sends them back. */
function withBlockIds(blocks: unknown[]): unknown[] {
  return blocks.map((b, i) => (isRecord(b) ? { ...b, block_id: blockIdOf(b, i) } : b));
}

async function clickMessage(
  options: ProxyOptions,
  user: SandboxUser,
  action: Extract<PageAction, { kind: 'click' }>,
): Promise<ProxyResult> {
  const { state } = options;
  const channel = action.channel ?? '';
  const message = action.messageTs === undefined ? undefined : state.message(channel, action.messageTs);
  const ephemeral =
    action.ephemeralTs === undefined
      ? undefined
      : state.ephemerals.find((e) => state.ephemeralTs(e) === action.ephemeralTs && e.user === user.id);
  const blocks = message?.blocks ?? ephemeral?.blocks;
  if (blocks === undefined)
    return bad(`no message ${channel}:${action.messageTs ?? action.ephemeralTs}`, 404);
  const found = findElement(blocks, action.blockIndex, action.actionId);
  if (found === undefined) return bad(`no element "${action.actionId}" in block ${action.blockIndex}`, 404);
  const messageTs = message?.ts ?? action.ephemeralTs ?? '';
  const responseId = state.mintResponseTarget({
    user: user.id,
    channel,
    ...(message === undefined ? { ephemeralTs: messageTs } : { messageTs }),
  });
  const payload = blockActionsPayload({
    ...options.app,
    user: actor(user),
    container: {
      type: 'message',
      message_ts: messageTs,
      channel_id: channel,
      is_ephemeral: message === undefined,
    },
    triggerId: state.mintTrigger(user.id),
    channel: { id: channel, name: state.channelName(channel) },
    // Slack sends the message for a click on a channel message, not on an ephemeral one.
    ...(message === undefined
      ? {}
      : {
          message: { ...messageJson(state, message), blocks: withBlockIds(message.blocks) },
          state: { values: {} },
        }),
    responseUrl: `${options.origin}/api/sandbox/response/${responseId}`,
    action: acted(found, action.selected),
    actionTs: slackTs(options.nowMs?.() ?? Date.now()),
  });
  return forward(options, interactionForm(payload));
}

/** The view as sent in a payload: Slack's record with block ids and the entered state. */
function viewJson(record: ViewRecord, values: PageValues): Record<string, unknown> {
  const blocks = Array.isArray(record.current.blocks) ? record.current.blocks : [];
  return { ...record.current, blocks: withBlockIds(blocks), state: { values: stateValues(blocks, values) } };
}

async function clickView(
  options: ProxyOptions,
  user: SandboxUser,
  action: Extract<PageAction, { kind: 'click' }>,
): Promise<ProxyResult> {
  const { state } = options;
  const record = state.views.get(action.viewId ?? '');
  if (record === undefined || record.user !== user.id)
    return bad(`no view "${action.viewId}" for ${user.id}`, 404);
  const found = findElement(record.current.blocks, action.blockIndex, action.actionId);
  if (found === undefined) return bad(`no element "${action.actionId}" in block ${action.blockIndex}`, 404);
  const payload = blockActionsPayload({
    ...options.app,
    user: actor(user),
    container: { type: 'view', view_id: record.id },
    triggerId: state.mintTrigger(user.id),
    view: viewJson(record, action.values ?? {}),
    action: acted(found, action.selected),
    actionTs: slackTs(options.nowMs?.() ?? Date.now()),
  });
  return forward(options, interactionForm(payload));
}

async function forward(options: ProxyOptions, body: string): Promise<ProxyResult> {
  const answer = await post(options, body);
  if (answer === 'timeout') return { status: 200, body: { ok: false, error: 'operation_timeout' } };
  return { status: 200, body: { ok: answer.status === 200, botStatus: answer.status, ack: answer.text } };
}

async function submit(
  options: ProxyOptions,
  user: SandboxUser,
  action: Extract<PageAction, { kind: 'submit' }>,
): Promise<ProxyResult> {
  const { state } = options;
  const record = state.views.get(action.viewId);
  if (record === undefined || record.user !== user.id || !record.open) {
    return bad(`no open view "${action.viewId}" for ${user.id}`, 404);
  }
  const view = viewJson(record, action.values);
  const missing = missingRequired(
    record.current.blocks,
    (view.state as { values: Record<string, Record<string, unknown>> }).values,
  );
  if (missing.length > 0) {
    // Slack itself refuses an empty required field; the app never hears of it.
    record.errors = Object.fromEntries(missing.map((id) => [id, 'Please complete this required field.']));
    state.changed();
    return { status: 200, body: { ok: false, error: 'required_fields_missing' } };
  }
  const payload = viewSubmissionPayload({
    ...options.app,
    user: actor(user),
    triggerId: state.mintTrigger(user.id),
    view,
  });
  const answer = await post(options, interactionForm(payload));
  if (answer === 'timeout' || answer.status !== 200) {
    record.errors = { '': 'We had some trouble connecting. Try again?' };
    state.changed();
    return answer === 'timeout'
      ? { status: 200, body: { ok: false, error: 'operation_timeout' } }
      : { status: 200, body: { ok: false, botStatus: answer.status, ack: answer.text } };
  }
  applySubmissionAck(state, record, parseJson(answer.text));
  return { status: 200, body: { ok: true, botStatus: answer.status, ack: answer.text } };
}

/** What Slack does with a view_submission ack (test/fixtures/slack-view-submission.json ackResponses). */
function applySubmissionAck(
  state: SlackState,
  record: ViewRecord,
  ack: Record<string, unknown> | undefined,
): void {
  const responseAction = ack?.response_action;
  if (responseAction === 'errors' && isRecord(ack?.errors)) {
    record.errors = Object.fromEntries(Object.entries(ack.errors).map(([k, v]) => [k, String(v)]));
    state.changed();
  } else if (responseAction === 'update' && isRecord(ack?.view)) {
    replaceView(state, record, ack.view);
  } else if (responseAction === 'push' && isRecord(ack?.view)) {
    record.errors = {};
    pushView(state, record.user, ack.view);
  } else if (responseAction === 'clear') {
    state.closeModals(record.user);
  } else {
    state.popModal(record.user);
  }
}
