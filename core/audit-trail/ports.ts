import type { AuditRecord } from './record.ts';

/** A page of records, oldest first, and where the next page starts (absent on the last page). */
export interface AuditPage {
  records: AuditRecord[];
  cursor?: string;
}

export interface AuditTimeQuery {
  /** ISO-8601, inclusive. */
  from: string;
  /** ISO-8601, exclusive. */
  to: string;
  /** Records per page. @default 100 */
  limit?: number;
  cursor?: string;
}

/**
 * Where the audit trail is kept: the kubeguard table in AWS (adapters/aws/audit-trail-store.ts), memory
 * locally (adapters/local/in-memory-audit-trail.ts); one contract suite holds both.
 */
export interface AuditTrailStore {
  /**
   * Stores a record. Writing a record whose id is already stored changes nothing (the first write
   * wins), so a retried request or a redelivered queue message never adds a second record.
   */
  append(record: AuditRecord): Promise<void>;
  /** The records about one finding, oldest first (at most `limit`, the newest ones). @default 100 */
  byFinding(fingerprint: string, limit?: number): Promise<AuditRecord[]>;
  /** Records in a time range, oldest first, page by page. */
  byTime(query: AuditTimeQuery): Promise<AuditPage>;
}
