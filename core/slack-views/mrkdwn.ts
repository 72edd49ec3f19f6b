/**
 * Slack mrkdwn treats only `&`, `<` and `>` as control characters. Escaping exactly those makes an
 * attacker-controlled value such as `<!channel>` or `<https://evil|click>` render as text.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const ELLIPSIS = '…';

/** Cuts text to at most `max` characters (UTF-16 units), marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - ELLIPSIS.length));
  // Do not leave half a surrogate pair or half an escape sequence (`&am`) at the end.
  cut = cut.replace(/[\uD800-\uDBFF]$/, '').replace(/&[a-z]{0,3}$/, '');
  return cut + ELLIPSIS;
}

/** Escapes first, then truncates, so the limit holds for what Slack receives. */
export function safeMrkdwn(text: string, max: number): string {
  return truncate(escapeMrkdwn(text), max);
}

/** Inline code span for an attacker-controlled value; backticks are replaced so the span cannot be closed early. */
export function codeSpan(text: string): string {
  return `\`${escapeMrkdwn(text).replace(/`/g, "'")}\``;
}
