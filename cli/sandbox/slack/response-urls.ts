import { isRecord, stringField } from './http.ts';
import type { SlackState } from './state.ts';

/**
 * Response URLs, as Slack serves them (docs.slack.dev/interactivity/handling-user-interaction
 * "Message responses"): a POST of JSON with `text`/`blocks`, `response_type` (`ephemeral`, the
 * default, or `in_channel`), `replace_original`, `delete_original`, `thread_ts`; the answer is
 * `ok` as plain text; a URL takes five answers, then 404 `expired_url`.
 * The sandbox mints its own under `/api/sandbox/response/<id>` and applies what they ask to the
 * message the click was on; the `/hooks/…` paths the test double hands out are only recorded.
 */
export const RESPONSE_URL_USES = 5;
/** Slack's response URLs last 30 minutes. */
export const RESPONSE_URL_TTL_MS = 30 * 60 * 1000;

export interface ResponseUrlAnswer {
  status: number;
  text: string;
}

const EXPIRED: ResponseUrlAnswer = { status: 404, text: 'expired_url' };
const OK: ResponseUrlAnswer = { status: 200, text: 'ok' };

/** A `/hooks/…` URL of the test double: recorded as an ephemeral answer, five uses. */
export function answerHookUrl(
  state: SlackState,
  path: string,
  body: Record<string, unknown>,
): ResponseUrlAnswer {
  if (state.ephemerals.filter((e) => e.via === path).length >= RESPONSE_URL_USES) return EXPIRED;
  state.addEphemeral({
    via: path,
    text: stringField(body, 'text') ?? '',
    blocks: Array.isArray(body.blocks) ? body.blocks : [],
    ...(typeof body.replace_original === 'boolean' ? { replaceOriginal: body.replace_original } : {}),
    ...(typeof body.response_type === 'string' ? { responseType: body.response_type } : {}),
  });
  return OK;
}

/** A minted `/api/sandbox/response/<id>`: applies the answer to the channel and the original. */
export function answerResponseUrl(
  state: SlackState,
  id: string,
  body: Record<string, unknown>,
): ResponseUrlAnswer {
  const target = state.responseTargets.get(id);
  if (target === undefined || target.uses >= RESPONSE_URL_USES) return EXPIRED;
  if (state.nowMs() - target.issuedMs > RESPONSE_URL_TTL_MS) return EXPIRED;
  if (!isRecord(body)) return { status: 400, text: 'invalid_payload' };
  target.uses += 1;
  const path = `/api/sandbox/response/${id}`;
  const text = stringField(body, 'text');
  const blocks = Array.isArray(body.blocks) ? body.blocks : undefined;
  const original =
    target.messageTs === undefined ? undefined : state.message(target.channel, target.messageTs);
  if (body.delete_original === true) {
    if (original !== undefined) state.deleteMessage(original.channel, original.ts);
    else removeEphemeral(state, target.ephemeralTs);
    return OK;
  }
  if (body.replace_original === true && original !== undefined) {
    state.update(original, text ?? '', blocks ?? []);
    return OK;
  }
  if (body.replace_original === true && target.ephemeralTs !== undefined) {
    removeEphemeral(state, target.ephemeralTs);
  }
  if (text === undefined && blocks === undefined) return { status: 400, text: 'no_text' };
  const threadTs = stringField(body, 'thread_ts');
  if (body.response_type === 'in_channel') {
    state.post({
      channel: target.channel,
      text: text ?? '',
      blocks: blocks ?? [],
      ...(threadTs === undefined ? {} : { threadTs }),
    });
    return OK;
  }
  state.addEphemeral({
    via: path,
    user: target.user,
    channel: target.channel,
    text: text ?? '',
    blocks: blocks ?? [],
    ...(threadTs === undefined ? {} : { threadTs }),
    ...(typeof body.replace_original === 'boolean' ? { replaceOriginal: body.replace_original } : {}),
    ...(typeof body.response_type === 'string' ? { responseType: body.response_type } : {}),
  });
  return OK;
}

function removeEphemeral(state: SlackState, ts: string | undefined): void {
  if (ts === undefined) return;
  const index = state.ephemerals.findIndex((e) => state.ephemeralTs(e) === ts);
  if (index !== -1) {
    state.ephemerals.splice(index, 1);
    state.changed();
  }
}
