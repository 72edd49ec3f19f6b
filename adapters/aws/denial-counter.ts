import { KubeguardError } from '../../core/errors.ts';
import type { DenialCounter } from '../../core/ports.ts';
import type { FunctionEnvironment } from '../config/env.ts';
import { type DocumentClient, QueryCommand, UpdateCommand } from './dynamo-document.ts';
import { FINDINGS_TABLE } from './findings-table.ts';
import { kubeguardTableFromEnv } from './kubeguard-table.ts';

/**
 * The KD-061 denial counter on DynamoDB, in the findings table, with single-item writes only
 * (dynalite, used locally, has no transactions).
 *
 * Sliding sub-buckets: the window is cut into SUB_BUCKETS fixed buckets (60 s each for the default
 * 600 s window). `record` adds 1 to the bucket holding `at` (one atomic `ADD`, item
 * `pk = DENIALS#<key>`, `sk = B#<bucket start, epoch seconds>`), then sums, in one strongly
 * consistent Query, the buckets from the one holding `at - window` to the one holding `at`.
 *
 * Precision: every denial in (at − window, at] is counted, so a burst is never missed; denials in
 * the older part of the first bucket — at most window/SUB_BUCKETS before the window — are counted
 * too, so the effective window is between `window` and `window × 1.1` long. Two fixed buckets
 * weighted by overlap would cost the same I/O but can under-count a burst that sits at a bucket
 * edge; sub-buckets err on the alerting side. Items expire through the table's TTL attribute
 * (`expiresAt`, epoch seconds) one hour after they leave the window.
 *
 * Cost per denial: one UpdateItem and one Query reading at most SUB_BUCKETS + 1 small items.
 */
export const SUB_BUCKETS = 10;
const TTL_MARGIN_SECONDS = 3600;

export interface DynamoDenialCounterOptions {
  client: DocumentClient;
  tableName: string;
}

function bucketSeconds(windowSeconds: number): number {
  return Math.max(1, Math.ceil(windowSeconds / SUB_BUCKETS));
}

/** Sort keys compare as strings, so bucket starts are zero-padded. */
function bucketSortKey(startSeconds: number): string {
  return `B#${String(startSeconds).padStart(12, '0')}`;
}

function parseTime(at: string): number {
  const ms = Date.parse(at);
  if (!Number.isFinite(ms)) {
    throw new KubeguardError(
      'INVALID_ARGUMENT',
      `denial time must be ISO-8601; received ${JSON.stringify(at)}`,
    );
  }
  return Math.floor(ms / 1000);
}

export class DynamoDenialCounter implements DenialCounter {
  readonly #client: DocumentClient;
  readonly #tableName: string;

  constructor(options: DynamoDenialCounterOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async record(key: string, at: string, windowSeconds: number): Promise<number> {
    if (!Number.isInteger(windowSeconds) || windowSeconds < 1) {
      throw new KubeguardError(
        'INVALID_ARGUMENT',
        `windowSeconds must be a positive integer; received ${windowSeconds}`,
      );
    }
    const atSeconds = parseTime(at);
    const size = bucketSeconds(windowSeconds);
    const bucketOf = (seconds: number) => Math.floor(seconds / size) * size;
    const current = bucketOf(atSeconds);
    const pk = `DENIALS#${key}`;
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { [FINDINGS_TABLE.partitionKey]: pk, [FINDINGS_TABLE.sortKey]: bucketSortKey(current) },
          UpdateExpression: 'ADD #count :one SET #expiresAt = if_not_exists(#expiresAt, :expiresAt)',
          ExpressionAttributeNames: { '#count': 'count', '#expiresAt': FINDINGS_TABLE.ttlAttribute },
          ExpressionAttributeValues: {
            ':one': 1,
            ':expiresAt': current + size + windowSeconds + TTL_MARGIN_SECONDS,
          },
        }),
      );
      return await this.#sum(pk, bucketOf(atSeconds - windowSeconds), current);
    } catch (error) {
      if (error instanceof KubeguardError) throw error;
      throw new KubeguardError('UPSTREAM', `denial counter: recording a denial for ${key} failed`, {
        cause: error,
      });
    }
  }

  async #sum(pk: string, fromBucket: number, toBucket: number): Promise<number> {
    let total = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
          ExpressionAttributeNames: {
            '#pk': FINDINGS_TABLE.partitionKey,
            '#sk': FINDINGS_TABLE.sortKey,
            '#count': 'count',
          },
          ExpressionAttributeValues: {
            ':pk': pk,
            ':from': bucketSortKey(fromBucket),
            ':to': bucketSortKey(toBucket),
          },
          ProjectionExpression: '#count',
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) total += typeof item.count === 'number' ? item.count : 0;
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return total;
  }
}

/** The KD-061 denial counter on the kubeguard table named by the environment. */
export function createDenialCounterFromEnv(environment: FunctionEnvironment): DenialCounter {
  const table = kubeguardTableFromEnv(environment);
  return new DynamoDenialCounter({ client: table.client, tableName: table.tableName });
}
