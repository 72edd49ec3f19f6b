import type { Detection } from '../model/detection.ts';
import type { StoredFinding } from './stored-finding.ts';

/** What recording a group of same-fingerprint detections did. */
export interface RecordResult {
  finding: StoredFinding;
  /** True when this call created the finding. */
  created: boolean;
  /** Detections that were new occurrences (redelivered event ids are left out). */
  added: Detection[];
}

/**
 * The findings store. Single-item conditional writes only (DynamoDB locally is dynalite, which has
 * no transactions): occurrences are deduplicated by a conditional put per event id, and the finding
 * item is updated with an optimistic-lock version.
 */
export interface FindingStore {
  /**
   * Stores every detection (all with the same fingerprint) as an occurrence, once per event id —
   * a GuardDuty finding id counts again only when it comes back as a newer revision (higher count
   * or later updatedAt) — and creates or updates the finding through `update`.
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
  /** Findings whose delivery is pending and due at or before `dueBy`, oldest first. */
  listPendingDeliveries(dueBy: string, limit: number): Promise<StoredFinding[]>;
}
