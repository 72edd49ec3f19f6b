/**
 * Splitting input text into JSON values with the 1-based line each one starts on, for JSON Lines,
 * one (possibly pretty-printed) JSON document, or a sequence of pretty-printed documents (`jq .`).
 * A broken value must never swallow the good values after it.
 */

export interface JsonChunk {
  /** 1-based line of the chunk's first character. */
  line: number;
  text: string;
}

export type ParsedChunk =
  /** `elementLines[i]` is the start line of element i when `value` is an array. */
  { line: number; value: unknown; elementLines?: number[] } | { line: number; error: string };

function parsedValue(text: string, textLine: number, line: number): ParsedChunk {
  const value: unknown = JSON.parse(text);
  return Array.isArray(value)
    ? { line, value, elementLines: arrayElementLines(text, textLine) }
    : { line, value };
}

/** The change in bracket depth over one line, ignoring brackets inside strings. */
function depthDelta(line: string): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return depth;
}

/** A line that opens a new top-level value: `{` or `[` in the first column. */
function opensTopLevelValue(line: string): boolean {
  return line.startsWith('{') || line.startsWith('[');
}

/**
 * Cuts text into candidate JSON values. A value normally ends with its line; a line that leaves a
 * bracket open continues on the following lines until the brackets close, but never into a line
 * that starts in column 0 with `{` or `[` (pretty printers indent nested values). So a truncated
 * JSON Lines record costs one line, and a broken pretty-printed document costs one chunk.
 * JSON strings cannot hold raw newlines, so string state restarts on every line.
 */
export function splitJsonChunks(text: string): JsonChunk[] {
  const lines = text.split(/\r?\n/);
  const chunks: JsonChunk[] = [];
  let i = 0;
  while (i < lines.length) {
    const first = lines[i] ?? '';
    if (first.trim() === '') {
      i++;
      continue;
    }
    const start = i;
    let depth = depthDelta(first);
    i++;
    while (depth > 0 && i < lines.length && !opensTopLevelValue(lines[i] ?? '')) {
      depth += depthDelta(lines[i] ?? '');
      i++;
    }
    chunks.push({ line: start + 1, text: lines.slice(start, i).join('\n') });
  }
  return chunks;
}

function firstContentLine(text: string): number {
  const match = /\S/.exec(text);
  if (match === null) return 1;
  return countNewlines(text, 0, match.index) + 1;
}

function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 0x0a) count++;
  return count;
}

/**
 * Parses input text into JSON values with their start lines. The whole text is tried as one
 * document first (so any formatting of a single document works); otherwise it is read chunk by chunk
 * (JSON Lines and document sequences), and a chunk that does not parse becomes an error entry.
 */
export function parseJsonText(text: string): ParsedChunk[] {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return [parsedValue(text, 1, firstContentLine(text))];
    } catch {
      // Not one document: fall through to JSON Lines / a sequence of documents.
    }
  }
  return splitJsonChunks(text).map((chunk) => {
    try {
      return parsedValue(chunk.text, chunk.line, chunk.line);
    } catch (error) {
      return { line: chunk.line, error: `not valid JSON (${(error as Error).message})` };
    }
  });
}

/**
 * The 1-based start line of each element of a top-level JSON array, given the text of that
 * (valid) array and the line its text starts on. Element i of `JSON.parse(text)` starts on line
 * `result[i]`.
 */
export function arrayElementLines(text: string, firstLine: number): number[] {
  const lines: number[] = [];
  let line = firstLine;
  let depth = 0;
  let inString = false;
  let expectingElement = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) line++;
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    const isSpace = c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
    if (depth === 1 && expectingElement && !isSpace && c !== 0x5d) {
      lines.push(line);
      expectingElement = false;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth === 1) expectingElement = true;
    } else if (c === 0x7d || c === 0x5d) depth--;
    else if (c === 0x2c && depth === 1) expectingElement = true;
  }
  return lines;
}
