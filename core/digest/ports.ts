import type { AuditRecord } from '../audit-trail/record.ts';
import type { StoredFinding } from '../findings/stored-finding.ts';
import type { AuditHistoryEntry } from '../posture/history.ts';
import type { PostureFacts } from './posture-facts.ts';

/**
 * What building a digest reads, each a narrow port implemented over the stores that already exist
 * (adapters/digest-sources.ts for the deployed stores; the CLI builds them from a history file).
 */
export interface DigestSources {
  /** The newest `limit` audit history entries of the cluster (AuditHistoryStore.latest). */
  history(cluster: string, limit: number): Promise<readonly AuditHistoryEntry[]>;
  /**
   * The cluster's findings, most recently seen first, at most `limit` (FindingLister); `truncated`
   * when the store held more (the digest says its figures are partial then).
   */
  findings(
    cluster: string,
    limit: number,
  ): Promise<{ findings: readonly StoredFinding[]; truncated: boolean }>;
  /** Audit-trail records with `from <= at < to`, oldest first (AuditTrailStore.byTime, every page). */
  trail(range: { from: string; to: string }): Promise<readonly AuditRecord[]>;
  /** The top risks and GuardDuty gaps of the cluster's latest posture audit; undefined before one ran. */
  postureFacts(cluster: string): Promise<PostureFacts | undefined>;
  /**
   * How many images with active Inspector findings were last seen running in no configured cluster
   * with `from <= seen < to` (core/supply-chain/not-running.ts). Absent: not shown.
   */
  vulnerableImagesNotRunning?(range: { from: string; to: string }): Promise<number>;
}

/** Where the posture audit leaves the facts of its latest report for the digests. */
export interface PostureFactsStore {
  /** Replaces the cluster's facts unless newer ones (a later `takenAt`) are stored already. */
  put(facts: PostureFacts): Promise<void>;
  latest(cluster: string): Promise<PostureFacts | undefined>;
}
