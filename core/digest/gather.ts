import type { Suppression } from '../detection/config.ts';
import { buildDigest, type ClusterInput, type DigestContent, type DigestPeriodRange } from './content.ts';
import type { DigestSources } from './ports.ts';
import { TREND_WEEKS } from './trend.ts';

/** History entries read per cluster: 12 weeks of daily audits and a margin for extra runs. */
export const HISTORY_ENTRIES = TREND_WEEKS * 7 + 36;
/** Findings read per cluster; more are counted as a partial figure (the digest says so). */
export const FINDINGS_PER_CLUSTER = 2000;

export interface GatherOptions {
  /** The clusters the digest covers. */
  clusters: readonly string[];
  suppressions: readonly Suppression[];
}

/** Reads what a digest of `period` over `clusters` needs, then builds it (content.ts). */
export async function gatherDigest(
  sources: DigestSources,
  period: DigestPeriodRange,
  options: GatherOptions,
): Promise<DigestContent> {
  const [clusters, findings, trail, imagesNotRunning] = await Promise.all([
    Promise.all(
      options.clusters.map(async (name): Promise<ClusterInput> => {
        const [history, facts] = await Promise.all([
          sources.history(name, HISTORY_ENTRIES),
          sources.postureFacts(name),
        ]);
        return facts === undefined ? { name, history } : { name, history, facts };
      }),
    ),
    Promise.all(options.clusters.map((name) => sources.findings(name, FINDINGS_PER_CLUSTER))),
    sources.trail({ from: period.from, to: period.to }),
    sources.vulnerableImagesNotRunning?.({ from: period.from, to: period.to }),
  ]);
  return buildDigest({
    period,
    clusters,
    findings: findings.flatMap((listing) => listing.findings),
    findingsTruncated: findings.some((listing) => listing.truncated),
    trail,
    suppressions: options.suppressions,
    ...(imagesNotRunning === undefined ? {} : { vulnerableImagesNotRunning: imagesNotRunning }),
  });
}
