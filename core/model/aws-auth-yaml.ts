/**
 * A reader for the YAML that EKS's aws-auth ConfigMap holds in `data.mapRoles` / `data.mapUsers`: a
 * list of flat mappings (`rolearn`/`userarn`, `username`, `groups`) in the styles real tools write —
 * the EKS user guide and eksctl (block style, compact or indented lists), Terraform's `yamlencode`
 * (quoted keys and values), CDK (JSON) — with comments, quoted scalars and flow lists of scalars.
 *
 * Why not the `yaml` package: it is the largest dependency of the audit-log function (~110 KB of its
 * bundle) for this one use (D30). The reader is *sound* against a full YAML 1.2 parser: whatever it
 * returns is exactly what `yaml.parse` returns for the same text (a differential property test holds
 * it to that); anything outside the subset — anchors, aliases, tags, block scalars, multi-line
 * scalars, flow mappings, complex or duplicate keys, numbers other than plain integers — is refused
 * with an UnreadableYaml naming the line, never read differently.
 */

export class UnreadableYaml extends Error {
  /** 1-based line of the text where reading stopped. */
  readonly line: number;

  constructor(line: number, reason: string) {
    super(`line ${line}: ${reason}`);
    this.name = 'UnreadableYaml';
    this.line = line;
  }
}

interface Line {
  /** 1-based line number in the text. */
  number: number;
  indent: number;
  /** The content after the indentation, comment removed, trailing spaces trimmed. */
  text: string;
}

/** Parses `text` as the YAML of an aws-auth list. @throws UnreadableYaml outside the subset. */
export function readAwsAuthYaml(text: string): unknown {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const trimmed = body.trim();
  // JSON is YAML: CDK and some tools write the list as JSON.
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) return readJson(trimmed);
  const lines = contentLines(body);
  if (lines.length === 0) return null;
  const reader = new BlockReader(lines);
  const first = lines[0] as Line;
  if (!isSequenceEntry(first.text)) {
    throw new UnreadableYaml(first.number, 'expected a list (`- rolearn: …`)');
  }
  const value = reader.sequence(first.indent);
  reader.expectEnd();
  return value;
}

function readJson(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UnreadableYaml(1, 'flow-style YAML that is not JSON');
  }
  // Duplicate keys: YAML refuses them, JSON.parse keeps the last one.
  if (hasDuplicateKeys(text)) throw new UnreadableYaml(1, 'a mapping with a duplicate key');
  return value;
}

/** True when any JSON object in `text` (valid JSON) repeats a key or has the key `__proto__`. */
function hasDuplicateKeys(text: string): boolean {
  const objects: (Set<string> | undefined)[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{') objects.push(new Set());
    else if (c === '[') objects.push(undefined);
    else if (c === '}' || c === ']') objects.pop();
    else if (c === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const after = text.slice(end + 1).trimStart();
      const keys = objects[objects.length - 1];
      if (after.startsWith(':') && keys !== undefined) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (keys.has(key) || key === '__proto__') return true;
        keys.add(key);
      }
      i = end;
    }
  }
  return false;
}

/** Non-blank, non-comment lines; refuses control characters, directives and further documents. */
function contentLines(text: string): Line[] {
  const lines: Line[] = [];
  const raw = text.split(/\r?\n/);
  let documentStarted = false;
  for (let index = 0; index < raw.length; index++) {
    const line = raw[index] as string;
    const number = index + 1;
    // Tabs, control characters and Unicode spaces (which JavaScript's trim and YAML treat
    // differently) are refused outright.
    if (hasRefusedCharacter(line)) {
      throw new UnreadableYaml(number, 'a tab, a control character or a Unicode space');
    }
    const indent = line.length - line.replace(/^ +/, '').length;
    const text = stripComment(line.slice(indent), number).trimEnd();
    if (text === '') continue;
    if (indent === 0 && (text.startsWith('%') || text === '...')) {
      throw new UnreadableYaml(number, 'YAML directives and document markers are not read');
    }
    if (indent === 0 && text === '---' && lines.length === 0 && !documentStarted) {
      documentStarted = true;
      continue;
    }
    if (text.startsWith('---')) throw new UnreadableYaml(number, 'more than one YAML document');
    lines.push({ number, indent, text });
  }
  return lines;
}

const UNICODE_SPACES = new Set([0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff]);

function hasRefusedCharacter(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const code = line.charCodeAt(i);
    if (code < 0x20 || code === 0x7f || UNICODE_SPACES.has(code) || (code >= 0x2000 && code <= 0x200a))
      return true;
  }
  return false;
}

/**
 * The line without its `# comment`: a `#` at the start or after a space, outside quotes. Where a
 * quote could be read either as opening a scalar or as plain text, both readings must put the comment
 * at the same place, else the line is refused.
 */
function stripComment(text: string, number: number): string {
  const naive = text.search(/(?:^| )#/);
  const plainCut = naive === -1 ? -1 : text[naive] === '#' ? naive : naive + 1;
  let quote: '"' | "'" | undefined;
  let cut = -1;
  for (let i = 0; i < text.length && cut === -1; i++) {
    const c = text[i];
    if (quote === '"') {
      if (c === '\\') i++;
      else if (c === '"') quote = undefined;
    } else if (quote === "'") {
      if (c === "'") {
        if (text[i + 1] === "'") i++;
        else quote = undefined;
      }
    } else if (c === '#' && (i === 0 || text[i - 1] === ' ')) {
      cut = i;
    } else if ((c === '"' || c === "'") && startsScalar(text.slice(0, i))) {
      quote = c;
    }
  }
  if (quote !== undefined) throw new UnreadableYaml(number, 'a quoted scalar that spans lines');
  if (cut !== plainCut) throw new UnreadableYaml(number, 'a "#" inside a quoted scalar');
  return cut === -1 ? text : text.slice(0, cut);
}

/** A quote opens a quoted scalar where a scalar can start: line start, after `- `, `: `, `[` or `,`. */
function startsScalar(before: string): boolean {
  return /^(?:- +)*$/.test(before) || /(?:: +|- +|\[ *|, *)$/.test(before);
}

function isSequenceEntry(text: string): boolean {
  return text === '-' || text.startsWith('- ');
}

class BlockReader {
  readonly #lines: Line[];
  #at = 0;

  constructor(lines: Line[]) {
    this.#lines = lines;
  }

  expectEnd(): void {
    const line = this.#lines[this.#at];
    if (line !== undefined) throw new UnreadableYaml(line.number, 'unexpected indentation');
  }

  /** A block sequence whose `-` entries sit at `indent`. */
  sequence(indent: number): unknown[] {
    const items: unknown[] = [];
    for (let line = this.#peek(); line !== undefined && line.indent === indent; line = this.#peek()) {
      if (!isSequenceEntry(line.text)) break;
      this.#at++;
      const rest = line.text.slice(1);
      const content = rest.trimStart();
      if (content === '') {
        items.push(this.#nestedBlock(indent, line));
        continue;
      }
      const column = indent + 1 + (rest.length - content.length);
      if (isSequenceEntry(content)) throw new UnreadableYaml(line.number, 'a list nested on one line');
      const key = splitKey(content, line.number);
      if (key === undefined) {
        items.push(flowOrScalar(content, line.number));
      } else {
        items.push(this.#mapping(column, key, line.number));
      }
    }
    return items;
  }

  /** The value under an entry or key with nothing after it: a deeper block, or null. */
  #nestedBlock(parentIndent: number, parent: Line): unknown {
    const next = this.#peek();
    if (next === undefined || next.indent <= parentIndent) return null;
    if (isSequenceEntry(next.text)) return this.sequence(next.indent);
    const key = splitKey(next.text, next.number);
    if (key === undefined) throw new UnreadableYaml(parent.number, 'a multi-line scalar');
    this.#at++;
    return this.#mapping(next.indent, key, next.number);
  }

  /** A block mapping whose keys sit at `column`; its first key was read from the current line. */
  #mapping(column: number, first: { key: string; value: string }, number: number): Record<string, unknown> {
    const mapping: Record<string, unknown> = {};
    let entry: { key: string; value: string } | undefined = first;
    let entryLine = number;
    while (entry !== undefined) {
      if (Object.hasOwn(mapping, entry.key)) throw new UnreadableYaml(entryLine, 'a duplicate key');
      mapping[entry.key] =
        entry.value === '' ? this.#keyBlock(column, entryLine) : flowOrScalar(entry.value, entryLine);
      entry = undefined;
      const next = this.#peek();
      if (next !== undefined && next.indent === column && !isSequenceEntry(next.text)) {
        const key = splitKey(next.text, next.number);
        if (key === undefined) throw new UnreadableYaml(next.number, 'a scalar where a key was expected');
        this.#at++;
        entry = key;
        entryLine = next.number;
      } else if (next !== undefined && next.indent > column) {
        throw new UnreadableYaml(next.number, 'unexpected indentation (a multi-line scalar?)');
      }
    }
    return mapping;
  }

  /** The value of `key:` with nothing after it: a list at the same or deeper indent, a mapping, or null. */
  #keyBlock(column: number, number: number): unknown {
    const next = this.#peek();
    if (next === undefined) return null;
    // A list may sit at the key's own indent (eksctl's compact style).
    if (next.indent === column && isSequenceEntry(next.text)) return this.sequence(column);
    if (next.indent <= column) return null;
    if (isSequenceEntry(next.text)) return this.sequence(next.indent);
    const key = splitKey(next.text, next.number);
    if (key === undefined) throw new UnreadableYaml(number, 'a multi-line scalar');
    this.#at++;
    return this.#mapping(next.indent, key, next.number);
  }

  #peek(): Line | undefined {
    return this.#lines[this.#at];
  }
}

/**
 * `key: value` → the key (a plain word or a quoted scalar) and the value text; undefined when the
 * text is not a key (a scalar). @throws UnreadableYaml for keys outside the subset.
 */
function splitKey(text: string, number: number): { key: string; value: string } | undefined {
  let key: string;
  let rest: string;
  if (text.startsWith('"') || text.startsWith("'")) {
    const end = quotedEnd(text, number);
    const after = text.slice(end).trimStart();
    if (!after.startsWith(':')) return undefined;
    key = quoted(text.slice(0, end), number);
    rest = after.slice(1);
    if (rest !== '' && !rest.startsWith(' '))
      throw new UnreadableYaml(number, 'a key without a space after ":"');
  } else {
    // Plain keys are simple words (rolearn, userarn, username, groups): nothing YAML could read otherwise.
    const match = /^([A-Za-z_][A-Za-z0-9_./-]*) *:(?: (.*)|)$/.exec(text);
    if (match === null) {
      if (/^[^"'].*?: /.test(text) || text.endsWith(':'))
        throw new UnreadableYaml(number, 'a key outside the subset');
      return undefined;
    }
    key = match[1] as string;
    rest = match[2] ?? '';
    if (resolvePlain(key, number) !== key) throw new UnreadableYaml(number, 'a key that is not a string');
  }
  if (key === '__proto__' || key === '<<')
    throw new UnreadableYaml(number, 'the keys __proto__ and << are not read');
  return { key, value: rest.trim() };
}

/** A value: a one-line flow list of scalars, a quoted scalar or a plain scalar. */
function flowOrScalar(text: string, number: number): unknown {
  if (text.startsWith('[')) return flowList(text, number);
  return scalar(text, number);
}

function flowList(text: string, number: number): unknown[] {
  if (!text.endsWith(']')) throw new UnreadableYaml(number, 'a flow list that does not end on its line');
  const inner = text.slice(1, -1).trim();
  if (inner === '') return [];
  const items: unknown[] = [];
  let rest = inner;
  for (;;) {
    let item: string;
    if (rest.startsWith('"') || rest.startsWith("'")) {
      const end = quotedEnd(rest, number);
      item = rest.slice(0, end);
      rest = rest.slice(end).trimStart();
    } else {
      const comma = rest.indexOf(',');
      item = (comma === -1 ? rest : rest.slice(0, comma)).trim();
      rest = comma === -1 ? '' : rest.slice(comma);
      if (/[[\]{}]|: |:$/.test(item) || item === '') {
        throw new UnreadableYaml(number, 'a flow list holding more than plain or quoted scalars');
      }
    }
    items.push(scalar(item, number));
    if (rest === '') return items;
    if (!rest.startsWith(',')) throw new UnreadableYaml(number, 'a flow list holding more than scalars');
    rest = rest.slice(1).trimStart();
    if (rest === '') throw new UnreadableYaml(number, 'a flow list with a trailing comma');
  }
}

function scalar(text: string, number: number): unknown {
  if (text.startsWith('"') || text.startsWith("'")) {
    const end = quotedEnd(text, number);
    if (text.slice(end).trim() !== '') throw new UnreadableYaml(number, 'text after a quoted scalar');
    return quoted(text, number);
  }
  if (/^[&*!|>%@`{}[\]?,#:-]/.test(text)) {
    throw new UnreadableYaml(
      number,
      'a value starting with an indicator (anchor, alias, tag, block scalar, flow or comment)',
    );
  }
  // Plain scalars hold what ARNs, usernames and group names hold; quotes, backslashes, `#` and
  // anything else that YAML could read in more than one way make the value unread.
  if (!/^[A-Za-z0-9_~/.+=${}()][A-Za-z0-9_~/.@+=${}():, -]*$/.test(text)) {
    throw new UnreadableYaml(
      number,
      'a plain scalar with characters other than letters, digits and the punctuation of ARNs and usernames',
    );
  }
  if (/: |:$/.test(text)) throw new UnreadableYaml(number, 'a plain scalar holding ": "');
  return resolvePlain(text, number);
}

/** The index just past the closing quote of the quoted scalar at the start of `text`. */
function quotedEnd(text: string, number: number): number {
  const quote = text[0];
  for (let i = 1; i < text.length; i++) {
    const c = text[i];
    if (quote === '"' && c === '\\') i++;
    else if (c === quote) {
      if (quote === "'" && text[i + 1] === "'") i++;
      else return i + 1;
    }
  }
  throw new UnreadableYaml(number, 'a quoted scalar that does not end on its line');
}

/** A complete quoted scalar: single quotes double `''`; double quotes take JSON's escapes only. */
function quoted(text: string, number: number): string {
  if (text.startsWith("'")) return text.slice(1, -1).replaceAll("''", "'");
  if (/\\[^"\\/bfnrtu]|\\u(?![0-9a-fA-F]{4})/.test(text)) {
    throw new UnreadableYaml(number, 'a YAML-only escape in a double-quoted scalar');
  }
  try {
    return JSON.parse(text) as string;
  } catch {
    throw new UnreadableYaml(number, 'a double-quoted scalar with a control character');
  }
}

/**
 * A plain scalar as YAML 1.2's core schema resolves it: null, booleans and plain integers; any other
 * text that could be a number (floats, octal, hex, infinities) is refused rather than guessed.
 */
function resolvePlain(text: string, number: number): unknown {
  if (/^(?:~|null|Null|NULL)$/.test(text)) return null;
  if (/^(?:true|True|TRUE)$/.test(text)) return true;
  if (/^(?:false|False|FALSE)$/.test(text)) return false;
  if (/^[-+]?[0-9]+$/.test(text)) {
    const value = Number(text);
    if (Number.isSafeInteger(value)) return value;
    throw new UnreadableYaml(number, 'an integer beyond 2^53');
  }
  if (/^[-+.]?[0-9.]/.test(text) || /^[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)$/.test(text)) {
    throw new UnreadableYaml(number, 'a number-like value other than a plain integer');
  }
  return text;
}
