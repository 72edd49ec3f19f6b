import { KubeguardError } from '../errors.ts';
import type { AuditRecord } from './record.ts';

/** A page of records, oldest first, and where the next page starts (absent on the last page). */
export interface AuditPage {
  records: AuditRecord[];
  cursor?: string;
}

/** The longest range one query covers; a longer export is made in pieces. */
export const MAX_AUDIT_RANGE_DAYS = 366;

export interface AuditTimeQuery {
  /** ISO-8601, inclusive. */
  from: string;
  /** ISO-8601, exclusive; at most MAX_AUDIT_RANGE_DAYS after `from`. */
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

/** INVALID_ARGUMENT unless `from` and `to` are times at most MAX_AUDIT_RANGE_DAYS apart, in order. */
export function checkAuditRange(query: Pick<AuditTimeQuery, 'from' | 'to'>): { from: number; to: number } {
  const from = Date.parse(query.from);
  const to = Date.parse(query.to);
  if (!Number.isFinite(from) || !Number.isFinite(to)) {
    throw new KubeguardError(
      'INVALID_ARGUMENT',
      `audit trail: from and to must be ISO-8601 times; received ${JSON.stringify(query.from)} and ${JSON.stringify(query.to)}`,
    );
  }
  if (to < from || to - from > MAX_AUDIT_RANGE_DAYS * 86_400_000) {
    throw new KubeguardError(
      'INVALID_ARGUMENT',
      `audit trail: ask for a range of at most ${MAX_AUDIT_RANGE_DAYS} days, from before to; received ${query.from} to ${query.to} — export longer periods in pieces`,
    );
  }
  return { from, to };
}
