import { describe, expect, it } from 'vitest';
import { slackDate } from '../../../../core/slack-views/format.ts';

describe('slackDate', () => {
  it('renders an instant as a Slack date token with its ISO-8601 fallback', () => {
    expect(slackDate('2026-12-03T10:00:00.000Z')).toBe(
      '<!date^1796292000^{date_short_pretty} {time}|2026-12-03T10:00:00.000Z>',
    );
  });

  it('keeps a time before 1970 as plain text: Slack date tokens take a non-negative epoch', () => {
    // Date.parse reads a hostile "100" as the year 100 (found by the ops-alarm property test).
    expect(slackDate('100')).toBe('0100-01-01T00:00:00.000Z');
    expect(slackDate('1969-12-31T23:59:59.000Z')).toBe('1969-12-31T23:59:59.000Z');
  });

  it('keeps a value that is no time as escaped text without the token characters', () => {
    expect(slackDate('<!channel>|^x')).toBe('&lt;!channel&gt;x');
  });
});
