import type { AuditRecord } from '../audit-trail/record.ts';
import type { Suppression } from '../detection/config.ts';
import type { StoredFinding } from '../findings/stored-finding.ts';
import type { AuditHistoryEntry } from '../posture/history.ts';
import {
  type ActiveSuppression,
  activeSuppressions,
  type FindingsSummary,
  findingsSummary,
  type NoisyRule,
  noisyRules,
} from './findings-summary.ts';
import type { GuardDutyGap, PostureFacts, PostureRisk } from './posture-facts.ts';
import { type ActionsSummary, actionsSummary, type ResponseTimes, responseTimes } from './response-times.ts';
import { type ClusterTrend, clusterTrend, type Headline, headlineOf } from './trend.ts';

/**
 * One digest, as data: what the Slack view, the chart and `kubeguard render digest` show. Pure: it
 * is built from what DigestSources read (gather.ts) and the period (schedule.ts).
 */
export interface DigestPeriodRange {
  frequency: 'weekly' | 'daily';
  /** ISO-8601, inclusive. */
  from: string;
  /** ISO-8601, exclusive: the digest's instant. */
  to: string;
  /** The end of the next period: suppressions ending before it are "expiring". */
  nextTo: string;
}

export interface ClusterInput {
  name: string;
  history: readonly AuditHistoryEntry[];
  facts?: PostureFacts;
}

export interface DigestInput {
  period: DigestPeriodRange;
  /** All = every configured cluster; otherwise the subscription's one cluster. */
  clusters: readonly ClusterInput[];
  findings: readonly StoredFinding[];
  /** The stores held more findings than were read: the counts are a lower bound. */
  findingsTruncated?: boolean;
  trail: readonly AuditRecord[];
  suppressions: readonly Suppression[];
  /** Images with active Inspector findings last seen running nowhere in the period. @default not shown */
  vulnerableImagesNotRunning?: number;
}

export interface ClusterRisk extends PostureRisk {
  cluster: string;
}

export interface ClusterGuardDutyGap extends GuardDutyGap {
  cluster: string;
}

export interface DigestContent {
  period: DigestPeriodRange;
  headline: Headline;
  /** Lowest score first (what needs attention), clusters without an audit last, then by name. */
  clusters: ClusterTrend[];
  findings: FindingsSummary;
  findingsTruncated: boolean;
  response: ResponseTimes;
  actions: ActionsSummary;
  suppressions: ActiveSuppression[];
  /** Top 5 over the covered clusters. */
  risks: ClusterRisk[];
  guardDutyGaps: ClusterGuardDutyGap[];
  noisyRules: NoisyRule[];
  /** Vulnerable images no configured cluster runs (no alert: counted here); absent when not known. */
  vulnerableImagesNotRunning?: number;
}

const SEVERITY_RANK = { critical: 0, high: 1, medium: 2, low: 3 } as const;
export const TOP_RISKS = 5;

export function buildDigest(input: DigestInput): DigestContent {
  const { period } = input;
  const names = new Set(input.clusters.map((cluster) => cluster.name));
  const findings = input.findings.filter(
    (finding) => finding.detection.cluster === undefined || names.has(finding.detection.cluster),
  );
  const fingerprints = new Set(findings.map((finding) => finding.fingerprint));
  // A record names its cluster, or (older records) only its finding.
  const trail = input.trail.filter((record) =>
    record.cluster === undefined
      ? record.finding === undefined || fingerprints.has(record.finding)
      : names.has(record.cluster),
  );
  const trends = input.clusters.map((cluster) => clusterTrend(cluster.name, cluster.history, period.to));
  const range = { from: period.from, to: period.to };
  return {
    period,
    headline: headlineOf(trends),
    clusters: trends.sort(attentionOrder),
    findings: findingsSummary(findings, range),
    findingsTruncated: input.findingsTruncated === true,
    response: responseTimes(findings, trail, range),
    actions: actionsSummary(trail, range, names),
    suppressions: activeSuppressions(input.suppressions, findings, names, period.to, period.nextTo),
    risks: input.clusters
      .flatMap((cluster) => (cluster.facts?.risks ?? []).map((risk) => ({ ...risk, cluster: cluster.name })))
      .sort(
        (a, b) =>
          SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
          a.cluster.localeCompare(b.cluster) ||
          a.checkId.localeCompare(b.checkId),
      )
      .slice(0, TOP_RISKS),
    guardDutyGaps: input.clusters.flatMap((cluster) =>
      (cluster.facts?.guardDutyGaps ?? []).map((gap) => ({ ...gap, cluster: cluster.name })),
    ),
    noisyRules: noisyRules(findings, range),
    ...(input.vulnerableImagesNotRunning === undefined
      ? {}
      : { vulnerableImagesNotRunning: input.vulnerableImagesNotRunning }),
  };
}

function attentionOrder(a: ClusterTrend, b: ClusterTrend): number {
  if (a.latest === undefined || b.latest === undefined) {
    return (
      Number(a.latest === undefined) - Number(b.latest === undefined) || a.cluster.localeCompare(b.cluster)
    );
  }
  return a.latest.score - b.latest.score || a.cluster.localeCompare(b.cluster);
}
