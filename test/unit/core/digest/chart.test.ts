import { describe, expect, it } from 'vitest';
import { MAX_LINES, renderTrendChart } from '#core/digest/chart.ts';
import { clusterTrend } from '#core/digest/trend.ts';
import { dailyHistory, historyEntry } from '#test/support/digest-data.ts';

const END = '2026-12-07T09:00:00.000Z';

describe('digest chart (SVG)', () => {
  it('escapes cluster names, so a name cannot add markup to the picture', () => {
    const name = '<script>alert(1)</script>&"\'';
    const chart = renderTrendChart([
      clusterTrend(name, [historyEntry(name, '2026-12-06T06:00:00.000Z', 70)], END),
    ]);

    expect(chart.svg).not.toContain('<script>');
    // Cut to 26 characters first, then escaped: an entity is never cut in half.
    expect(chart.svg).toContain('>&lt;script&gt;alert(1)&lt;/script&gt;… 70</text>');
    const quoted = renderTrendChart([
      clusterTrend('a&"\'<b>', [historyEntry('x', '2026-12-06T06:00:00.000Z', 70)], END),
    ]);
    expect(quoted.svg).toContain('>a&amp;&quot;&apos;&lt;b&gt; 70</text>');
  });

  it('draws the lowest-scoring clusters and one "others (mean)" line beyond eight', () => {
    const trends = Array.from({ length: 12 }, (_, index) =>
      clusterTrend(
        `c${index}`,
        dailyHistory(`c${index}`, END, 84, () => 10 + index * 5),
        END,
      ),
    );

    const chart = renderTrendChart(trends);

    expect(chart.svg.match(/<polyline /g)).toHaveLength(MAX_LINES);
    expect(chart.svg).toContain('5 others (mean) 55');
    expect(chart.altText).toBe(
      'Posture score per cluster over 12 weeks; latest: c0 10, c1 15, c2 20, c3 25, c4 30, c5 35, c6 40, 5 others (mean) 55.',
    );
  });

  it('breaks a line where a week had no audit and says "No audit yet" when nothing was audited', () => {
    const gap = clusterTrend(
      'staging',
      [
        historyEntry('staging', '2026-11-20T06:00:00.000Z', 70),
        historyEntry('staging', '2026-11-24T06:00:00.000Z', 72),
        historyEntry('staging', '2026-12-05T06:00:00.000Z', 65),
      ],
      END,
    );

    expect(renderTrendChart([gap]).svg.match(/<polyline /g)).toHaveLength(1);
    expect(renderTrendChart([gap]).svg.match(/<circle /g)).toHaveLength(3);
    const empty = renderTrendChart([clusterTrend('new', [], END)]);
    expect(empty.svg).toContain('>No audit yet</text>');
    expect(empty.svg).not.toContain('<polyline');
    expect(empty.altText).toBe('Posture score chart: no audit yet for 1 clusters.');
  });
});
