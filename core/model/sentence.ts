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

/**
 * A template's pieces, kept as they came: rules build several nested sentences per detection and
 * only the outermost one is ever read, so the text and the parts are computed on first use, by one
 * walk over the whole tree.
 */
class BuiltSentence implements Sentence {
  /** Literal texts, one more than `values` (as a template's strings). */
  readonly #literals: readonly string[];
  readonly #values: readonly SentenceValue[];
  #text: string | undefined;
  #parts: SentencePart[] | undefined;

  constructor(
    literals: readonly string[],
    values: readonly SentenceValue[],
    text?: string,
    parts?: SentencePart[],
  ) {
    this.#literals = literals;
    this.#values = values;
    this.#text = text;
    this.#parts = parts;
  }

  get text(): string {
    if (this.#text === undefined) {
      let text = this.#literals[0] ?? '';
      for (let index = 0; index < this.#values.length; index += 1) {
        text += textOf(this.#values[index] as SentenceValue) + (this.#literals[index + 1] ?? '');
      }
      this.#text = text;
    }
    return this.#text;
  }

  get parts(): readonly SentencePart[] {
    if (this.#parts === undefined) {
      const parts: SentencePart[] = [];
      this.writeParts(parts);
      this.#parts = parts;
    }
    return this.#parts;
  }

  /** Appends this sentence's parts to `out`, merging with its last part where the kinds agree. */
  writeParts(out: SentencePart[]): void {
    if (this.#parts !== undefined) {
      for (const part of this.#parts) push(out, part.kind, part.text);
      return;
    }
    push(out, 'text', this.#literals[0] ?? '');
    for (let index = 0; index < this.#values.length; index += 1) {
      const value = this.#values[index] as SentenceValue;
      if (value instanceof BuiltSentence) value.writeParts(out);
      else push(out, typeof value === 'number' ? 'text' : 'value', String(value));
      push(out, 'text', this.#literals[index + 1] ?? '');
    }
  }

  /**
   * A sentence put into a plain template literal by mistake still reads right (it is then one
   * untrusted string, which renderers neutralize as a whole).
   */
  toString(): string {
    return this.text;
  }
}

function textOf(value: SentenceValue): string {
  return value instanceof BuiltSentence ? value.text : String(value);
}

export function isSentence(value: unknown): value is Sentence {
  return value instanceof BuiltSentence;
}

function push(parts: SentencePart[], kind: SentencePart['kind'], text: string): void {
  if (text === '') return;
  const last = parts[parts.length - 1];
  if (last !== undefined && last.kind === kind) parts[parts.length - 1] = { kind, text: last.text + text };
  else parts.push({ kind, text });
}

/** A sentence whose parts are known (they may differ from the text: a quoted value's backticks). */
function build(parts: SentencePart[], text = parts.map((part) => part.text).join('')): Sentence {
  return new BuiltSentence([text], [], text, parts);
}

/**
 * Tagged template: `` sentence`${user} created ${describePod(pod)}.` `` — the literal text is
 * kubeguard's, every interpolated string is a value, an interpolated Sentence keeps its own parts.
 */
export function sentence(strings: TemplateStringsArray, ...values: SentenceValue[]): Sentence {
  return new BuiltSentence(strings, values);
}

/** Text kubeguard chose at run time (a conditional phrase), as a Sentence: never a value. */
export function literal(text: string): Sentence {
  return new BuiltSentence([text], []);
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
  if (items.length === 0) return literal('');
  const literals = ['', ...Array<string>(items.length - 1).fill(separator), ''];
  return new BuiltSentence(literals, items);
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
