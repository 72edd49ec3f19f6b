import { describe, expect, it } from 'vitest';
import {
  asSentence,
  boundParts,
  isSentence,
  joinSentence,
  literal,
  markValues,
  quoted,
  sentence,
} from '../../../../core/model/sentence.ts';

describe('sentence tag', () => {
  it('builds the same text as a template literal, with the interpolated strings as values', () => {
    const user = 'kubernetes-admin';
    const pod = 'web-1';
    const built = sentence`${user} created pod ${pod}.`;
    expect(built.text).toBe(`${user} created pod ${pod}.`);
    expect(built.parts).toEqual([
      { kind: 'value', text: 'kubernetes-admin' },
      { kind: 'text', text: ' created pod ' },
      { kind: 'value', text: 'web-1' },
      { kind: 'text', text: '.' },
    ]);
  });

  it('keeps the parts of a nested sentence and merges adjacent parts of one kind', () => {
    const where = sentence` in namespace ${'prod'}`;
    const built = sentence`pod ${'web'}${where}${literal('')} (${literal('init')} container)`;
    expect(built.text).toBe('pod web in namespace prod (init container)');
    expect(built.parts).toEqual([
      { kind: 'text', text: 'pod ' },
      { kind: 'value', text: 'web' },
      { kind: 'text', text: ' in namespace ' },
      { kind: 'value', text: 'prod' },
      { kind: 'text', text: ' (init container)' },
    ]);
  });

  it('reads numbers as text: kubeguard formats them and they cannot carry formatting', () => {
    expect(sentence`${10} denied requests by ${'bob'}`.parts).toEqual([
      { kind: 'text', text: '10 denied requests by ' },
      { kind: 'value', text: 'bob' },
    ]);
  });

  it('quotes a value in backticks in the plain text only', () => {
    const built = sentence`ran ${quoted('cat /etc/shadow')} in pod`;
    expect(built.text).toBe('ran `cat /etc/shadow` in pod');
    expect(built.parts).toEqual([
      { kind: 'text', text: 'ran ' },
      { kind: 'value', text: 'cat /etc/shadow' },
      { kind: 'text', text: ' in pod' },
    ]);
  });

  it('joins values with kubeguard separators', () => {
    const list = joinSentence(['/etc', sentence`${'/var'} (read-only)`], ', ');
    expect(list.text).toBe('/etc, /var (read-only)');
    expect(list.parts.map((part) => part.kind)).toEqual(['value', 'text', 'value', 'text']);
  });

  it('reads the right text when put into a plain template literal by mistake', () => {
    expect(`${sentence`pod ${'web'}`}`).toBe('pod web');
  });

  it('tells sentences from other values; a plain string is all value', () => {
    expect(isSentence(literal('x'))).toBe(true);
    expect(isSentence({ text: 'x', parts: [] })).toBe(false);
    expect(asSentence('a *b*').parts).toEqual([{ kind: 'value', text: 'a *b*' }]);
  });
});

describe('markValues', () => {
  it('marks known values standing as words, longest first, and keeps the text', () => {
    const marked = markValues('File /tmp/x was run by process x in pod xy.', ['/tmp/x', 'x', 'xy']);
    expect(marked.text).toBe('File /tmp/x was run by process x in pod xy.');
    expect(marked.parts).toEqual([
      { kind: 'text', text: 'File ' },
      { kind: 'value', text: '/tmp/x' },
      { kind: 'text', text: ' was run by process x in pod xy.' },
    ]);
  });

  it('does not mark a value inside a longer word', () => {
    expect(markValues('together with get', ['get']).parts).toEqual([
      { kind: 'text', text: 'together with ' },
      { kind: 'value', text: 'get' },
    ]);
  });
});

describe('boundParts', () => {
  it('cuts the parts to a total length, ending the cut part with an ellipsis', () => {
    const parts = sentence`${'a'.repeat(10)} then ${'b'.repeat(10)}`.parts;
    expect(boundParts(parts, 14)).toEqual([
      { kind: 'value', text: 'aaaaaaaaaa' },
      { kind: 'text', text: ' th…' },
    ]);
    expect(boundParts(parts, 100)).toEqual(parts);
  });
});
