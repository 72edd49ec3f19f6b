import type { SentencePart } from '../model/sentence.ts';

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

/**
 * One line: line breaks (CR, LF, NEL, U+2028/2029), tabs and other control characters become one
 * space, so attacker text cannot start a paragraph, a list item or a `>` quote of its own.
 */
export function singleLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ');
}

/** Look-alikes for the characters that open bold, italic, strike and code in mrkdwn. */
const FORMATTING_LOOKALIKE: Record<string, string> = { '*': '∗', _: 'ˍ', '~': '∼', '`': "'" };

/**
 * Untrusted prose (not a single value) cannot be put in a code span as a whole; instead each
 * character that opens bold (`*`), italic (`_`), strike (`~`) or code (`` ` ``) is replaced by a
 * look-alike that Slack does not interpret, so the text reads the same and formats nothing.
 */
export function neutralizeMrkdwn(text: string): string {
  return text.replace(/[*_~`]/g, (character) => FORMATTING_LOOKALIKE[character] ?? character);
}

/** Untrusted prose for mrkdwn: one line, formatting neutralized, escaped, then cut to `max`. */
export function untrustedText(text: string, max: number): string {
  return safeMrkdwn(neutralizeMrkdwn(singleLine(text)), max);
}

/**
 * An inline code span holding one attacker-controlled value: one line, escaped, truncated, and
 * backticks replaced so the span cannot be closed early; at most `max` characters in all.
 */
export function codeSpan(text: string, max = 302): string {
  return `\`${safeMrkdwn(singleLine(text), Math.max(1, max - 2)).replace(/`/g, "'")}\``;
}

/** Readable cap for one value inside a sentence. */
const SENTENCE_VALUE_CAP = 300;
/** Below this many characters a value's code span is not started: it would show only an ellipsis. */
const MIN_VALUE_ROOM = 8;

/**
 * A sentence (see core/model/sentence.ts) as mrkdwn in at most `max` characters: kubeguard's words
 * as untrusted text (one line, neutralized, escaped — they hold no formatting, and rules interpolate
 * conditional phrases), each value as a one-line code span. Values are never cut inside a span: a
 * value that does not fit ends the text with an ellipsis.
 */
export function sentenceMrkdwn(parts: readonly SentencePart[], max: number): string {
  let result = '';
  for (const part of parts) {
    const room = max - result.length;
    const piece =
      part.kind === 'text'
        ? untrustedText(part.text, Number.POSITIVE_INFINITY)
        : codeSpan(part.text, SENTENCE_VALUE_CAP);
    if (piece.length <= room) {
      result += piece;
      continue;
    }
    // Full to the last character: the cut cannot be marked without breaking what is already there.
    if (room < ELLIPSIS.length) return result;
    if (part.kind === 'text') return result + truncate(piece, room);
    return room >= MIN_VALUE_ROOM + ELLIPSIS.length
      ? result + codeSpan(part.text, room - ELLIPSIS.length) + ELLIPSIS
      : result + ELLIPSIS;
  }
  return result;
}
