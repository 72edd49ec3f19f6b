import {
  type AuditPage,
  type AuditTimeQuery,
  type AuditTrailStore,
  checkAuditRange,
} from '../../core/audit-trail/ports.ts';
import type { AuditRecord } from '../../core/audit-trail/record.ts';
import { KubeguardError } from '../../core/errors.ts';

const DEFAULT_LIMIT = 100;

/**
 * The audit trail in one process (local runs, tests), with the contract of
 * adapters/aws/audit-trail-store.ts (the same suite holds both): the first write of an id wins,
 * records come back oldest first, pages continue from an opaque cursor.
 */
export class InMemoryAuditTrail implements AuditTrailStore {
  readonly #records = new Map<string, AuditRecord>();

  async append(record: AuditRecord): Promise<void> {
    if (!this.#records.has(record.id)) this.#records.set(record.id, structuredClone(record));
  }

  async byFinding(fingerprint: string, limit = DEFAULT_LIMIT): Promise<AuditRecord[]> {
    return this.#sorted()
      .filter((record) => record.finding === fingerprint)
      .slice(-limit)
      .map((record) => structuredClone(record));
  }

  async byTime(query: AuditTimeQuery): Promise<AuditPage> {
    const { from, to } = checkAuditRange(query);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const matching = this.#sorted().filter((record) => {
      const at = Date.parse(record.at);
      return at >= from && at < to && (after === undefined || sortKey(record) > after);
    });
    const limit = query.limit ?? DEFAULT_LIMIT;
    const records = matching.slice(0, limit).map((record) => structuredClone(record));
    const last = records.at(-1);
    return matching.length > limit && last !== undefined
      ? { records, cursor: encodeCursor(sortKey(last)) }
      : { records };
  }

  /** Every record, oldest first (for tests). */
  all(): AuditRecord[] {
    return this.#sorted().map((record) => structuredClone(record));
  }

  #sorted(): AuditRecord[] {
    return [...this.#records.values()].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1));
  }
}

function sortKey(record: AuditRecord): string {
  return `${new Date(record.at).toISOString()}#${record.id}`;
}

function encodeCursor(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^\d{4}-\d\d-\d\dT/.test(key))
    throw new KubeguardError('INVALID_ARGUMENT', 'audit trail cursor is not one this store returned');
  return key;
}
