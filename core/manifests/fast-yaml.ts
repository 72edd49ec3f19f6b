/**
 * A fast reader for the YAML that Kubernetes manifests are made of — block mappings and sequences,
 * plain, quoted and literal (`|`) scalars, one-line flow collections, comments, `---` — producing the
 * same values as the `yaml` package (YAML 1.2, core schema). The `yaml` package reads ~1–2 MB/s
 * through its concrete syntax tree; the 15 MB cluster of issue 14 spent most of its 14–18 s there.
 *
 * Anything outside this subset (anchors, aliases, tags, directives, folded or multi-line scalars,
 * complex or duplicate keys, tabs in indentation, …) throws Unsupported and the caller parses the
 * whole file with the `yaml` package instead, which also produces the error messages for broken
 * documents. test/unit/core/manifests/fast-yaml.test.ts checks both agree.
 */

/** The text is outside the subset read here: use the `yaml` package for the file. */
export class Unsupported extends Error {
  constructor(reason: string, line: number) {
    super(`${reason} (line ${line})`);
    this.name = 'Unsupported';
  }
}

export interface FastDocument {
  value: unknown;
  /** 1-based line of the document's content (its first node), when it has any. */
  line?: number;
  /** 1-based lines of the elements of a top-level sequence, or of a top-level mapping's `items`. */
  itemLines?: number[];
}

interface Line {
  /** 1-based line number in the file. */
  number: number;
  indent: number;
  /** The line after its indentation (not blank, not a comment). */
  text: string;
}

/** Every document of a multi-document file, or throws Unsupported. */
export function parseFastYaml(text: string): FastDocument[] {
  const documents: FastDocument[] = [];
  /** Every line of the file as written (block scalars read blank and `#` lines as content). */
  const raws = new RawLines(text);
  let current: Line[] = [];
  let started = false; // a `---` was seen, or content before the first one
  let lineNumber = 0;
  let position = 0;
  const flush = () => {
    if (started) documents.push(parseDocument(current, raws));
    current = [];
  };
  // Indices into the text, not a string per line: only the lines with content are sliced.
  while (position <= text.length) {
    let end = text.indexOf('\n', position);
    if (end === -1) end = text.length;
    lineNumber++;
    const start = position;
    position = end + 1;
    if (end > start && text.charCodeAt(end - 1) === 13) end--; // CRLF
    raws.add(start, end);
    const lead = text.charCodeAt(start);
    if (lead === 45 && text.startsWith('---', start)) {
      const after = text.charCodeAt(start + 3);
      if (end - start === 3 || after === 32 || after === 9) {
        if (!isBlankOrComment(text.slice(start + 3, end)))
          throw new Unsupported('content after ---', lineNumber);
        flush();
        started = true;
        continue;
      }
    }
    if ((lead === 46 && text.startsWith('...', start)) || lead === 37)
      throw new Unsupported('document end or directive', lineNumber);
    let at = start;
    while (at < end && text.charCodeAt(at) === 32) at++;
    let first = at;
    while (first < end && (text.charCodeAt(first) === 32 || text.charCodeAt(first) === 9)) first++;
    if (first === end || text.charCodeAt(first) === 35) continue; // blank, or a comment
    if (text.charCodeAt(at) === 9) throw new Unsupported('tab in indentation', lineNumber);
    started = true;
    current.push({ number: lineNumber, indent: at - start, text: text.slice(at, end) });
  }
  flush();
  return documents;
}

function isBlankOrComment(text: string): boolean {
  // A character loop: trimStart() allocated a string for each of the file's ~500k lines.
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 32 || code === 9) continue;
    return code === 35; // '#'
  }
  return true;
}

/** The file's lines as written, by 0-based index, sliced only when a block scalar reads them. */
class RawLines {
  readonly #text: string;
  readonly #starts: number[] = [];
  readonly #ends: number[] = [];

  constructor(text: string) {
    this.#text = text;
  }

  add(start: number, end: number): void {
    this.#starts.push(start);
    this.#ends.push(end);
  }

  get length(): number {
    return this.#starts.length;
  }

  at(index: number): string {
    return this.#text.slice(this.#starts[index], this.#ends[index]);
  }
}

function parseDocument(lines: Line[], raws: RawLines): FastDocument {
  const first = lines[0];
  if (first === undefined) return { value: null };
  const reader = new Reader(lines, raws);
  const itemLines: number[] = [];
  const value = reader.block(first.indent, itemLines, true);
  if (reader.position < lines.length) {
    throw new Unsupported('content after the document’s top-level node', lines[reader.position]?.number ?? 0);
  }
  const document: FastDocument = { value, line: first.number };
  if (itemLines.length > 0) document.itemLines = itemLines;
  return document;
}

class Reader {
  position = 0;
  private readonly lines: Line[];
  private readonly raws: RawLines;

  constructor(lines: Line[], raws: RawLines) {
    this.lines = lines;
    this.raws = raws;
  }

  /**
   * A literal (`|`) or folded (`>`) block scalar whose header is on `line`, its content the following
   * raw lines indented more than `indent` (blank lines included). Chomping `-`/`+` is read; explicit
   * indentation indicators and folded text with more-indented lines are not in the subset.
   */
  blockScalar(header: string, line: Line, indent: number): string {
    const match = /^([|>])([-+]?)\s*(?:#.*)?$/.exec(header);
    if (match === null) throw new Unsupported('block scalar header', line.number);
    const [, style, chomp] = match;
    const body: string[] = [];
    let contentIndent = -1;
    let last = line.number; // 1-based number of the last raw line consumed
    for (let n = line.number; n < this.raws.length; n++) {
      const raw = this.raws.at(n);
      let spaces = 0;
      while (raw.charCodeAt(spaces) === 32) spaces++;
      const blank = spaces === raw.length;
      if (!blank) {
        if (spaces <= indent) break;
        if (contentIndent === -1) contentIndent = spaces;
        if (spaces < contentIndent) break;
        if (raw[spaces] === '\t' && contentIndent === spaces)
          throw new Unsupported('tab in block scalar', n + 1);
      }
      if (raw.startsWith('---') || raw.startsWith('...')) break;
      body.push(raw);
      last = n + 1;
    }
    if (contentIndent === -1) throw new Unsupported('empty block scalar', line.number);
    const content = body.map((raw) => {
      if (raw.trim() === '') {
        if (raw.length > contentIndent)
          throw new Unsupported('spaces on an empty block scalar line', line.number);
        return '';
      }
      return raw.slice(contentIndent);
    });
    let trailing = 0;
    while (content.length > 0 && content[content.length - 1] === '') {
      content.pop();
      trailing++;
    }
    let text: string;
    if (style === '|') {
      text = content.join('\n');
    } else {
      if (content.some((piece) => piece.startsWith(' ') || piece.startsWith('\t'))) {
        throw new Unsupported('folded scalar with more-indented lines', line.number);
      }
      text = '';
      let blanks = 0;
      for (const [i, piece] of content.entries()) {
        if (piece === '') {
          blanks++;
          continue;
        }
        if (i > 0) text += blanks > 0 ? '\n'.repeat(blanks) : ' ';
        blanks = 0;
        text += piece;
      }
    }
    // Skip the parsed lines this scalar consumed (blank and comment lines were never in them).
    while ((this.lines[this.position]?.number ?? Number.POSITIVE_INFINITY) <= last) this.position++;
    if (content.length === 0) return chomp === '+' ? '\n'.repeat(trailing) : '';
    if (chomp === '-') return text;
    if (chomp === '+') return `${text}\n${'\n'.repeat(trailing)}`;
    return `${text}\n`;
  }

  /** The node starting at the current line, indented `indent`. `itemLines` collects top-level item lines. */
  block(indent: number, itemLines?: number[], top = false): unknown {
    const line = this.lines[this.position] as Line;
    if (isSequenceEntry(line.text)) return this.sequence(indent, top ? itemLines : undefined);
    return this.mapping(indent, top ? itemLines : undefined);
  }

  sequence(indent: number, itemLines?: number[]): unknown[] {
    const items: unknown[] = [];
    for (;;) {
      const line = this.lines[this.position];
      if (line === undefined || line.indent < indent) break;
      if (line.indent > indent) throw new Unsupported('unexpected indentation', line.number);
      if (!isSequenceEntry(line.text)) break;
      itemLines?.push(line.number);
      const rest = line.text.slice(1);
      const spaces = rest.length - rest.trimStart().length;
      const content = rest.slice(spaces);
      if (isBlankOrComment(content)) {
        this.position++;
        items.push(this.nested(indent, true));
      } else if (isSequenceEntry(content) || startsMappingEntry(content)) {
        // `- key: value` or `- - x`: the rest of the line is the first line of a node indented there.
        this.lines[this.position] = { number: line.number, indent: indent + 1 + spaces, text: content };
        items.push(this.block(indent + 1 + spaces));
      } else {
        this.position++;
        items.push(this.inlineValue(content, line, indent));
      }
    }
    return items;
  }

  mapping(indent: number, itemLines?: number[]): Record<string, unknown> {
    const map: Record<string, unknown> = {};
    for (;;) {
      const line = this.lines[this.position];
      if (line === undefined || line.indent < indent) break;
      if (line.indent > indent) throw new Unsupported('unexpected indentation', line.number);
      if (isSequenceEntry(line.text)) break;
      const { key, rest } = splitKey(line);
      // The map itself tells a duplicate (no Set per mapping: there are ~1M of them in a large cluster).
      if (Object.hasOwn(map, key)) throw new Unsupported('duplicate key', line.number);
      this.position++;
      let value: unknown;
      if (isBlankOrComment(rest)) {
        const lines = key === 'items' && itemLines !== undefined ? itemLines : undefined;
        value = this.nested(indent, false, lines);
      } else {
        value = this.inlineValue(rest, line, indent);
      }
      defineKey(map, key, value);
    }
    return map;
  }

  /**
   * The value of `key:` or `-` with nothing after it: a block indented deeper, a sequence at the same
   * indentation under a mapping key (`key:\n- a`), or null.
   */
  nested(indent: number, inSequence: boolean, itemLines?: number[]): unknown {
    const next = this.lines[this.position];
    if (next === undefined) return null;
    if (next.indent > indent) {
      if (isSequenceEntry(next.text)) return this.sequence(next.indent, itemLines);
      return this.mapping(next.indent);
    }
    if (!inSequence && next.indent === indent && isSequenceEntry(next.text)) {
      return this.sequence(indent, itemLines);
    }
    return null;
  }

  /** A value on the same line as its key or dash; a plain scalar continued on the next line is not read here. */
  inlineValue(text: string, line: Line, indent: number): unknown {
    const code = text.charCodeAt(0);
    const next = this.lines[this.position];
    // Most values are plain and start with a letter: one test before the indicator checks below.
    if ((code >= 97 && code <= 122) || (code >= 65 && code <= 90)) {
      if (next !== undefined && next.indent > indent) {
        throw new Unsupported('multi-line scalar or block scalar', next.number);
      }
      return plainScalar(stripComment(text), line.number, false);
    }
    if (text[0] === '|' || text[0] === '>') return this.blockScalar(text, line, indent);
    if (next !== undefined && next.indent > indent) {
      throw new Unsupported('multi-line scalar or block scalar', next.number);
    }
    const first = text[0];
    if (first === '&' || first === '*' || first === '!' || first === '?') {
      throw new Unsupported('anchor, alias, tag or complex key', line.number);
    }
    if (first === '[' || first === '{') {
      const flow = new FlowReader(text, line.number);
      const value = flow.value();
      flow.end();
      return value;
    }
    if (first === '"' || first === "'") {
      const { value, end } = quoted(text, 0, line.number);
      if (!isBlankOrComment(text.slice(end)))
        throw new Unsupported('text after a quoted scalar', line.number);
      return value;
    }
    return plainScalar(stripComment(text), line.number, false);
  }
}

function isSequenceEntry(text: string): boolean {
  if (text.charCodeAt(0) !== DASH) return false;
  const next = text.charCodeAt(1);
  return text.length === 1 || next === SPACE || next === TAB;
}

const DASH = 45;

/** Whether text starts `key:` (plain or quoted key) — a mapping's first entry inline after `- `. */
function startsMappingEntry(text: string): boolean {
  if (text[0] === '"' || text[0] === "'") {
    try {
      const { end } = quoted(text, 0, 0);
      return text[end] === ':' && (end + 1 === text.length || text[end + 1] === ' ');
    } catch {
      return false;
    }
  }
  if (text[0] === '[' || text[0] === '{') return false;
  return keyColon(text) !== -1;
}

/** Index of the `:` ending a plain key (followed by a space or the end of line), before any comment. */
function keyColon(text: string): number {
  // Character codes, not text[i]: this runs over every mapping line of every manifest.
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === COLON) {
      const next = text.charCodeAt(i + 1); // NaN at the end of the line
      if (i + 1 === length || next === SPACE || next === TAB) return i;
    } else if (c === HASH && i > 0) {
      const previous = text.charCodeAt(i - 1);
      if (previous === SPACE || previous === TAB) return -1;
    }
  }
  return -1;
}

const SPACE = 32;
const TAB = 9;
const HASH = 35;
const COLON = 58;

function splitKey(line: Line): { key: string; rest: string } {
  const { text } = line;
  if (text[0] === '"' || text[0] === "'") {
    const { value, end } = quoted(text, 0, line.number);
    if (text[end] !== ':' || (end + 1 < text.length && text[end + 1] !== ' ' && text[end + 1] !== '\t')) {
      throw new Unsupported('expected ":" after a quoted key', line.number);
    }
    return { key: String(value), rest: text.slice(end + 1).trimStart() };
  }
  const colon = keyColon(text);
  if (colon <= 0) throw new Unsupported('expected "key: value"', line.number);
  let restStart = colon + 1;
  while (
    restStart < text.length &&
    (text.charCodeAt(restStart) === SPACE || text.charCodeAt(restStart) === TAB)
  )
    restStart++;
  const rest = restStart === text.length ? '' : text.slice(restStart);
  const known = knownKey(text, colon);
  if (known !== undefined) return { key: known, rest };
  const raw = text.slice(0, colon).trimEnd();
  if (/^[[\]{},#&*!|>'"%@`?]/.test(raw) || raw.startsWith('- ')) {
    throw new Unsupported('indicator at the start of a key', line.number);
  }
  const key = plainScalar(raw, line.number, true);
  if (typeof key !== 'string') throw new Unsupported('a key that is not a string', line.number);
  if (key === '<<') throw new Unsupported('merge key', line.number);
  if (raw.length === colon) rememberKey(key);
  return { key, rest };
}

/**
 * Plain keys already read and valid, by a hash of their characters. A manifest set repeats a few
 * hundred keys (name, image, metadata …) a million times: each is validated once, found again
 * without slicing it out of its line, and every mapping stores the same string, which V8 then
 * hashes once. Bounded: keys that vary per object (labels, annotations, data) stop filling it.
 */
const KNOWN_KEYS = new Map<number, string[]>();
const MAX_KNOWN_KEYS = 4096;
const MAX_KEYS_PER_HASH = 4;
let knownKeyCount = 0;

function keyHash(text: string, end: number): number {
  let hash = end;
  for (let i = 0; i < end; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
  return hash;
}

/** The known key that `text` starts with, ending at `colon`. */
function knownKey(text: string, colon: number): string | undefined {
  const candidates = KNOWN_KEYS.get(keyHash(text, colon));
  if (candidates === undefined) return undefined;
  for (const candidate of candidates) {
    if (candidate.length === colon && text.startsWith(candidate)) return candidate;
  }
  return undefined;
}

function rememberKey(key: string): void {
  if (knownKeyCount >= MAX_KNOWN_KEYS) return;
  const hash = keyHash(key, key.length);
  const candidates = KNOWN_KEYS.get(hash);
  if (candidates === undefined) KNOWN_KEYS.set(hash, [key]);
  // A few per hash: keys crafted to collide cannot make every lookup a long scan.
  else if (candidates.length < MAX_KEYS_PER_HASH && !candidates.includes(key)) candidates.push(key);
  else return;
  knownKeyCount++;
}

/** `__proto__` as a key must be an own property, as the `yaml` package makes it. */
function defineKey(map: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
  else map[key] = value;
}

function stripComment(text: string): string {
  for (let i = 1; i < text.length; i++) {
    if (text.charCodeAt(i) === HASH) {
      const previous = text.charCodeAt(i - 1);
      if (previous === SPACE || previous === TAB) return trimBlanksEnd(text.slice(0, i));
    }
  }
  return trimBlanksEnd(text);
}

/**
 * Without the spaces and tabs at the end — YAML's only blanks: a no-break space is content, as in
 * the `yaml` package (trimEnd() dropped it). Returns the text itself when nothing is trimmed.
 */
function trimBlanksEnd(text: string): string {
  let end = text.length;
  while (end > 0 && (text.charCodeAt(end - 1) === SPACE || text.charCodeAt(end - 1) === TAB)) end--;
  return end === text.length ? text : text.slice(0, end);
}

const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT = /^[-+]?[0-9]+$/;
const OCT = /^0o[0-7]+$/;
const HEX = /^0x[0-9a-fA-F]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;
const EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const SPECIAL_FLOAT = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;

/** Characters that may not start a plain scalar (YAML indicators). */
const INDICATOR_START = new Set([...'[]{},#&*!|>\'"%@`']);
/** Keys as manifests write them: letters, digits, `_`, `.`, `/`, `-` (not all digits, not a keyword). */
const SIMPLE_KEY = /^[A-Za-z_][\w./-]*$/;

/** A plain scalar resolved as the YAML 1.2 core schema does (what the `yaml` package returns). */
function plainScalar(text: string, line: number, isKey: boolean): unknown {
  // Only keys starting like null/true/false can be one; the rest of a simple key is a string as is.
  if (
    isKey &&
    SIMPLE_KEY.test(text) &&
    (!KEYWORD_START.has(text[0] as string) || (!NULL.test(text) && !BOOL.test(text)))
  )
    return text;
  // One pass for what the YAML reader would split or cut: `: `, a final `:`, ` #` or a tab and `#`.
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === COLON) {
      if (i + 1 === length || text.charCodeAt(i + 1) === SPACE)
        throw new Unsupported('":" inside a plain scalar', line);
    } else if (c === HASH && i > 0) {
      const previous = text.charCodeAt(i - 1);
      if (previous === SPACE || previous === TAB) throw new Unsupported('"#" inside a plain scalar', line);
    }
  }
  const first = text[0] as string;
  if (INDICATOR_START.has(first) || text === '-' || text.startsWith('- ') || text.startsWith('? ')) {
    throw new Unsupported('indicator at the start of a plain scalar', line);
  }
  if (isKey) {
    if (!/^[A-Za-z_./-]/.test(text) || NULL.test(text) || BOOL.test(text) || SPECIAL_FLOAT.test(text)) {
      throw new Unsupported('a key that may not be a string', line);
    }
    return text;
  }
  const code = text.charCodeAt(0);
  // Most values start with a letter that begins no keyword: a string, without trying every pattern.
  if (((code >= 97 && code <= 122) || (code >= 65 && code <= 90)) && !KEYWORD_START.has(first)) return text;
  if (NULL.test(text)) return null;
  if (BOOL.test(text)) return first === 't' || first === 'T';
  if (INT.test(text)) return Number.parseInt(text, 10);
  if (OCT.test(text)) return Number.parseInt(text.slice(2), 8);
  if (HEX.test(text)) return Number.parseInt(text.slice(2), 16);
  if (FLOAT.test(text) || EXP.test(text)) return Number.parseFloat(text);
  if (SPECIAL_FLOAT.test(text)) {
    if (text.slice(-3).toLowerCase() === 'nan') return Number.NaN;
    return first === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  return text;
}

/** First letters of null and boolean keywords. */
const KEYWORD_START = new Set(['n', 'N', 't', 'T', 'f', 'F']);

const ESCAPES: Readonly<Record<string, string>> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  '\t': '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
};

/** A quoted scalar on one line starting at `start`; `end` is the index after its closing quote. */
function quoted(text: string, start: number, line: number): { value: string; end: number } {
  const quote = text[start];
  let value = '';
  let i = start + 1;
  if (quote === "'") {
    for (;;) {
      const close = text.indexOf("'", i);
      if (close === -1) throw new Unsupported('multi-line or unclosed single-quoted scalar', line);
      value += text.slice(i, close);
      if (text[close + 1] === "'") {
        value += "'";
        i = close + 2;
      } else {
        return { value, end: close + 1 };
      }
    }
  }
  for (;;) {
    const c = text[i];
    if (c === undefined) throw new Unsupported('multi-line or unclosed double-quoted scalar', line);
    if (c === '"') return { value, end: i + 1 };
    if (c !== '\\') {
      value += c;
      i++;
      continue;
    }
    const e = text[i + 1];
    if (e === undefined) throw new Unsupported('escaped line break', line);
    const simple = ESCAPES[e];
    if (simple !== undefined) {
      value += simple;
      i += 2;
      continue;
    }
    const width = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    const hex = text.slice(i + 2, i + 2 + width);
    if (width === 0 || !new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex))
      throw new Unsupported('escape', line);
    value += String.fromCodePoint(Number.parseInt(hex, 16));
    i += 2 + width;
  }
}

/** A flow collection (`[a, b]`, `{a: 1}`) that ends on its line. */
class FlowReader {
  private i = 0;
  private readonly text: string;
  private readonly line: number;

  constructor(text: string, line: number) {
    this.text = text;
    this.line = line;
  }

  value(): unknown {
    this.spaces();
    const c = this.text[this.i];
    if (c === '[') return this.sequence();
    if (c === '{') return this.mapping();
    if (c === '"' || c === "'") {
      const { value, end } = quoted(this.text, this.i, this.line);
      this.i = end;
      return value;
    }
    return this.plain();
  }

  end(): void {
    this.spaces();
    if (!isBlankOrComment(this.text.slice(this.i)))
      throw new Unsupported('text after a flow collection', this.line);
  }

  private sequence(): unknown[] {
    this.i++;
    const items: unknown[] = [];
    for (;;) {
      this.spaces();
      if (this.text[this.i] === ']') {
        this.i++;
        return items;
      }
      items.push(this.value());
      this.spaces();
      const c = this.text[this.i];
      if (c === ',') this.i++;
      else if (c !== ']') throw new Unsupported('flow sequence', this.line);
    }
  }

  private mapping(): Record<string, unknown> {
    this.i++;
    const map: Record<string, unknown> = {};
    for (;;) {
      this.spaces();
      if (this.text[this.i] === '}') {
        this.i++;
        return map;
      }
      const key = this.value();
      if (typeof key !== 'string' || Object.hasOwn(map, key))
        throw new Unsupported('flow mapping key', this.line);
      this.spaces();
      if (this.text[this.i] !== ':') throw new Unsupported('flow mapping without ":"', this.line);
      this.i++;
      this.spaces();
      const c = this.text[this.i];
      defineKey(map, key, c === ',' || c === '}' ? null : this.value());
      this.spaces();
      const after = this.text[this.i];
      if (after === ',') this.i++;
      else if (after !== '}') throw new Unsupported('flow mapping', this.line);
    }
  }

  private plain(): unknown {
    const start = this.i;
    while (this.i < this.text.length) {
      const c = this.text[this.i];
      if (c === ',' || c === ']' || c === '}' || c === '[' || c === '{') break;
      if (
        c === ':' &&
        (this.text[this.i + 1] === ' ' || this.text[this.i + 1] === ',' || this.i + 1 === this.text.length)
      )
        break;
      if (c === '#' && (this.text[this.i - 1] === ' ' || this.text[this.i - 1] === '\t')) {
        throw new Unsupported('comment inside a flow collection', this.line);
      }
      this.i++;
    }
    const raw = this.text.slice(start, this.i).trim();
    if (raw === '') throw new Unsupported('empty flow entry', this.line);
    return plainScalar(raw, this.line, false);
  }

  private spaces(): void {
    while (this.text[this.i] === ' ' || this.text[this.i] === '\t') this.i++;
  }
}
