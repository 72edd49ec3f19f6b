import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { KubeguardError } from '../../core/errors.ts';
import type { FindingStore, RecordResult } from '../../core/findings/ports.ts';
import type { StoredFinding } from '../../core/findings/stored-finding.ts';
import type { Detection } from '../../core/model/detection.ts';
import { FINDINGS_TABLE } from './findings-table.ts';

/** Occurrence items expire after this long (they only serve deduplication and the storm record). */
const OCCURRENCE_TTL_SECONDS = 90 * 24 * 3600;
const PENDING = 'PENDING';
const WRITE_CONCURRENCY = 16;
const MAX_SAVE_ATTEMPTS = 20;

export interface DynamoFindingStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** Seconds since the epoch, for occurrence expiry. */
  nowSeconds: () => number;
}

const findingKey = (fingerprint: string) => ({ pk: `FINDING#${fingerprint}`, sk: 'FINDING' });
const occurrenceKey = (fingerprint: string, eventId: string) => ({
  pk: `FINDING#${fingerprint}`,
  sk: `OCC#${eventId}`,
});

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'ConditionalCheckFailedException')
  );
}

function storeError(operation: string, error: unknown): KubeguardError {
  return new KubeguardError('UPSTREAM', `findings store: ${operation} failed`, { cause: error });
}

/** Runs `task` over `items` with at most `limit` in flight. */
async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Keeps, per event id, the newest revision (GuardDuty redelivers a finding id with higher counts). */
function newestPerEvent(detections: readonly Detection[]): Detection[] {
  const byEvent = new Map<string, Detection>();
  for (const detection of detections) {
    const seen = byEvent.get(detection.eventId);
    const newer =
      seen === undefined ||
      detection.count > seen.count ||
      (detection.updatedAt ?? '') > (seen.updatedAt ?? '');
    if (newer) byEvent.set(detection.eventId, detection);
  }
  return [...byEvent.values()];
}

/**
 * FindingStore on DynamoDB with single-item conditional writes (no transactions, so it runs on
 * dynalite too). Each occurrence item remembers how much of it the finding already counts
 * (`appliedCount`): an occurrence stored but not yet applied — the function crashed in between —
 * is applied on redelivery instead of being mistaken for a duplicate. Nothing is lost, nothing
 * counts twice.
 */
export class DynamoFindingStore implements FindingStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #nowSeconds: () => number;

  constructor(options: DynamoFindingStoreOptions) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#nowSeconds = options.nowSeconds;
  }

  async recordOccurrences(
    fingerprint: string,
    detections: readonly Detection[],
    update: (current: StoredFinding | undefined, added: readonly Detection[]) => StoredFinding,
  ): Promise<RecordResult> {
    const added: Detection[] = [];
    await eachLimited(newestPerEvent(detections), WRITE_CONCURRENCY, async (detection) => {
      const delta = await this.#claimOccurrence(fingerprint, detection);
      if (delta !== undefined) added.push({ ...detection, count: delta });
    });
    if (added.length === 0) {
      const current = await this.get(fingerprint);
      if (current !== undefined) return { finding: current, created: false, added };
    }
    const { finding, created } = await this.#applyToFinding(fingerprint, added, update);
    await eachLimited(added, WRITE_CONCURRENCY, (detection) => this.#markApplied(fingerprint, detection));
    return { finding, created, added };
  }

  /** Stores the occurrence; returns how many occurrences it adds, or undefined for a duplicate. */
  async #claimOccurrence(fingerprint: string, detection: Detection): Promise<number | undefined> {
    const count = Math.max(1, detection.count);
    try {
      const result = await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: occurrenceKey(fingerprint, detection.eventId),
          UpdateExpression:
            'SET #count = :count, #updatedAt = :updatedAt, #ruleId = :ruleId, #expiresAt = :expiresAt',
          ConditionExpression:
            'attribute_not_exists(pk) OR #applied < :count OR #updatedAt < :updatedAt OR attribute_not_exists(#applied)',
          ExpressionAttributeNames: {
            '#count': 'count',
            '#updatedAt': 'updatedAt',
            '#ruleId': 'ruleId',
            '#expiresAt': FINDINGS_TABLE.ttlAttribute,
            '#applied': 'appliedCount',
          },
          ExpressionAttributeValues: {
            ':count': count,
            ':updatedAt': detection.updatedAt ?? detection.lastSeen,
            ':ruleId': detection.ruleId,
            ':expiresAt': this.#nowSeconds() + OCCURRENCE_TTL_SECONDS,
          },
          ReturnValues: 'ALL_OLD',
        }),
      );
      const applied = Number(result.Attributes?.appliedCount ?? 0);
      return Math.max(0, count - applied);
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw storeError('storing an occurrence', error);
    }
  }

  async #markApplied(fingerprint: string, detection: Detection): Promise<void> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: occurrenceKey(fingerprint, detection.eventId),
          UpdateExpression: 'SET appliedCount = #count',
          ExpressionAttributeNames: { '#count': 'count' },
        }),
      );
    } catch (error) {
      throw storeError('marking an occurrence applied', error);
    }
  }

  async #applyToFinding(
    fingerprint: string,
    added: readonly Detection[],
    update: (current: StoredFinding | undefined, added: readonly Detection[]) => StoredFinding,
  ): Promise<{ finding: StoredFinding; created: boolean }> {
    for (let attempt = 0; attempt < MAX_SAVE_ATTEMPTS; attempt += 1) {
      const current = await this.get(fingerprint);
      const next = update(current, added);
      if (await this.#write(next, current?.version)) return { finding: next, created: current === undefined };
    }
    throw new KubeguardError(
      'CONFLICT',
      `findings store: finding ${fingerprint} kept changing; gave up after ${MAX_SAVE_ATTEMPTS} attempts`,
    );
  }

  async get(fingerprint: string): Promise<StoredFinding | undefined> {
    try {
      const result = await this.#client.send(
        new GetCommand({ TableName: this.#table, Key: findingKey(fingerprint), ConsistentRead: true }),
      );
      if (result.Item === undefined) return undefined;
      return {
        ...(JSON.parse(String(result.Item.body)) as StoredFinding),
        version: Number(result.Item.version),
      };
    } catch (error) {
      throw storeError('reading a finding', error);
    }
  }

  async save(finding: StoredFinding): Promise<boolean> {
    return this.#write(finding, finding.version - 1 === 0 ? undefined : finding.version - 1);
  }

  /** Conditional put: the item must not exist (new finding) or must still be at `expectedVersion`. */
  async #write(finding: StoredFinding, expectedVersion: number | undefined): Promise<boolean> {
    const { version, ...body } = finding;
    const pending = finding.delivery.state === 'pending';
    const item: Record<string, unknown> = {
      ...findingKey(finding.fingerprint),
      version,
      status: finding.status,
      lastSeen: finding.lastSeen,
      body: JSON.stringify(body),
    };
    if (pending) {
      item[FINDINGS_TABLE.pendingIndex.partitionKey] = PENDING;
      item[FINDINGS_TABLE.pendingIndex.sortKey] = finding.delivery.nextAttemptAt ?? finding.lastSeen;
    }
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: item,
          ConditionExpression:
            expectedVersion === undefined ? 'attribute_not_exists(pk)' : 'version = :expected',
          ExpressionAttributeValues:
            expectedVersion === undefined ? undefined : { ':expected': expectedVersion },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw storeError('writing a finding', error);
    }
  }

  async listPendingDeliveries(dueBy: string, limit: number): Promise<StoredFinding[]> {
    const { name, partitionKey, sortKey } = FINDINGS_TABLE.pendingIndex;
    let keys: Record<string, unknown>[];
    try {
      const result = await this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          IndexName: name,
          KeyConditionExpression: '#p = :pending AND #s <= :dueBy',
          ExpressionAttributeNames: { '#p': partitionKey, '#s': sortKey },
          ExpressionAttributeValues: { ':pending': PENDING, ':dueBy': dueBy },
          Limit: limit,
        }),
      );
      keys = result.Items ?? [];
    } catch (error) {
      throw storeError('listing pending deliveries', error);
    }
    const findings = await Promise.all(keys.map((key) => this.get(String(key.pk).slice('FINDING#'.length))));
    return findings.filter((f): f is StoredFinding => f !== undefined && f.delivery.state === 'pending');
  }
}
