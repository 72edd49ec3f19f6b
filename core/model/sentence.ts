/**
 * A sentence that remembers which of its words kubeguard wrote and which came from an event.
 *
 * Summaries are built from attacker-controlled values (usernames, pod names, exec commands …).
 * Escaping a finished string cannot tell `*Status: RESOLVED*` typed by an attacker from formatting
 * kubeguard meant, so summaries are built with the `sentence` tag instead of a template literal:
 * the plain `text` is exactly what the template literal would have produced, and `parts` keeps the
 * literal text apart from every interpolated value. A renderer shows each value as data (in Slack,
 * a one-line code span) and can never be made to format, link or mention anything.
 */

/** Text kubeguard wrote (`text`), or a value taken from an event or a finding (`value`). */
export interface SentencePart {
  kind: 'text' | 'value';
  text: string;
}

export interface Sentence {
  /** The plain sentence, as a template literal would have built it. */
  readonly text: string;
  /** The same sentence in parts; adjacent parts of one kind are merged, empty ones dropped. */
  readonly parts: readonly SentencePart[];
}

/**
 * What a `sentence` template may interpolate: a string (a value), a number (kubeguard formats it and
 * it cannot carry formatting, so it reads as text: `3 denied requests`), or a sentence built by a
 * helper (its parts are kept). An empty string adds nothing.
 */
export type SentenceValue = string | number | Sentence;

const SENTENCE = Symbol('sentence');

interface TaggedSentence extends Sentence {
  readonly [SENTENCE]: true;
  toString(): string;
}

export function isSentence(value: unknown): value is Sentence {
  return typeof value === 'object' && value !== null && (value as Partial<TaggedSentence>)[SENTENCE] === true;
}

function push(parts: SentencePart[], kind: SentencePart['kind'], text: string): void {
  if (text === '') return;
  const last = parts.at(-1);
  if (last !== undefined && last.kind === kind) last.text += text;
  else parts.push({ kind, text });
}

/** `text` is kept apart from the parts: a quoted value's backticks are in the text only. */
function build(parts: SentencePart[], text = parts.map((part) => part.text).join('')): Sentence {
  // toString: a sentence put into a plain template literal by mistake still reads right (it is then
  // one untrusted string, which renderers neutralize as a whole).
  const sentence: TaggedSentence = { text, parts, [SENTENCE]: true, toString: () => text };
  return sentence;
}

/** Adds a value or a sentence's parts; returns its plain text. */
function append(parts: SentencePart[], value: SentenceValue): string {
  if (isSentence(value)) {
    for (const part of value.parts) push(parts, part.kind, part.text);
    return value.text;
  }
  const text = String(value);
  push(parts, typeof value === 'number' ? 'text' : 'value', text);
  return text;
}

/**
 * Tagged template: `` sentence`${user} created ${describePod(pod)}.` `` — the literal text is
 * kubeguard's, every interpolated string is a value, an interpolated Sentence keeps its own parts.
 */
export function sentence(strings: TemplateStringsArray, ...values: SentenceValue[]): Sentence {
  const parts: SentencePart[] = [];
  let text = '';
  strings.forEach((literal, index) => {
    push(parts, 'text', literal);
    text += literal;
    if (index < values.length) text += append(parts, values[index] as SentenceValue);
  });
  return build(parts, text);
}

/** Text kubeguard chose at run time (a conditional phrase), as a Sentence: never a value. */
export function literal(text: string): Sentence {
  const parts: SentencePart[] = [];
  push(parts, 'text', text);
  return build(parts);
}

/**
 * A value that the plain text shows between backticks (`` ran `cat /etc/shadow` ``); renderers
 * already set every value apart, so the backticks are in `text` only, never in a part.
 */
export function quoted(value: string): Sentence {
  const parts: SentencePart[] = [];
  push(parts, 'value', value);
  return build(parts, `\`${value}\``);
}

/** Items (values or sentences) joined by kubeguard's separator, e.g. `a, b, c`. */
export function joinSentence(items: readonly SentenceValue[], separator: string): Sentence {
  const parts: SentencePart[] = [];
  let text = '';
  items.forEach((item, index) => {
    if (index > 0) {
      push(parts, 'text', separator);
      text += separator;
    }
    text += append(parts, item);
  });
  return build(parts, text);
}

/** A Sentence or a plain string (which is all value: its origin is unknown) as a Sentence. */
export function asSentence(value: SentenceValue): Sentence {
  return isSentence(value) ? value : sentence`${value}`;
}

/**
 * Text written by someone else (GuardDuty's description) in which `values` occur: each occurrence
 * that stands as a word of its own becomes a value part, the rest stays text. The text parts are
 * still untrusted — renderers neutralize every text part anyway — but the known values are shown as
 * data. Longer values win where they overlap; values shorter than 3 characters are ignored.
 */
export function markValues(text: string, values: readonly (string | undefined)[]): Sentence {
  const wanted = [...new Set(values.filter((v): v is string => v !== undefined && v.length >= 3))].sort(
    (a, b) => b.length - a.length,
  );
  const parts: SentencePart[] = [];
  let from = 0;
  let written = 0;
  while (from < text.length) {
    const found = nextWord(text, from, wanted);
    if (found === undefined) break;
    push(parts, 'text', text.slice(written, found.at));
    push(parts, 'value', found.value);
    written = found.at + found.value.length;
    from = written;
  }
  push(parts, 'text', text.slice(written));
  return build(parts, text);
}

const WORD_CHARACTER = /[\p{L}\p{N}_]/u;

/** The earliest occurrence at or after `from` of one of `values` not inside a longer word. */
function nextWord(
  text: string,
  from: number,
  values: readonly string[],
): { at: number; value: string } | undefined {
  let best: { at: number; value: string } | undefined;
  for (const value of values) {
    let at = text.indexOf(value, from);
    while (at !== -1 && (best === undefined || at < best.at)) {
      const before = text[at - 1] ?? ' ';
      const after = text[at + value.length] ?? ' ';
      if (!WORD_CHARACTER.test(before) && !WORD_CHARACTER.test(after)) {
        best = { at, value };
        break;
      }
      at = text.indexOf(value, at + 1);
    }
  }
  return best;
}

/**
 * Parts cut to at most `max` characters in all (stored findings are size-bounded; attackers choose
 * value lengths). A cut part ends with an ellipsis; the parts after it are dropped.
 */
export function boundParts(parts: readonly SentencePart[], max: number): SentencePart[] {
  const bounded: SentencePart[] = [];
  let room = max;
  for (const part of parts) {
    if (room <= 0) break;
    if (part.text.length <= room) {
      bounded.push({ kind: part.kind, text: part.text });
      room -= part.text.length;
      continue;
    }
    const cut = part.text.slice(0, Math.max(0, room - 1)).replace(/[\uD800-\uDBFF]$/, '');
    bounded.push({ kind: part.kind, text: `${cut}…` });
    break;
  }
  return bounded;
}
