import { closingQuote } from './json-scan.ts';

/**
 * Cuts a byte stream into JSON values in bounded memory, for inputs of any size (issue 14: a 2 GB
 * export must not be held whole). Bytes are pushed as they arrive; values come out as soon as they
 * are complete, each with the 1-based line it starts on:
 *
 * - JSON Lines: each line is parsed on its own (fast path: no byte-by-byte scan);
 * - pretty-printed documents and sequences of them (`jq .`), scanned structurally;
 * - a top-level JSON array, and the array of a wrapper document — `{"events":[…]}` (`aws logs
 *   filter-log-events` / `get-log-events`), `{"Findings":[…]}` (`aws guardduty get-findings`),
 *   `{"kind":"EventList","items":[…]}` — are streamed element by element: only one element is held;
 * - CloudWatch Logs exports to S3: lines `<ISO-8601 timestamp> <message>`.
 *
 * A broken value never swallows the good values after it: a value ends with its line unless a
 * bracket is left open, and an open value never runs into a line that starts, at or left of the
 * value's own column, with `{` or `[` (pretty printers indent nested values). JSON strings cannot
 * hold raw newlines, so string state ends at every line break.
 */

export type ContainerKey = 'array' | 'events' | 'Findings' | 'items';

/** Where a streamed element came from: the array (top-level or a wrapper's) and its index. */
export interface ContainerRef {
  key: ContainerKey;
  /** Line of the document holding the array (the wrapper object, or the top-level array). */
  line: number;
  index: number;
  /** The wrapper's `kind` when it came before the array (`EventList`). */
  wrapperKind?: string;
}

export type ScannedItem =
  | { kind: 'value'; line: number; value: unknown; container?: ContainerRef }
  | { kind: 'error'; line: number; error: string; container?: ContainerRef }
  /** One line of a CloudWatch Logs export to S3. */
  | { kind: 'export-line'; line: number; timestamp: string; message: string }
  /** A wrapper or top-level array ended (or broke off) after `elements` elements. */
  | { kind: 'container'; line: number; key: ContainerKey; elements: number };

/** Wrapper keys whose array is streamed element by element. */
const WRAPPER_KEYS: ReadonlySet<string> = new Set(['events', 'Findings', 'items']);

/** A line longer than this is scanned structurally instead of being parsed in one piece. */
const FAST_LINE_MAX = 8 * 1024 * 1024;
/** A single record (not an element of a streamed array) larger than this is refused, and skipped. */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;

/** `2024-11-14T12:00:00.000Z <message>`: what CloudWatch Logs writes to S3 (one event per line). */
const EXPORT_LINE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})) (.*)$/s;

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

const isSpace = (b: number) => b === SPACE || b === LF || b === CR || b === TAB;
const isDigit = (b: number) => b >= 0x30 && b <= 0x39;

/** A value being scanned structurally (a top-level value, or an element of a streamed array). */
interface OpenValue {
  start: number;
  line: number;
  column: number;
  depth: number;
  /** False once the value is known too large: its bytes are dropped and it is reported. */
  keep: boolean;
  /** Set for an element of a streamed array. */
  container?: ContainerRef;
  /** For a top-level object: the state of its direct members, to find a wrapper's array. */
  members?: MemberState;
}

interface MemberState {
  expect: 'key' | 'colon' | 'value' | 'comma';
  key?: string;
  /** The top-level object's `kind`, when a short string. */
  wrapperKind?: string;
  /** Set while a string value of `kind` is being read. */
  readingKind?: boolean;
  /** Elements streamed out of this object (it is then a wrapper, and is not emitted itself). */
  streamed: boolean;
}

/** A streamed array, between its elements. */
interface OpenArray {
  key: ContainerKey;
  line: number;
  index: number;
  expect: 'element' | 'comma';
  wrapperKind?: string;
  /** For a wrapper's array: the wrapper object, resumed (without keeping bytes) once the array ends. */
  wrapper?: OpenValue;
}

export class JsonStreamScanner {
  readonly #emit: (item: ScannedItem) => void;
  /**
   * The unconsumed bytes: a view of #storage from offset 0. #storage is reused from chunk to chunk
   * (grown when a record spans more than it holds) rather than a fresh Buffer.concat per chunk: the
   * churn of megabyte buffers fragmented the allocator and raised the peak RSS of a large export.
   * Nothing emitted keeps a view of it (items are strings and parsed values).
   */
  #buf: Buffer = Buffer.alloc(0);
  #storage: Buffer = Buffer.alloc(0);
  #pos = 0;
  /** Bytes of #buf before this offset are consumed and can be dropped. */
  #keepFrom = 0;
  #line = 1;
  #lineStart = 0;
  /** True until the first non-space byte of the current line has been seen. */
  #atLineStart = true;
  #inString = false;
  #value: OpenValue | undefined;
  #array: OpenArray | undefined;
  #ended = false;

  constructor(emit: (item: ScannedItem) => void) {
    this.#emit = emit;
  }

  push(chunk: Uint8Array): void {
    const shift = this.#keepFrom;
    const restLength = this.#buf.length - shift;
    const length = restLength + chunk.length;
    if (length > this.#storage.length) {
      const grown = Buffer.allocUnsafe(Math.max(length, this.#storage.length * 2));
      this.#buf.copy(grown, 0, shift);
      this.#storage = grown;
    } else if (shift > 0 && restLength > 0) {
      this.#storage.copyWithin(0, shift, shift + restLength);
    }
    this.#storage.set(chunk, restLength);
    this.#buf = this.#storage.subarray(0, length);
    this.#pos -= shift;
    this.#lineStart -= shift;
    if (this.#value !== undefined) this.#value.start -= shift;
    if (this.#array?.wrapper !== undefined) this.#array.wrapper.start -= shift;
    this.#keepFrom = 0;
    this.#scan();
  }

  end(): void {
    this.#ended = true;
    this.#scan();
    const element = this.#value?.container !== undefined;
    if (this.#value !== undefined) this.#finishValue(this.#buf.length, 'unterminated');
    if (this.#array !== undefined)
      this.#abandonArray(element ? undefined : 'the input ends inside the array');
    this.#buf = Buffer.alloc(0);
    this.#storage = this.#buf;
    this.#pos = 0;
    this.#keepFrom = 0;
  }

  #scan(): void {
    while (this.#pos < this.#buf.length) {
      if (this.#value !== undefined) {
        if (!this.#scanValue()) return;
      } else if (this.#array !== undefined) {
        this.#scanArray();
      } else if (!this.#scanTop()) return;
    }
    if (this.#value === undefined) this.#keepFrom = this.#pos;
    else if (!this.#value.keep) this.#keepFrom = this.#pos;
  }

  #newline(at: number): void {
    this.#line += 1;
    this.#lineStart = at + 1;
    this.#atLineStart = true;
  }

  /** Between top-level values. Returns false when more bytes are needed. */
  #scanTop(): boolean {
    const buf = this.#buf;
    while (this.#pos < buf.length) {
      const b = buf[this.#pos] as number;
      if (!isSpace(b)) break;
      if (b === LF) this.#newline(this.#pos);
      this.#pos += 1;
    }
    this.#keepFrom = this.#pos;
    if (this.#pos >= buf.length) return false;
    const start = this.#pos;
    const b = buf[start] as number;
    const lineEnd = buf.indexOf(LF, start);
    if (lineEnd === -1 && !this.#ended && buf.length - start <= FAST_LINE_MAX) return false;
    const end = lineEnd === -1 ? buf.length : lineEnd;
    if (end - start <= FAST_LINE_MAX && this.#fastLine(b, start, end)) {
      this.#pos = end;
      return true;
    }
    if (b === OPEN_ARRAY) {
      // A top-level array too long for one line, or spread over lines: streamed element by element.
      this.#array = { key: 'array', line: this.#line, index: 0, expect: 'element' };
      this.#pos = start + 1;
      return true;
    }
    this.#openValue(start);
    return true;
  }

  /** A whole line parsed at once (JSON Lines, export lines); false when it must be scanned. */
  #fastLine(first: number, start: number, end: number): boolean {
    const text = this.#buf.toString('utf8', start, end);
    if (isDigit(first)) {
      const match = EXPORT_LINE.exec(text.endsWith('\r') ? text.slice(0, -1) : text);
      if (match !== null) {
        this.#emit({
          kind: 'export-line',
          line: this.#line,
          timestamp: match[1] as string,
          message: match[2] as string,
        });
        return true;
      }
    }
    if (first !== OPEN_OBJECT && first !== OPEN_ARRAY) return false;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return false;
    }
    this.#emitParsed(value, this.#line);
    return true;
  }

  /** A complete top-level value: arrays and wrappers are expanded into their elements. */
  #emitParsed(value: unknown, line: number): void {
    if (Array.isArray(value)) {
      this.#emitElements(value, 'array', line, undefined);
      return;
    }
    if (typeof value === 'object' && value !== null) {
      const record = value as Record<string, unknown>;
      for (const key of WRAPPER_KEYS) {
        const items = record[key];
        if (!Array.isArray(items)) continue;
        const kind = typeof record.kind === 'string' ? record.kind : undefined;
        this.#emitElements(items, key as ContainerKey, line, kind);
        return;
      }
    }
    this.#emit({ kind: 'value', line, value });
  }

  #emitElements(items: unknown[], key: ContainerKey, line: number, wrapperKind: string | undefined): void {
    items.forEach((value, index) => {
      const container: ContainerRef = { key, line, index };
      if (wrapperKind !== undefined) container.wrapperKind = wrapperKind;
      this.#emit({ kind: 'value', line, value, container });
    });
    this.#emit({ kind: 'container', line, key, elements: items.length });
  }

  #openValue(start: number, container?: ContainerRef): void {
    const first = this.#buf[start] as number;
    this.#value = {
      start,
      line: this.#line,
      column: start - this.#lineStart,
      depth: 0,
      keep: true,
      ...(container === undefined ? {} : { container }),
      ...(container === undefined && first === OPEN_OBJECT
        ? { members: { expect: 'key' as const, streamed: false } }
        : {}),
    };
    this.#atLineStart = false;
  }

  /**
   * Scans the open value byte by byte. Returns false when more bytes are needed, true when the
   * value ended (or handed over to a streamed array).
   */
  #scanValue(): boolean {
    const value = this.#value as OpenValue;
    const buf = this.#buf;
    while (this.#pos < buf.length) {
      const at = this.#pos;
      const b = buf[at] as number;
      if (this.#inString) {
        const close = closingQuote(buf, at);
        const newline = buf.subarray(at, close).indexOf(LF);
        if (newline !== -1) {
          // A raw line break ends the string: the value is invalid JSON, parsing says so.
          this.#inString = false;
          this.#pos = at + newline;
          continue;
        }
        if (close >= buf.length) {
          if (this.#ended) this.#pos = buf.length;
          return this.#needMore(value);
        }
        this.#inString = false;
        this.#pos = close + 1;
        if (value.members !== undefined && value.depth === 1) this.#afterMemberString(value, at, close);
        continue;
      }
      if (b === LF) {
        this.#newline(at);
        this.#pos = at + 1;
        // A value still at depth 0 (a scalar or garbage) ends with its line.
        if (value.depth === 0) return this.#finishValue(at, 'line');
        continue;
      }
      if (b === SPACE || b === TAB || b === CR) {
        this.#pos = at + 1;
        continue;
      }
      if (this.#atLineStart) {
        this.#atLineStart = false;
        const column = at - this.#lineStart;
        if ((b === OPEN_OBJECT || b === OPEN_ARRAY) && value.depth > 0 && column <= value.column) {
          // A new value starts left of this one: this one is broken; the new one is read on its own.
          const container = value.container;
          this.#finishValue(this.#lineStart - 1, 'cut');
          // The element's error says what broke; the array around it cannot be trusted further.
          if (container !== undefined) this.#abandonArray(undefined);
          this.#atLineStart = true;
          this.#pos = at;
          return true;
        }
      }
      this.#pos = at + 1;
      if (b === QUOTE) {
        this.#inString = true;
        if (value.members !== undefined && value.depth === 1 && value.members.expect === 'key') {
          value.members.expect = 'colon';
        } else if (value.members !== undefined && value.depth === 1 && value.members.expect === 'value') {
          value.members.expect = 'comma';
          value.members.readingKind = value.members.key === 'kind';
        }
        continue;
      }
      if (value.members !== undefined && value.depth === 1) {
        const members = value.members;
        if (b === COLON && members.expect === 'colon') {
          members.expect = 'value';
          continue;
        }
        if (b === COMMA) {
          members.expect = 'key';
          continue;
        }
        if (b === OPEN_ARRAY && members.expect === 'value' && WRAPPER_KEYS.has(members.key ?? '')) {
          this.#streamWrapperArray(value, members);
          return true;
        }
        if (members.expect === 'value') members.expect = 'comma';
      }
      if (value.container !== undefined && value.depth === 0 && (b === COMMA || b === CLOSE_ARRAY)) {
        // A scalar element ends at the comma or the array's end, which the array then reads.
        this.#pos = at;
        return this.#finishValue(at, 'closed');
      }
      if (b === OPEN_OBJECT || b === OPEN_ARRAY) value.depth += 1;
      else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) {
        value.depth -= 1;
        if (value.depth <= 0) return this.#finishValue(at + 1, 'closed');
      }
      if (value.keep && at + 1 - value.start > MAX_RECORD_BYTES) value.keep = false;
    }
    return this.#needMore(value);
  }

  #needMore(value: OpenValue): boolean {
    if (!value.keep) this.#keepFrom = this.#pos;
    else if (this.#pos - value.start > MAX_RECORD_BYTES) {
      value.keep = false;
      this.#keepFrom = this.#pos;
    }
    return false;
  }

  /** A string at depth 1 of a top-level object just closed: a key, or a value. */
  #afterMemberString(value: OpenValue, from: number, close: number): void {
    const members = value.members as MemberState;
    if (members.expect === 'colon') {
      members.key = close - from <= 32 ? this.#buf.toString('utf8', from, close) : undefined;
    } else if (members.readingKind === true) {
      members.readingKind = false;
      if (close - from <= 64) members.wrapperKind = this.#buf.toString('utf8', from, close);
    }
  }

  #streamWrapperArray(wrapper: OpenValue, members: MemberState): void {
    members.streamed = true;
    members.expect = 'comma';
    // The wrapper's own bytes are no longer kept: its members around the array are not needed.
    wrapper.keep = false;
    this.#value = undefined;
    this.#array = {
      key: members.key as ContainerKey,
      line: wrapper.line,
      index: 0,
      expect: 'element',
      wrapper,
      ...(members.wrapperKind === undefined ? {} : { wrapperKind: members.wrapperKind }),
    };
    this.#keepFrom = this.#pos;
  }

  /** Inside a streamed array, between elements. */
  #scanArray(): void {
    const array = this.#array as OpenArray;
    const buf = this.#buf;
    while (this.#pos < buf.length) {
      const at = this.#pos;
      const b = buf[at] as number;
      if (isSpace(b)) {
        if (b === LF) this.#newline(at);
        this.#pos = at + 1;
        continue;
      }
      this.#atLineStart = false;
      if (b === CLOSE_ARRAY) {
        this.#pos = at + 1;
        this.#closeArray();
        return;
      }
      if (array.expect === 'comma') {
        if (b === COMMA) {
          array.expect = 'element';
          this.#pos = at + 1;
          continue;
        }
        this.#abandonArray(`expected "," or "]" after element ${array.index}`);
        return;
      }
      const container: ContainerRef = { key: array.key, line: array.line, index: array.index };
      if (array.wrapperKind !== undefined) container.wrapperKind = array.wrapperKind;
      array.index += 1;
      array.expect = 'comma';
      this.#keepFrom = at;
      this.#openValue(at, container);
      return;
    }
    this.#keepFrom = this.#pos;
  }

  #closeArray(): void {
    const array = this.#array as OpenArray;
    this.#array = undefined;
    this.#emit({ kind: 'container', line: array.line, key: array.key, elements: array.index });
    // The rest of the wrapper object is read (not kept) until it closes.
    if (array.wrapper !== undefined) this.#value = array.wrapper;
  }

  /** A streamed array that broke off: reported (unless its element already was), then left. */
  #abandonArray(reason: string | undefined): void {
    const array = this.#array;
    if (array === undefined) return;
    this.#array = undefined;
    if (reason === undefined) return;
    this.#emit({
      kind: 'error',
      line: array.line,
      error: `not valid JSON (the ${array.key === 'array' ? 'array' : `"${array.key}" array`} starting here breaks off: ${reason})`,
    });
  }

  /** Ends the open value at `end` (exclusive) and emits it, parsed, or the reason it is unusable. */
  #finishValue(end: number, how: 'closed' | 'line' | 'cut' | 'unterminated'): boolean {
    const value = this.#value as OpenValue;
    this.#value = undefined;
    this.#inString = false;
    if (value.members?.streamed === true) {
      // A wrapper whose array was streamed: its elements are out; nothing more to emit.
      this.#keepFrom = this.#pos;
      return true;
    }
    const container = value.container;
    const base = container === undefined ? {} : { container };
    if (!value.keep) {
      this.#emit({
        kind: 'error',
        line: value.line,
        error: `record larger than ${MAX_RECORD_BYTES / (1024 * 1024)} MB, skipped; split the input into one record per line`,
        ...base,
      });
    } else {
      const text = this.#buf.toString('utf8', value.start, end);
      try {
        const parsed: unknown = JSON.parse(text);
        if (container !== undefined)
          this.#emit({ kind: 'value', line: value.line, value: parsed, container });
        else this.#emitParsed(parsed, value.line);
      } catch (error) {
        if (how !== 'line' || text.trim() !== '') {
          this.#emit({
            kind: 'error',
            line: value.line,
            error: `not valid JSON (${(error as Error).message})`,
            ...base,
          });
        }
      }
    }
    this.#keepFrom = this.#pos;
    return true;
  }
}

/** Scans a whole text (tests, small inputs) into items. */
export function scanJsonText(text: string): ScannedItem[] {
  const items: ScannedItem[] = [];
  const scanner = new JsonStreamScanner((item) => items.push(item));
  scanner.push(Buffer.from(text, 'utf8'));
  scanner.end();
  return items;
}
