import { describe, expect, it } from 'vitest';
import { createResvgRasterizer } from '#adapters/chart/png.ts';
import { renderTrendChart } from '#core/digest/chart.ts';
import { clusterTrend } from '#core/digest/trend.ts';
import { dailyHistory } from '#test/support/digest-data.ts';
import { darkPixels, decodePng, pngSize } from '#test/support/png.ts';

const END = '2026-12-07T09:00:00.000Z';

describe('digest chart as PNG (resvg)', () => {
  it('is a valid PNG of the chart’s size with a line per cluster', async () => {
    const trends = ['prod', 'staging', 'dev'].map((name, index) =>
      clusterTrend(
        name,
        dailyHistory(name, END, 84, (day) => 40 + index * 20 + Math.floor(day / 7)),
        END,
      ),
    );

    const png = await createResvgRasterizer().png(renderTrendChart(trends));

    expect(pngSize(png)).toEqual({ width: 960, height: 540 });
    const image = decodePng(png);
    expect(image.pixels).toHaveLength(960 * 540 * 4);
    // The title (text) is drawn: dark pixels where it stands.
    expect(darkPixels(image, { left: 56, top: 12, right: 400, bottom: 40 })).toBeGreaterThan(200);
  });

  it('draws "No audit yet" on axes rather than an empty picture', async () => {
    const png = await createResvgRasterizer().png(
      renderTrendChart([clusterTrend('new', [], END)], { width: 640, height: 360 }),
    );

    const image = decodePng(png);
    expect([image.width, image.height]).toEqual([640, 360]);
    // The centre of the plot holds the text, in the font kubeguard ships.
    expect(darkPixels(image, { left: 100, top: 160, right: 300, bottom: 200 }, 150)).toBeGreaterThan(150);
  });

  it('refuses a font file that is missing rather than drawing a chart without text', () => {
    expect(() => createResvgRasterizer({ fontFile: '/nonexistent/font.ttf' })).toThrow(
      "the digest chart's font file /nonexistent/font.ttf does not exist; the bundle must copy adapters/chart/fonts",
    );
  });
});
