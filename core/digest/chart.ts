import type { ClusterTrend } from './trend.ts';

/**
 * The 12-week posture chart as SVG, written by hand (decision D46): one line per cluster on a 0–100
 * axis, a gap where a week had no audit, a legend with each cluster's latest score. More than
 * MAX_LINES clusters: the lowest-scoring ones are drawn and the rest become one "others (mean)"
 * line. No audited cluster at all: the axes and "No audit yet" — never an empty picture. Text uses
 * one font family the rasterizer is given (adapters/chart/png.ts); every label is XML-escaped.
 */
export interface TrendChart {
  svg: string;
  width: number;
  height: number;
  /** What the chart shows, in words (Slack's alt text). */
  altText: string;
}

export interface ChartOptions {
  /** @default 960 */
  width?: number;
  /** @default 540 */
  height?: number;
  /** @default 'Posture score, last 12 weeks' */
  title?: string;
}

export const CHART_FONT_FAMILY = 'Roboto';
export const MAX_LINES = 8;
/** Okabe–Ito: distinguishable with the common colour-vision deficiencies. */
const PALETTE = ['#D55E00', '#0072B2', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];
const OTHERS_COLOR = '#888888';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const LEGEND_NAME_CAP = 26;

interface Series {
  label: string;
  color: string;
  scores: (number | null)[];
  latest?: number;
}

export function renderTrendChart(trends: readonly ClusterTrend[], options: ChartOptions = {}): TrendChart {
  const width = options.width ?? 960;
  const height = options.height ?? 540;
  const title = options.title ?? 'Posture score, last 12 weeks';
  const plot = { left: 56, top: 56, right: width - 250, bottom: height - 56 };
  const weekEnds = trends[0]?.weeks.map((week) => week.weekEnd) ?? [];
  const audited = trends.filter((trend) => trend.weeks.some((week) => week.score !== null));
  const series = seriesOf(audited);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${CHART_FONT_FAMILY}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${plot.left}" y="32" font-size="20" fill="#1d1c1d">${escapeXml(title)}</text>`,
  ];
  const y = (score: number) =>
    plot.bottom - (Math.max(0, Math.min(100, score)) / 100) * (plot.bottom - plot.top);
  const x = (index: number) =>
    weekEnds.length <= 1
      ? (plot.left + plot.right) / 2
      : plot.left + (index / (weekEnds.length - 1)) * (plot.right - plot.left);
  for (const tick of [0, 25, 50, 75, 100]) {
    parts.push(
      `<line x1="${plot.left}" y1="${fixed(y(tick))}" x2="${plot.right}" y2="${fixed(y(tick))}" stroke="#dddddd" stroke-width="1"/>`,
      `<text x="${plot.left - 8}" y="${fixed(y(tick) + 5)}" font-size="14" text-anchor="end" fill="#616061">${tick}</text>`,
    );
  }
  weekEnds.forEach((weekEnd, index) => {
    if (weekEnds.length > 6 && index % 2 === 1 && index !== weekEnds.length - 1) return;
    parts.push(
      `<text x="${fixed(x(index))}" y="${plot.bottom + 24}" font-size="13" text-anchor="middle" fill="#616061">${escapeXml(dayLabel(weekEnd))}</text>`,
    );
  });
  if (series.length === 0) {
    parts.push(
      `<text x="${fixed((plot.left + plot.right) / 2)}" y="${fixed((plot.top + plot.bottom) / 2)}" font-size="24" text-anchor="middle" fill="#616061">No audit yet</text>`,
    );
  }
  for (const line of series) {
    for (const segment of segments(line.scores)) {
      if (segment.length > 1) {
        const points = segment.map(([index, score]) => `${fixed(x(index))},${fixed(y(score))}`).join(' ');
        parts.push(`<polyline points="${points}" fill="none" stroke="${line.color}" stroke-width="2.5"/>`);
      }
      for (const [index, score] of segment) {
        parts.push(`<circle cx="${fixed(x(index))}" cy="${fixed(y(score))}" r="3.5" fill="${line.color}"/>`);
      }
    }
  }
  const legendX = plot.right + 24;
  series.forEach((line, index) => {
    const top = plot.top + index * 26;
    const latest = line.latest === undefined ? '' : ` ${line.latest}`;
    parts.push(
      `<rect x="${legendX}" y="${top}" width="14" height="14" fill="${line.color}"/>`,
      `<text x="${legendX + 22}" y="${top + 12}" font-size="14" fill="#1d1c1d">${escapeXml(cap(line.label) + latest)}</text>`,
    );
  });
  const unaudited = trends.length - audited.length;
  if (unaudited > 0 && series.length > 0) {
    parts.push(
      `<text x="${legendX}" y="${plot.top + series.length * 26 + 16}" font-size="13" fill="#616061">${unaudited} without an audit yet</text>`,
    );
  }
  parts.push('</svg>');
  return { svg: parts.join(''), width, height, altText: altTextOf(trends, series) };
}

function seriesOf(audited: readonly ClusterTrend[]): Series[] {
  const byAttention = [...audited].sort(
    (a, b) => (a.latest?.score ?? 101) - (b.latest?.score ?? 101) || a.cluster.localeCompare(b.cluster),
  );
  const shown = audited.length <= MAX_LINES ? byAttention : byAttention.slice(0, MAX_LINES - 1);
  const series: Series[] = shown.map((trend, index) => ({
    label: trend.cluster,
    color: PALETTE[index % PALETTE.length] as string,
    scores: trend.weeks.map((week) => week.score),
    ...(trend.latest === undefined ? {} : { latest: trend.latest.score }),
  }));
  const rest = byAttention.slice(shown.length);
  if (rest.length > 0) {
    const weeks = rest[0]?.weeks.length ?? 0;
    const scores = Array.from({ length: weeks }, (_, index) => {
      const values = rest.flatMap((trend) => {
        const score = trend.weeks[index]?.score;
        return score === null || score === undefined ? [] : [score];
      });
      return values.length === 0
        ? null
        : Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 10) / 10;
    });
    const latest = scores.filter((score): score is number => score !== null).at(-1);
    series.push({
      label: `${rest.length} others (mean)`,
      color: OTHERS_COLOR,
      scores,
      ...(latest === undefined ? {} : { latest }),
    });
  }
  return series;
}

/** Runs of consecutive weeks with a score: [week index, score][]. */
function segments(scores: readonly (number | null)[]): [number, number][][] {
  const runs: [number, number][][] = [];
  let run: [number, number][] = [];
  scores.forEach((score, index) => {
    if (score === null || !Number.isFinite(score)) {
      if (run.length > 0) runs.push(run);
      run = [];
    } else run.push([index, score]);
  });
  if (run.length > 0) runs.push(run);
  return runs;
}

function altTextOf(trends: readonly ClusterTrend[], series: readonly Series[]): string {
  if (series.length === 0) return `Posture score chart: no audit yet for ${trends.length} clusters.`;
  const lines = series.map((line) => `${line.label} ${line.latest ?? 'no score'}`).join(', ');
  return `Posture score per cluster over 12 weeks; latest: ${lines}.`.slice(0, 1900);
}

/** `Dec 7` in UTC: the week's end. */
function dayLabel(iso: string): string {
  const at = new Date(Date.parse(iso));
  return Number.isNaN(at.getTime()) ? '' : `${MONTHS[at.getUTCMonth()]} ${at.getUTCDate()}`;
}

function cap(text: string): string {
  return text.length <= LEGEND_NAME_CAP ? text : `${text.slice(0, LEGEND_NAME_CAP - 1)}…`;
}

function fixed(value: number): string {
  return Number.isFinite(value) ? String(Math.round(value * 10) / 10) : '0';
}

/** Text and attribute values in SVG: the five XML specials; control characters dropped. */
export function escapeXml(text: string): string {
  return (
    text
      // biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 forbids these characters.
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}
