import type { AuditTrailStore } from './ports.ts';
import type { AuditRecord } from './record.ts';

/**
 * The audit trail as JSON Lines, for compliance evidence: one record per line, fields in a fixed
 * order (absent ones left out), oldest first. Used by the bot and the CLI alike.
 */
const FIELD_ORDER: readonly (keyof AuditRecord)[] = [
  'at',
  'id',
  'requestId',
  'type',
  'actor',
  'team',
  'kind',
  'source',
  'cluster',
  'finding',
  'target',
  'plan',
  'result',
  'detail',
  'reason',
  'role',
];

/** One record as one JSON line (no newline). */
export function auditRecordLine(record: AuditRecord): string {
  const ordered: Record<string, unknown> = {};
  for (const field of FIELD_ORDER) {
    const value = record[field];
    if (value !== undefined) ordered[field] = value;
  }
  return JSON.stringify(ordered);
}

/** Records as JSON Lines: each line ends with a newline; no records, no text. */
export function toJsonLines(records: readonly AuditRecord[]): string {
  return records.map((record) => `${auditRecordLine(record)}\n`).join('');
}

/** Every record of a time range as JSON Lines, page by page, without holding the whole trail. */
export async function* exportAuditTrail(
  store: AuditTrailStore,
  range: { from: string; to: string },
  pageSize = 500,
): AsyncGenerator<string> {
  let cursor: string | undefined;
  do {
    const page = await store.byTime({
      ...range,
      limit: pageSize,
      ...(cursor === undefined ? {} : { cursor }),
    });
    if (page.records.length > 0) yield toJsonLines(page.records);
    cursor = page.cursor;
  } while (cursor !== undefined);
}
