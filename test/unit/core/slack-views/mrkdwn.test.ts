import { describe, expect, it } from 'vitest';
import { sentence } from '../../../../core/model/sentence.ts';
import {
  codeSpan,
  neutralizeMrkdwn,
  sentenceMrkdwn,
  singleLine,
  untrustedText,
} from '../../../../core/slack-views/mrkdwn.ts';

describe('mrkdwn helpers for untrusted text', () => {
  it('makes text one line: line breaks, tabs and other control characters become one space', () => {
    expect(singleLine('a\r\n\nb\u2028c\u0085d\te\u0000f')).toBe('a b c d e f');
  });

  it('neutralizes the characters that open bold, italic, strike and code', () => {
    expect(neutralizeMrkdwn('*bold* _it_ ~s~ `c`')).toBe("∗bold∗ ˍitˍ ∼s∼ 'c'");
  });

  it('shows untrusted prose as one escaped, neutralized line within a limit', () => {
    expect(untrustedText('<!here>\n*RESOLVED*', 100)).toBe('&lt;!here&gt; ∗RESOLVED∗');
    expect(untrustedText('a&b'.repeat(10), 10)).toBe('a&amp;ba…');
  });

  it('puts one value in a one-line code span that it cannot close', () => {
    expect(codeSpan('x`\n*y* <!channel>')).toBe("`x' *y* &lt;!channel&gt;`");
    expect(codeSpan('abcdefghij', 8)).toBe('`abcde…`');
  });
});

describe('sentenceMrkdwn', () => {
  const summary = sentence`${'bob'} ran ${'sh -c `x`'} in pod ${'web'}.`.parts;

  it('renders text parts as text and each value as a code span', () => {
    expect(sentenceMrkdwn(summary, 3000)).toBe("`bob` ran `sh -c 'x'` in pod `web`.");
  });

  it('never cuts inside a code span: a value that does not fit is cut as a whole span', () => {
    const long = sentence`${'bob'} ran ${'a'.repeat(50)} in pod ${'web'}.`.parts;
    const rendered = sentenceMrkdwn(long, 30);
    expect(rendered).toBe('`bob` ran `aaaaaaaaaaaaaaaa…`…');
    expect(rendered.length).toBeLessThanOrEqual(30);
    expect(sentenceMrkdwn(long, 12)).toBe('`bob` ran …');
  });
});
