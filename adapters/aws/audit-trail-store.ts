import {
  type AuditPage,
  type AuditTimeQuery,
  type AuditTrailStore,
  checkAuditRange,
} from '../../core/audit-trail/ports.ts';
import type { AuditRecord } from '../../core/audit-trail/record.ts';
import { KubeguardError } from '../../core/errors.ts';
import {
  ConditionalCheckFailedException,
  type DynamoDBDocumentClient,
  GetCommand,
  type Item,
  PutCommand,
  QueryCommand,
} from './dynamo-document.ts';
import { FINDINGS_TABLE } from './findings-table.ts';

/**
 * The audit trail in the kubeguard table (core/audit-trail/ports.ts). Three items per record, each
 * a single-item write (so it runs on dynalite):
 *
 * - `AUDITREC#<id>` / `RECORD`: the record itself, written only if absent — the first write of an
 *   id wins, and a retry with a later time reuses the stored record;
 * - `AUDIT#<yyyy-mm-dd>` / `<at>#<id>`: the day's partition, for queries by time;
 * - `AUDITF#<fingerprint>` / `<at>#<id>`: the finding's partition, for queries by finding.
 *
 * The listing items are plain puts of the stored record, so a crash between the writes is repaired by
 * the retry. Records do not expire (compliance evidence): no TTL attribute is set.
 */
export interface DynamoAuditTrailOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

const DEFAULT_LIMIT = 100;
const { partitionKey: PK, sortKey: SK } = FINDINGS_TABLE;

const recordKey = (id: string) => ({ [PK]: `AUDITREC#${id}`, [SK]: 'RECORD' });
const dayPartition = (day: string) => `AUDIT#${day}`;
const findingPartition = (fingerprint: string) => `AUDITF#${fingerprint}`;

export class DynamoAuditTrailStore implements AuditTrailStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: DynamoAuditTrailOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async append(record: AuditRecord): Promise<void> {
    const stored = await this.#storeOnce(record);
    const sortKey = sortKeyOf(stored);
    const body = JSON.stringify(stored);
    const writes = [this.#put({ [PK]: dayPartition(sortKey.slice(0, 10)), [SK]: sortKey, body })];
    if (stored.finding !== undefined) {
      writes.push(this.#put({ [PK]: findingPartition(stored.finding), [SK]: sortKey, body }));
    }
    await Promise.all(writes);
  }

  async byFinding(fingerprint: string, limit = DEFAULT_LIMIT): Promise<AuditRecord[]> {
    const result = await this.#query('listing a finding’s records', {
      TableName: this.#tableName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': PK },
      ExpressionAttributeValues: { ':pk': findingPartition(fingerprint) },
      ScanIndexForward: false,
      Limit: limit,
    });
    return result.items.map(recordOf).reverse();
  }

  async byTime(query: AuditTimeQuery): Promise<AuditPage> {
    checkAuditRange(query);
    const from = isoOf(query.from, 'from');
    const to = isoOf(query.to, 'to');
    const limit = query.limit ?? DEFAULT_LIMIT;
    const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const records: AuditRecord[] = [];
    // One more than a page: whether there is a next page is known without a cursor that leads nowhere.
    for (const day of daysBetween(cursor?.day ?? from.slice(0, 10), to)) {
      let startKey: Item | undefined =
        cursor !== undefined && day === cursor.day
          ? { [PK]: dayPartition(day), [SK]: cursor.key }
          : undefined;
      do {
        const page = await this.#query('listing records by time', {
          TableName: this.#tableName,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
          ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
          ExpressionAttributeValues: { ':pk': dayPartition(day), ':from': from, ':to': to },
          Limit: limit + 1 - records.length,
          ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
        });
        records.push(...page.items.map(recordOf));
        startKey = page.next;
      } while (startKey !== undefined && records.length <= limit);
      if (records.length > limit) break;
    }
    if (records.length <= limit) return { records };
    const shown = records.slice(0, limit);
    const last = shown.at(-1) as AuditRecord;
    const key = sortKeyOf(last);
    return { records: shown, cursor: encodeCursor({ day: key.slice(0, 10), key }) };
  }

  /** Writes the record item if absent; the stored record either way. */
  async #storeOnce(record: AuditRecord): Promise<AuditRecord> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: { ...recordKey(record.id), type: 'AUDIT_RECORD', body: JSON.stringify(record) },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': PK },
        }),
      );
      return record;
    } catch (error) {
      if (!isConditionFailure(error)) throw storeError('writing a record', error);
    }
    try {
      const { Item } = await this.#client.send(
        new GetCommand({ TableName: this.#tableName, Key: recordKey(record.id), ConsistentRead: true }),
      );
      return Item === undefined ? record : recordOf(Item);
    } catch (error) {
      throw storeError('reading a record', error);
    }
  }

  async #put(item: Item): Promise<void> {
    try {
      await this.#client.send(new PutCommand({ TableName: this.#tableName, Item: item }));
    } catch (error) {
      throw storeError('indexing a record', error);
    }
  }

  async #query(
    what: string,
    input: ConstructorParameters<typeof QueryCommand>[0],
  ): Promise<{ items: Item[]; next?: Item }> {
    try {
      const result = await this.#client.send(new QueryCommand(input));
      return {
        items: result.Items ?? [],
        ...(result.LastEvaluatedKey === undefined ? {} : { next: result.LastEvaluatedKey }),
      };
    } catch (error) {
      throw storeError(what, error);
    }
  }
}

function recordOf(item: Item): AuditRecord {
  return JSON.parse(String(item.body)) as AuditRecord;
}

/** `<at as canonical ISO>#<id>`: time order, the id breaking ties. */
function sortKeyOf(record: AuditRecord): string {
  return `${isoOf(record.at, 'at')}#${record.id}`;
}

function isoOf(value: string, what: string): string {
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) {
    throw new KubeguardError(
      'INVALID_ARGUMENT',
      `audit trail: ${what} must be ISO-8601; received ${JSON.stringify(value)}`,
    );
  }
  return new Date(ms).toISOString();
}

/** UTC days from `firstDay` to the day of the instant before `toIso`, inclusive. */
function* daysBetween(firstDay: string, toIso: string): Generator<string> {
  const last = new Date(Date.parse(toIso) - 1).toISOString().slice(0, 10);
  for (let day = Date.parse(`${firstDay}T00:00:00.000Z`); ; day += 86_400_000) {
    const name = new Date(day).toISOString().slice(0, 10);
    if (name > last) return;
    yield name;
  }
}

function encodeCursor(cursor: { day: string; key: string }): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

function decodeCursor(text: string): { day: string; key: string } {
  try {
    const { day, key } = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    if (
      typeof day === 'string' &&
      /^\d{4}-\d\d-\d\d$/.test(day) &&
      typeof key === 'string' &&
      key.startsWith(day)
    ) {
      return { day, key };
    }
  } catch {
    // Reported below.
  }
  throw new KubeguardError('INVALID_ARGUMENT', 'audit trail cursor is not one this store returned');
}

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'ConditionalCheckFailedException')
  );
}

function storeError(operation: string, error: unknown): KubeguardError {
  return new KubeguardError('UPSTREAM', `audit trail: ${operation} failed`, { cause: error });
}
