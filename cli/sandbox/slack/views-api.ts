import { randomBytes } from 'node:crypto';
import { isRecord, stringField } from './http.ts';
import { APP_ID, BOT_ID, type SlackState, type ViewRecord } from './state.ts';
import { type ApiAnswer, type ApiContext, apiError, type MethodHandler, ok } from './web-api.ts';

/**
 * views.open, views.push, views.update and views.publish as Slack answers them: the view comes back
 * with Slack's fields (id, team_id, state, hash, previous_view_id, root_view_id, app_id, bot_id …,
 * docs.slack.dev/reference/methods/views.open). A trigger id is good for one call, within about
 * three seconds of the interaction that minted it (`expired_trigger_id`, `exchanged_trigger_id`);
 * views.update checks the hash when given (`hash_conflict`).
 */

function viewOf(body: Record<string, unknown>): Record<string, unknown> | undefined {
  return isRecord(body.view) ? body.view : undefined;
}

function newHash(state: SlackState): string {
  return `${Math.floor(state.nowMs() / 1000)}.${randomBytes(6).toString('base64url')}`;
}

/** The view as Slack returns and sends it, with the state values the page will fill in. */
function slackView(
  state: SlackState,
  view: Record<string, unknown>,
  id: string,
  previousViewId: string | null,
  rootViewId: string,
): Record<string, unknown> {
  return {
    id,
    team_id: state.teamId,
    type: view.type,
    blocks: Array.isArray(view.blocks) ? view.blocks : [],
    private_metadata: typeof view.private_metadata === 'string' ? view.private_metadata : '',
    callback_id: typeof view.callback_id === 'string' ? view.callback_id : '',
    state: { values: {} },
    hash: newHash(state),
    title: view.title ?? null,
    clear_on_close: view.clear_on_close === true,
    notify_on_close: view.notify_on_close === true,
    close: view.close ?? null,
    submit: view.submit ?? null,
    previous_view_id: previousViewId,
    root_view_id: rootViewId,
    app_id: APP_ID,
    external_id: typeof view.external_id === 'string' ? view.external_id : '',
    app_installed_team_id: state.teamId,
    bot_id: BOT_ID,
  };
}

/** Exchanges a trigger id for the person it was minted for, or the Slack error. */
function exchangeTrigger(context: ApiContext): { user: string } | ApiAnswer {
  const triggerId = stringField(context.body, 'trigger_id');
  if (triggerId === undefined) return apiError('invalid_trigger_id');
  const trigger = context.state.triggers.get(triggerId);
  if (trigger === undefined) {
    // The test double takes any trigger id, as a fixture carries one Slack minted long ago.
    return context.strictTriggers ? apiError('invalid_trigger_id') : { user: 'unknown' };
  }
  if (trigger.used) return apiError('exchanged_trigger_id');
  if (context.state.nowMs() - trigger.issuedMs > context.triggerTtlMs) return apiError('expired_trigger_id');
  trigger.used = true;
  return { user: trigger.user };
}

function isAnswer(value: unknown): value is ApiAnswer {
  return isRecord(value) && isRecord(value.body);
}

const open: MethodHandler = (context) => {
  const { state, body } = context;
  const view = viewOf(body);
  const exchanged = exchangeTrigger(context);
  if (isAnswer(exchanged)) return exchanged;
  if (view === undefined || view.type !== 'modal') return apiError('invalid_arguments');
  const id = state.nextViewId();
  const current = slackView(state, view, id, null, id);
  addView(state, { id, user: exchanged.user, type: 'modal', current, previousViewId: null, rootViewId: id });
  state.modalStacks.set(exchanged.user, [id]);
  state.openedViews.push({ triggerId: stringField(body, 'trigger_id') ?? '', view });
  state.changed();
  return ok({ view: current });
};

const push: MethodHandler = (context) => {
  const { state, body } = context;
  const view = viewOf(body);
  const exchanged = exchangeTrigger(context);
  if (isAnswer(exchanged)) return exchanged;
  if (view === undefined || view.type !== 'modal') return apiError('invalid_arguments');
  const stack = state.modalStacks.get(exchanged.user) ?? [];
  const below = stack[stack.length - 1];
  if (below === undefined) return apiError('not_found');
  if (stack.length >= 3) return apiError('push_limit_reached');
  const id = state.nextViewId();
  const rootViewId = state.views.get(stack[0] ?? below)?.rootViewId ?? below;
  const current = slackView(state, view, id, below, rootViewId);
  addView(state, { id, user: exchanged.user, type: 'modal', current, previousViewId: below, rootViewId });
  stack.push(id);
  state.modalStacks.set(exchanged.user, stack);
  state.changed();
  return ok({ view: current });
};

const update: MethodHandler = ({ state, body }) => {
  const view = viewOf(body);
  if (view === undefined) return apiError('invalid_arguments');
  const viewId = stringField(body, 'view_id');
  const externalId = stringField(body, 'external_id');
  const record =
    viewId !== undefined
      ? state.views.get(viewId)
      : [...state.views.values()].find(
          (v) => v.current.external_id === externalId && externalId !== undefined,
        );
  if (record === undefined) return apiError('not_found');
  const hash = stringField(body, 'hash');
  if (hash !== undefined && hash !== record.current.hash) return apiError('hash_conflict');
  replaceView(state, record, view);
  return ok({ view: record.current });
};

const publish: MethodHandler = ({ state, body }) => {
  const view = viewOf(body);
  const user = stringField(body, 'user_id');
  if (user === undefined || (state.users.length > 0 && state.user(user) === undefined)) {
    return apiError('user_not_found');
  }
  if (view === undefined || view.type !== 'home') return apiError('invalid_arguments');
  const existing = state.views.get(state.homes.get(user) ?? '');
  const hash = stringField(body, 'hash');
  if (existing !== undefined) {
    if (hash !== undefined && hash !== existing.current.hash) return apiError('hash_conflict');
    replaceView(state, existing, view);
    return ok({ view: existing.current });
  }
  const id = state.nextViewId();
  const current = slackView(state, view, id, null, id);
  addView(state, { id, user, type: 'home', current, previousViewId: null, rootViewId: id });
  state.homes.set(user, id);
  state.changed();
  return ok({ view: current });
};

function addView(state: SlackState, record: Omit<ViewRecord, 'history' | 'errors' | 'open'>): void {
  state.views.set(record.id, { ...record, history: [record.current], errors: {}, open: true });
}

/** A new version of a view: same id, new hash, the input cleared of errors. */
export function replaceView(state: SlackState, record: ViewRecord, view: Record<string, unknown>): void {
  record.current = slackView(state, view, record.id, record.previousViewId, record.rootViewId);
  record.history.push(record.current);
  record.errors = {};
  state.changed();
}

/** A view pushed by an ack's `response_action: push` (no trigger id needed). */
export function pushView(state: SlackState, user: string, view: Record<string, unknown>): ViewRecord {
  const stack = state.modalStacks.get(user) ?? [];
  const below = stack[stack.length - 1] ?? null;
  const id = state.nextViewId();
  const rootViewId = below === null ? id : (state.views.get(stack[0] ?? below)?.rootViewId ?? below);
  const current = slackView(state, view, id, below, rootViewId);
  addView(state, { id, user, type: 'modal', current, previousViewId: below, rootViewId });
  stack.push(id);
  state.modalStacks.set(user, stack);
  state.changed();
  return state.views.get(id) as ViewRecord;
}

export const VIEW_METHODS: Readonly<Record<string, MethodHandler>> = {
  'views.open': open,
  'views.push': push,
  'views.update': update,
  'views.publish': publish,
};
