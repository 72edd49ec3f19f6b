import { type AuditHistoryEntry, newestFirst } from '../posture/history.ts';

/**
 * A cluster's posture over the digest: its score at the end of the period, the change since a week
 * before, and one point per week for the chart (a week without an audit has no point — never 0).
 */
export const TREND_WEEKS = 12;
const WEEK_MS = 7 * 86_400_000;

export interface TrendWeek {
  /** ISO-8601: the week's end (exclusive), the last one being the digest's end. */
  weekEnd: string;
  /** The score of the week's last audit; null when no audit ran that week. */
  score: number | null;
}

export interface ClusterTrend {
  cluster: string;
  /** The newest audit before the digest's end; absent = no audit yet. */
  latest?: { takenAt: string; score: number };
  /** The score as it stood a week before the end (the newest audit before then). */
  weekAgoScore?: number;
  /** Week-over-week change, rounded to one decimal; absent without both scores. */
  change?: number;
  /** TREND_WEEKS points, oldest first. */
  weeks: TrendWeek[];
}

export function clusterTrend(
  cluster: string,
  entries: readonly AuditHistoryEntry[],
  endIso: string,
  weeks = TREND_WEEKS,
): ClusterTrend {
  const end = Date.parse(endIso);
  const timed = newestFirst(entries)
    .map((entry) => ({ at: Date.parse(entry.takenAt), entry }))
    .filter(({ at, entry }) => Number.isFinite(at) && Number.isFinite(entry.score) && at < end);
  const newestBefore = (limit: number) => timed.find(({ at }) => at < limit)?.entry;
  const trend: ClusterTrend = { cluster, weeks: [] };
  for (let index = weeks - 1; index >= 0; index -= 1) {
    const weekEnd = end - index * WEEK_MS;
    const inWeek = timed.find(({ at }) => at < weekEnd && at >= weekEnd - WEEK_MS);
    trend.weeks.push({
      weekEnd: new Date(weekEnd).toISOString(),
      score: inWeek === undefined ? null : inWeek.entry.score,
    });
  }
  const latest = newestBefore(end);
  if (latest === undefined) return trend;
  trend.latest = { takenAt: latest.takenAt, score: latest.score };
  const weekAgo = newestBefore(end - WEEK_MS);
  if (weekAgo !== undefined) {
    trend.weekAgoScore = weekAgo.score;
    trend.change = roundOne(latest.score - weekAgo.score);
  }
  return trend;
}

export type Verdict = 'safer' | 'less-safe' | 'steady' | 'no-comparison' | 'no-audit';

export interface Headline {
  verdict: Verdict;
  /** Mean week-over-week change of the clusters that have one (one decimal). */
  meanChange?: number;
  improved: number;
  worsened: number;
  unchanged: number;
  /** Clusters without any audit before the end. */
  withoutAudit: number;
}

/** Safer or not this week, from the clusters' week-over-week changes. */
export function headlineOf(trends: readonly ClusterTrend[]): Headline {
  const changes = trends.flatMap((trend) => (trend.change === undefined ? [] : [trend.change]));
  const headline: Headline = {
    verdict: 'no-comparison',
    improved: changes.filter((change) => change > 0).length,
    worsened: changes.filter((change) => change < 0).length,
    unchanged: changes.filter((change) => change === 0).length,
    withoutAudit: trends.filter((trend) => trend.latest === undefined).length,
  };
  if (headline.withoutAudit === trends.length) return { ...headline, verdict: 'no-audit' };
  if (changes.length === 0) return headline;
  const mean = roundOne(changes.reduce((sum, change) => sum + change, 0) / changes.length);
  headline.meanChange = mean;
  headline.verdict = mean > 0 ? 'safer' : mean < 0 ? 'less-safe' : 'steady';
  return headline;
}

export function roundOne(value: number): number {
  const rounded = Math.round(value * 10) / 10;
  return Object.is(rounded, -0) ? 0 : rounded;
}
