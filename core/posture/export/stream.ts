/**
 * Helpers for exports written in pieces (issue 14: a 22,636-object audit has ~387,000 results; one
 * string of them took ~1 GB). A document is stringified with a placeholder where its big array goes;
 * the array's elements are then produced one by one between the two halves.
 */

/** Put where the big array goes (a NUL inside: no export holds one). */
export const ARRAY_PLACEHOLDER = '\u0000kubeguard-array\u0000';
const SEARCHED = JSON.stringify(ARRAY_PLACEHOLDER);

/**
 * The pretty JSON text of `skeleton` before and after its ARRAY_PLACEHOLDER, and the indentation of
 * the array's elements.
 */
export function splitAround(skeleton: unknown): { before: string; after: string; indent: string } {
  const text = JSON.stringify(skeleton, null, 2);
  const at = text.indexOf(SEARCHED);
  if (at === -1) throw new TypeError('splitAround: the skeleton has no ARRAY_PLACEHOLDER');
  const lineStart = text.lastIndexOf('\n', at) + 1;
  const indent = (/^ */.exec(text.slice(lineStart, at)) as RegExpExecArray)[0];
  return { before: text.slice(0, at), after: text.slice(at + SEARCHED.length), indent: `${indent}  ` };
}

/**
 * `[`, each element compact on its own line, `]`: valid JSON, one result per line (greppable), and
 * written element by element.
 */
export function* arrayChunks<T>(
  items: Iterable<T>,
  toJson: (item: T) => unknown,
  indent: string,
): Generator<string> {
  let first = true;
  yield '[';
  for (const item of items) {
    yield `${first ? '\n' : ',\n'}${indent}${JSON.stringify(toJson(item))}`;
    first = false;
  }
  yield first ? ']' : `\n${indent.slice(2)}]`;
}

/** A document with one big array, in pieces. */
export function* documentChunks<T>(
  skeleton: unknown,
  items: Iterable<T>,
  toJson: (item: T) => unknown,
): Generator<string> {
  const { before, after, indent } = splitAround(skeleton);
  yield before;
  yield* arrayChunks(items, toJson, indent);
  yield `${after}\n`;
}

/** Joins small pieces into chunks of about `size` characters, so a writer is not called per piece. */
export function* batched(pieces: Iterable<string>, size = 64 * 1024): Generator<string> {
  let buffer: string[] = [];
  let length = 0;
  for (const piece of pieces) {
    buffer.push(piece);
    length += piece.length;
    if (length >= size) {
      yield buffer.join('');
      buffer = [];
      length = 0;
    }
  }
  if (length > 0) yield buffer.join('');
}
