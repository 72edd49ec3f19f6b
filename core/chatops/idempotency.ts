import { createHash } from 'node:crypto';

/**
 * Idempotency keys (decision D35). Each request the ingress queues first claims a
 * key (ClaimStore); a request whose key is held is a duplicate and is acknowledged without running.
 *
 * - A slash command: its `trigger_id` — Slack makes one per invocation, and a retry repeats it.
 * - A form submission: the view's id and `hash` — the hash changes whenever the view does, so a
 *   second submission of the same form state is the same request.
 * - A click: `action_ts` with the user and action (a retry repeats the payload); and, for buttons
 *   that change something, the button itself — message, action and value, whoever clicked — for
 *   `DOUBLE_CLICK_SECONDS`: a double click, or two people clicking Acknowledge at once, run once.
 * - An event (the App Home tab opened): its `event_id`; a retried delivery repeats it.
 *
 * The request id is derived from the exact key, so a retried request keeps its id and its audit
 * records (`<requestId>:<type>`) are written once.
 */

/** How long an exact key is held: far longer than Slack retries or SQS redelivery take. */
export const REQUEST_KEY_SECONDS = 24 * 3600;
/** How long a button is held after a click that changes something. */
export const DOUBLE_CLICK_SECONDS = 120;
/** How long an accepted signature is remembered: twice the five minutes a timestamp is accepted for. */
export const REPLAY_KEY_SECONDS = 600;

export function commandKey(teamId: string | undefined, triggerId: string): string {
  return `command:${teamId ?? '-'}:${triggerId}`;
}

export function viewSubmissionKey(teamId: string | undefined, viewId: string, viewHash: string): string {
  return `view:${teamId ?? '-'}:${viewId}:${viewHash}`;
}

export function clickKey(
  teamId: string | undefined,
  userId: string,
  actionTs: string,
  actionId: string,
): string {
  return `click:${teamId ?? '-'}:${userId}:${actionTs}:${actionId}`;
}

/** An Events API event (the App Home tab opened): its `event_id`, which Slack's retries repeat. */
export function eventKey(teamId: string | undefined, eventId: string): string {
  return `event:${teamId ?? '-'}:${eventId}`;
}

/** The button's key, the same whoever clicks it, for a double click or concurrent clicks. */
export function buttonKey(
  teamId: string | undefined,
  message: { channel: string; ts: string } | undefined,
  actionId: string,
  value: string | undefined,
): string {
  const where = message === undefined ? '-' : `${message.channel}:${message.ts}`;
  const valueHash = createHash('sha256')
    .update(value ?? '', 'utf8')
    .digest('hex')
    .slice(0, 16);
  return `button:${teamId ?? '-'}:${where}:${actionId}:${valueHash}`;
}

/** `r-` and 16 hex digits, from the request's exact key. */
export function requestIdOf(key: string): string {
  return `r-${createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 16)}`;
}
