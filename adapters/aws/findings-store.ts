import { eachLimited } from '../../core/concurrency.ts';
import { DELIVERY_RANKS, deliveryRank } from '../../core/delivery/rank.ts';
import { KubeguardError } from '../../core/errors.ts';
import {
  evictionsOf,
  newestPerEvent,
  occurrenceCountOf,
  unapplied,
  withApplied,
} from '../../core/findings/applied-events.ts';
import { type FindingListing, type FindingQuery, ListingCollector } from '../../core/findings/list.ts';
import type {
  FindingLister,
  FindingStore,
  PendingDelivery,
  RecordResult,
} from '../../core/findings/ports.ts';
import type { StoredFinding } from '../../core/findings/stored-finding.ts';
import type { Detection } from '../../core/model/detection.ts';
import {
  ConditionalCheckFailedException,
  type DynamoDBDocumentClient,
  GetCommand,
  type Item,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from './dynamo-document.ts';
import { FINDINGS_TABLE, pendingPartition } from './findings-table.ts';

/** Occurrence items expire after this long (they only serve deduplication and the storm record). */
const OCCURRENCE_TTL_SECONDS = 90 * 24 * 3600;
const WRITE_CONCURRENCY = 16;
const MAX_SAVE_ATTEMPTS = 20;

export interface DynamoFindingStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** Seconds since the epoch, for occurrence expiry. */
  nowSeconds: () => number;
}

const FINDING_PREFIX = 'FINDING#';
const findingKey = (fingerprint: string) => ({ pk: `${FINDING_PREFIX}${fingerprint}`, sk: 'FINDING' });
const occurrenceKey = (fingerprint: string, eventId: string) => ({
  pk: `${FINDING_PREFIX}${fingerprint}`,
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

/**
 * FindingStore on DynamoDB with single-item conditional writes (no transactions, so it runs on
 * dynalite too). Occurrence items are the durable log of every event id; the finding item, written
 * with its optimistic version and the event ids it counts, is the commit point; an occurrence item is
 * marked applied when its id leaves the finding's recent list (decision D16). Nothing is lost, nothing counts twice — under concurrent
 * redelivery and across a crash between any two writes.
 */
export class DynamoFindingStore implements FindingStore, FindingLister {
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
    const batch = newestPerEvent(detections);
    const fullCounts = new Map(batch.map((d) => [d.eventId, occurrenceCountOf(d)]));
    // The finding is read before the log: whatever was applied before this read is either among its
    // recent ids or already marked in the log we read next (ids leave the finding only once marked).
    let current = await this.get(fingerprint);
    let logged = await this.#logOccurrences(fingerprint, batch);
    for (let attempt = 0; attempt < MAX_SAVE_ATTEMPTS; attempt += 1) {
      let added = unapplied(batch, current, logged);
      if (added.length === 0 && current !== undefined) return { finding: current, created: false, added };
      // Occurrences logged and applied, but the finding is gone (removed by hand): count them afresh.
      if (added.length === 0) added = batch;
      const { finding, evicted } = withApplied(update(current, added), current, added, fullCounts);
      await eachLimited(evicted, WRITE_CONCURRENCY, ([eventId, count]) =>
        this.#markApplied(fingerprint, eventId, count),
      );
      // The commit point. The occurrence items are marked applied only when their ids leave the
      // finding's recent list (above): until then the finding itself says they are counted.
      if (await this.#write(finding, current?.version))
        return { finding, created: current === undefined, added };
      // Another writer committed first: skip what it applied. If ids were evicted since our read, the
      // log may now say more than when we read it.
      const latest = await this.get(fingerprint);
      if (evictionsOf(latest) !== evictionsOf(current)) logged = await this.#readLog(fingerprint, batch);
      current = latest;
    }
    throw new KubeguardError(
      'CONFLICT',
      `findings store: finding ${fingerprint} kept changing; gave up after ${MAX_SAVE_ATTEMPTS} attempts`,
    );
  }

  /**
   * Logs each occurrence at its newest revision and returns what the log says is already applied,
   * per event id.
   */
  async #logOccurrences(fingerprint: string, batch: readonly Detection[]): Promise<Map<string, number>> {
    const applied = new Map<string, number>();
    await eachLimited(batch, WRITE_CONCURRENCY, async (detection) => {
      applied.set(detection.eventId, await this.#logOccurrence(fingerprint, detection));
    });
    return applied;
  }

  async #logOccurrence(fingerprint: string, detection: Detection): Promise<number> {
    try {
      const result = await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: occurrenceKey(fingerprint, detection.eventId),
          UpdateExpression:
            'SET #count = :count, #updatedAt = :updatedAt, #ruleId = :ruleId, #expiresAt = :expiresAt',
          // Only a newer revision replaces the logged one.
          ConditionExpression: 'attribute_not_exists(pk) OR #count < :count OR #updatedAt < :updatedAt',
          ExpressionAttributeNames: {
            '#count': 'count',
            '#updatedAt': 'updatedAt',
            '#ruleId': 'ruleId',
            '#expiresAt': FINDINGS_TABLE.ttlAttribute,
          },
          ExpressionAttributeValues: {
            ':count': occurrenceCountOf(detection),
            ':updatedAt': detection.updatedAt ?? detection.lastSeen,
            ':ruleId': detection.ruleId,
            ':expiresAt': this.#nowSeconds() + OCCURRENCE_TTL_SECONDS,
          },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return Number(result.Attributes?.appliedCount ?? 0);
    } catch (error) {
      if (isConditionFailure(error)) return this.#readApplied(fingerprint, detection.eventId);
      throw storeError('logging an occurrence', error);
    }
  }

  async #readLog(fingerprint: string, batch: readonly Detection[]): Promise<Map<string, number>> {
    const applied = new Map<string, number>();
    await eachLimited(batch, WRITE_CONCURRENCY, async (detection) => {
      applied.set(detection.eventId, await this.#readApplied(fingerprint, detection.eventId));
    });
    return applied;
  }

  async #readApplied(fingerprint: string, eventId: string): Promise<number> {
    try {
      const result = await this.#client.send(
        new GetCommand({
          TableName: this.#table,
          Key: occurrenceKey(fingerprint, eventId),
          ConsistentRead: true,
          ProjectionExpression: 'appliedCount',
        }),
      );
      return Number(result.Item?.appliedCount ?? 0);
    } catch (error) {
      throw storeError('reading an occurrence', error);
    }
  }

  /** Records in the log that the finding counts `count` of the event; never lowers it. */
  async #markApplied(fingerprint: string, eventId: string, count: number): Promise<void> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: occurrenceKey(fingerprint, eventId),
          UpdateExpression: 'SET appliedCount = :count',
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(appliedCount) OR appliedCount < :count)',
          ExpressionAttributeValues: { ':count': count },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return;
      throw storeError('marking an occurrence applied', error);
    }
  }

  async get(fingerprint: string): Promise<StoredFinding | undefined> {
    try {
      const result = await this.#client.send(
        new GetCommand({ TableName: this.#table, Key: findingKey(fingerprint), ConsistentRead: true }),
      );
      if (result.Item === undefined) return undefined;
      return findingOf(result.Item);
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
    const item: Record<string, unknown> = {
      ...findingKey(finding.fingerprint),
      version,
      status: finding.status,
      lastSeen: finding.lastSeen,
      body: JSON.stringify(body),
    };
    // Only pending findings are in the outbox index; delivered and quiet ones drop out of it.
    if (finding.delivery.state === 'pending') {
      item[FINDINGS_TABLE.pendingIndex.partitionKey] = pendingPartition(deliveryRank(finding));
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

  /**
   * Findings for the Slack bot's listings. The table has no index of all findings (the pending index
   * holds only the outbox), so this scans it for finding items — status and fingerprint prefix
   * filtered by DynamoDB, the rest by core/findings/list.ts — keeping only the newest `limit` in
   * memory. It reads the whole table, occurrences included: fine for a person's command, not for a
   * hot path (decision D37).
   */
  async listFindings(query: FindingQuery): Promise<FindingListing> {
    const collector = new ListingCollector(query);
    if (query.statuses?.length === 0) return collector.listing();
    const filters = ['#sk = :finding'];
    const names: Record<string, string> = { '#sk': FINDINGS_TABLE.sortKey };
    const values: Record<string, unknown> = { ':finding': 'FINDING' };
    if (query.statuses !== undefined) {
      names['#status'] = 'status';
      const placeholders = query.statuses.map((status, index) => {
        values[`:s${index}`] = status;
        return `:s${index}`;
      });
      filters.push(`#status IN (${placeholders.join(', ')})`);
    }
    if (query.fingerprintPrefix !== undefined) {
      names['#pk'] = FINDINGS_TABLE.partitionKey;
      values[':prefix'] = `${FINDING_PREFIX}${query.fingerprintPrefix}`;
      filters.push('begins_with(#pk, :prefix)');
    }
    let startKey: Item | undefined;
    try {
      do {
        const page = await this.#client.send(
          new ScanCommand({
            TableName: this.#table,
            FilterExpression: filters.join(' AND '),
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
          }),
        );
        for (const item of page.Items ?? []) collector.offer(findingOf(item));
        startKey = page.LastEvaluatedKey;
      } while (startKey !== undefined);
    } catch (error) {
      throw storeError('listing findings', error);
    }
    return collector.listing();
  }

  async listPendingDeliveries(dueBy: string, limit: number): Promise<PendingDelivery[]> {
    const pending: PendingDelivery[] = [];
    for (let rank = 0; rank < DELIVERY_RANKS && pending.length < limit; rank += 1) {
      pending.push(...(await this.#pendingOfRank(rank, dueBy, limit - pending.length)));
    }
    return pending;
  }

  async #pendingOfRank(rank: number, dueBy: string, limit: number): Promise<PendingDelivery[]> {
    const { name, partitionKey, sortKey } = FINDINGS_TABLE.pendingIndex;
    const found: PendingDelivery[] = [];
    let startKey: Record<string, unknown> | undefined;
    try {
      do {
        const result = await this.#client.send(
          new QueryCommand({
            TableName: this.#table,
            IndexName: name,
            KeyConditionExpression: '#p = :partition AND #s <= :dueBy',
            ExpressionAttributeNames: { '#p': partitionKey, '#s': sortKey },
            ExpressionAttributeValues: { ':partition': pendingPartition(rank), ':dueBy': dueBy },
            Limit: limit - found.length,
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of result.Items ?? []) {
          found.push({
            fingerprint: String(item.pk).slice(FINDING_PREFIX.length),
            rank,
            dueAt: String(item[sortKey]),
          });
        }
        startKey = result.LastEvaluatedKey;
      } while (startKey !== undefined && found.length < limit);
    } catch (error) {
      throw storeError('listing pending deliveries', error);
    }
    return found;
  }
}

function findingOf(item: Item): StoredFinding {
  return { ...(JSON.parse(String(item.body)) as StoredFinding), version: Number(item.version) };
}
