import { describe, expect, it } from 'vitest';
import { arrayElementLines, parseJsonText, splitJsonChunks } from '../../../../core/ingest/json-text.ts';

describe('splitting input text into JSON values', () => {
  it('reads JSON Lines one value per line, skipping blank lines, with 1-based lines', () => {
    const chunks = splitJsonChunks('{"a":1}\n\n{"b":[1,2]}\r\n{"c":"}"}\n');
    expect(chunks).toEqual([
      { line: 1, text: '{"a":1}' },
      { line: 3, text: '{"b":[1,2]}' },
      { line: 4, text: '{"c":"}"}' },
    ]);
  });

  it('keeps a pretty-printed document together', () => {
    const doc = JSON.stringify({ a: { b: [1, { c: 2 }] } }, null, 2);
    expect(splitJsonChunks(`\n${doc}\n`)).toEqual([{ line: 2, text: doc }]);
  });

  it('separates a sequence of pretty-printed documents (jq output)', () => {
    const one = JSON.stringify({ a: 1 }, null, 2);
    const two = JSON.stringify({ b: [2] }, null, 2);
    const chunks = splitJsonChunks(`${one}\n${two}\n`);
    expect(chunks.map((c) => c.line)).toEqual([1, 4]);
  });

  it('lets a truncated line cost only itself when the next value starts in column 0', () => {
    const chunks = splitJsonChunks('{"kind":"Event","user":{"name":"a\n{"ok":1}\n{"ok":2}');
    expect(chunks.map((c) => c.line)).toEqual([1, 2, 3]);
  });

  it('ignores brackets inside strings and escaped quotes', () => {
    expect(splitJsonChunks('{"a":"[[{\\"{"}\n{"b":1}')).toHaveLength(2);
  });
});

describe('parseJsonText', () => {
  it('parses a whole document however it is formatted', () => {
    const text = '  \n{\n"a":\n{\n"b": 1}}\n';
    expect(parseJsonText(text)).toEqual([{ line: 2, value: { a: { b: 1 } } }]);
  });

  it('reports a chunk that is not JSON with its line and the parser message', () => {
    const parsed = parseJsonText('{"a":1}\nnot json\n{"b":2}');
    expect(parsed[0]).toEqual({ line: 1, value: { a: 1 } });
    expect(parsed[1]).toEqual({
      line: 2,
      error: expect.stringMatching(/^not valid JSON \(Unexpected token/),
    });
    expect(parsed[2]).toEqual({ line: 3, value: { b: 2 } });
  });

  it('gives the start line of every element of a top-level array', () => {
    const text = JSON.stringify([{ a: 1 }, [2, 3], 'x', { b: { c: [] } }], null, 2);
    const [parsed] = parseJsonText(text);
    expect(parsed).toMatchObject({ line: 1, elementLines: [2, 5, 9, 10] });
  });
});

describe('arrayElementLines', () => {
  it('finds elements of a one-line array on that line', () => {
    expect(arrayElementLines('[1, "a,]", {"x": [1, 2]}]', 7)).toEqual([7, 7, 7]);
  });

  it('returns nothing for an empty array', () => {
    expect(arrayElementLines('[\n]', 1)).toEqual([]);
  });
});
