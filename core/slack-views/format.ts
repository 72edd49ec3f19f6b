import { codeSpan, singleLine, truncate, untrustedText } from './mrkdwn.ts';

/**
 * Small pieces the bot's views share: people, dates and plain_text made safe. Every value that
 * reaches mrkdwn here is either a validated Slack id or escaped.
 */

/** A Slack user id, optionally as the remediation actor spells it (`slack:U024BE7LH`). */
const SLACK_USER = /^(?:slack:)?([UW][A-Z0-9]{2,30})$/;
const SLACK_USER_GROUP = /^S[A-Z0-9]{2,30}$/;

/** `<@U…>` for a Slack user id (so Slack shows the name), anything else as a code span. */
export function personText(actor: string): string {
  const id = SLACK_USER.exec(actor)?.[1];
  return id === undefined ? codeSpan(actor, 100) : `<@${id}>`;
}

/** `<!subteam^S…>` for a Slack user-group id; undefined for anything else. */
export function userGroupMention(id: string): string | undefined {
  return SLACK_USER_GROUP.test(id) ? `<!subteam^${id}>` : undefined;
}

/**
 * Slack's date token renders in each reader's time zone; the fallback is the canonical ISO time.
 * A time that does not parse is shown as escaped text without the token's `|` and `^`.
 */
export function slackDate(iso: string, format = '{date_short_pretty} {time}'): string {
  const millis = Date.parse(iso);
  if (Number.isNaN(millis)) return untrustedText(iso, 40).replace(/[|^]/g, '');
  // Slack's date token takes a non-negative epoch; an earlier time (a hostile "100" parses as the
  // year 100) is shown as the instant it was read as, with no token.
  if (millis < 0) return new Date(millis).toISOString();
  return `<!date^${Math.floor(millis / 1000)}^${format}|${new Date(millis).toISOString()}>`;
}

/**
 * plain_text is never parsed by Slack, but a value copied from it should still never carry
 * `<!channel>` or a link: one line, angle brackets as look-alikes, cut to `max`.
 */
export function plainSafe(value: string, max: number): string {
  return truncate(singleLine(value).replace(/</g, '‹').replace(/>/g, '›'), max);
}

/** `a`, `a and b`, `a, b and c`. */
export function listed(items: readonly string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/**
 * Whole lines joined within `max` characters; the lines that do not fit are replaced by one
 * `…and N more` line, so a limit never cuts an escape sequence or a code span in half.
 */
export function linesWithin(lines: readonly string[], max: number, more = (n: number) => `…and ${n} more`) {
  let text = '';
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] as string;
    const next = text === '' ? line : `${text}\n${line}`;
    const rest = lines.length - index - 1;
    // Room for the "more" line must stay while lines remain after this one.
    const reserve = rest > 0 ? more(rest).length + 1 : 0;
    if (next.length + reserve > max) {
      const tail = more(lines.length - index);
      return text === '' ? truncate(tail, max) : `${text}\n${tail}`;
    }
    text = next;
  }
  return text;
}
