import { performance } from 'node:perf_hooks';
import { createResvgRasterizer } from '../../adapters/chart/png.ts';
import { renderTrendChart } from '../../core/digest/chart.ts';
import { gatherDigest } from '../../core/digest/gather.ts';
import { periodEndingAt } from '../../core/digest/schedule.ts';
import { staticDigestSources } from '../../core/digest/sources.ts';
import { buildDigestMessage } from '../../core/slack-views/digest.ts';
import { dailyHistory, finding, statusOutcome } from '../../test/support/digest-data.ts';
import { type BenchSuite, type Figure, verdict } from '../figure.ts';

/**
 * A weekly digest of 50 clusters with 12 weeks of daily audits each (4,250 history entries), 40
 * findings and 20 audit-trail records per cluster: the time to build its figures and Slack message
 * from data in hand (the store reads are the tables' own latency), and to draw and rasterize the chart
 * (the first rasterization compiles resvg's WebAssembly, as a cold digest function does).
 */
const CLUSTERS = 50;
const END = '2026-12-07T09:00:00.000Z';
const BUILD_TARGET_MS = 2000;
const CHART_TARGET_MS = 2000;

export const suite: BenchSuite = {
  name: 'digest',
  run: async () => {
    const names = Array.from({ length: CLUSTERS }, (_, index) => `cluster-${String(index).padStart(2, '0')}`);
    const history = names.flatMap((name, index) =>
      dailyHistory(name, END, 84, (day) => (40 + index + Math.floor(day / 7) + (day % 5)) % 101),
    );
    const findings = names.flatMap((name, index) =>
      Array.from({ length: 40 }, (_, n) =>
        finding({
          fingerprint: `${index.toString(16).padStart(2, '0')}${n.toString(16).padStart(30, '0')}`,
          cluster: name,
          severity: (['low', 'medium', 'high', 'critical'] as const)[n % 4] ?? 'low',
          firstSeen: new Date(Date.parse(END) - (n + 1) * 3_600_000 * 5).toISOString(),
          changes:
            n % 3 === 0
              ? [['acknowledged', new Date(Date.parse(END) - n * 3_600_000 * 5).toISOString()]]
              : [],
          occurrences: n,
          quiet: n % 4 === 0,
        }),
      ),
    );
    const trail = findings
      .filter((_, n) => n % 2 === 0)
      .map((f, n) =>
        statusOutcome(
          `r${n}`,
          f.history.at(-1)?.at ?? END,
          `U0PERSON${n % 7}`,
          f.detection.cluster ?? '',
          f.fingerprint,
          'ack',
          'open',
          'acknowledged',
        ),
      );
    const sources = staticDigestSources({ history, findings, trail });
    const period = periodEndingAt('weekly', END);

    const buildStart = performance.now();
    const content = await gatherDigest(sources, period, { clusters: names, suppressions: [] });
    buildDigestMessage(content, { chart: true });
    const buildMs = performance.now() - buildStart;

    const rasterizer = createResvgRasterizer();
    const coldStart = performance.now();
    await rasterizer.png(renderTrendChart(content.clusters));
    const coldMs = performance.now() - coldStart;
    const warmStart = performance.now();
    const chart = renderTrendChart(content.clusters);
    await rasterizer.png(chart);
    const warmMs = performance.now() - warmStart;

    const figures: Figure[] = [
      {
        name: `digest build, ${CLUSTERS} clusters × 12 weeks (figures + message)`,
        value: Math.round(buildMs),
        unit: 'ms',
        target: verdict(`< ${BUILD_TARGET_MS} ms`, buildMs < BUILD_TARGET_MS),
      },
      {
        name: 'digest chart, first (WebAssembly compile + SVG + PNG)',
        value: Math.round(coldMs),
        unit: 'ms',
        target: verdict(`< ${CHART_TARGET_MS} ms`, coldMs < CHART_TARGET_MS),
      },
      { name: 'digest chart, warm (SVG + PNG)', value: Math.round(warmMs), unit: 'ms', target: '' },
      { name: 'digest chart SVG size', value: Math.round(chart.svg.length / 1024), unit: 'KB', target: '' },
    ];
    return figures;
  },
};
