import type { Detection } from '../model/detection.ts';
import type { FindingListing, FindingQuery } from './list.ts';
import type { StoredFinding } from './stored-finding.ts';

/** What recording a group of same-fingerprint detections did. */
export interface RecordResult {
  finding: StoredFinding;
  /** True when this call created the finding. */
  created: boolean;
  /** Detections that were new occurrences, each with the count it added (redelivered ones left out). */
  added: Detection[];
}

/** A finding waiting in the outbox (the store's pending index). */
export interface PendingDelivery {
  fingerprint: string;
  /** 0 (critical) … 3 (low): core/delivery/rank.ts. */
  rank: number;
  /** ISO-8601: when its delivery is due. */
  dueAt: string;
}

/**
 * The findings store. Single-item conditional writes only (DynamoDB locally is dynalite, which has
 * no transactions): occurrences are logged per event id, and the finding item — written with an
 * optimistic-lock version and the ids it counts — is the commit point (decision D16).
 */
export interface FindingStore {
  /**
   * Counts every detection (all with the same fingerprint) once per event id — a GuardDuty finding
   * id counts again only by how much a newer revision's count grew — and creates or updates the
   * finding through `update`, even when several instances record the same events at once or an
   * earlier attempt died midway.
   */
  recordOccurrences(
    fingerprint: string,
    detections: readonly Detection[],
    update: (current: StoredFinding | undefined, added: readonly Detection[]) => StoredFinding,
  ): Promise<RecordResult>;
  get(fingerprint: string): Promise<StoredFinding | undefined>;
  /**
   * Replaces the finding when its stored version is still `finding.version - 1`; returns false
   * when someone else wrote it first (the caller re-reads and re-applies its change).
   */
  save(finding: StoredFinding): Promise<boolean>;
  /**
   * Findings whose delivery is pending and due at or before `dueBy`: the most severe rank first,
   * oldest due first within a rank, at most `limit`.
   */
  listPendingDeliveries(dueBy: string, limit: number): Promise<PendingDelivery[]>;
}

/**
 * Listing findings, for the Slack bot (`/k8s findings`, `/k8s status`, a finding named by a prefix of
 * its id). A port of its own, beside FindingStore: ingest and delivery never list. Both stores
 * implement it through core/findings/list.ts, so they filter and order alike.
 */
export interface FindingLister {
  listFindings(query: FindingQuery): Promise<FindingListing>;
}
