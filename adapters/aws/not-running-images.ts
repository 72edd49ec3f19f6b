import { KubeguardError } from '../../core/errors.ts';
import type { NotRunningImage, NotRunningImageStore } from '../../core/supply-chain/not-running.ts';
import {
  ConditionalCheckFailedException,
  DeleteCommand,
  type DocumentClient,
  type Item,
  PutCommand,
  QueryCommand,
} from './dynamo-document.ts';
import { FINDINGS_TABLE, NOT_RUNNING_PARTITION } from './findings-table.ts';

export { NOT_RUNNING_PARTITION };

/**
 * Vulnerable images that run nowhere, in the kubeguard table: `pk = IMAGES#NOT_RUNNING`,
 * `sk = <digest>`, one partition (the digest's count is one Query), single-item conditional writes
 * only (dynalite has no transactions): a sighting replaces the item unless a later one is stored, a
 * "runs now" deletes it unless a later "runs nowhere" is stored. Items expire 30 days after their
 * last sighting (TTL): an image nobody rescans stops being counted.
 */
const PK = FINDINGS_TABLE.partitionKey;
const SK = FINDINGS_TABLE.sortKey;
const TTL_SECONDS = 30 * 86_400;

export class DynamoNotRunningImages implements NotRunningImageStore {
  readonly #client: DocumentClient;
  readonly #tableName: string;

  constructor(options: { client: DocumentClient; tableName: string }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async markNotRunning(image: NotRunningImage): Promise<void> {
    const seenAtMs = Date.parse(image.seenAt);
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: {
            [PK]: NOT_RUNNING_PARTITION,
            [SK]: image.digest,
            type: 'IMAGE_NOT_RUNNING',
            ...image,
            seenAtMs,
            [FINDINGS_TABLE.ttlAttribute]: Math.ceil(seenAtMs / 1000) + TTL_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(#pk) OR #seenAtMs <= :seenAtMs',
          ExpressionAttributeNames: { '#pk': PK, '#seenAtMs': 'seenAtMs' },
          ExpressionAttributeValues: { ':seenAtMs': seenAtMs },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return; // a later sighting is stored
      throw upstream(`recording image ${image.digest} as running nowhere`, error);
    }
  }

  async forget(digest: string, at: string): Promise<void> {
    try {
      await this.#client.send(
        new DeleteCommand({
          TableName: this.#tableName,
          Key: { [PK]: NOT_RUNNING_PARTITION, [SK]: digest },
          ConditionExpression: 'attribute_not_exists(#pk) OR #seenAtMs <= :at',
          ExpressionAttributeNames: { '#pk': PK, '#seenAtMs': 'seenAtMs' },
          ExpressionAttributeValues: { ':at': Date.parse(at) },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return; // a later "runs nowhere" is stored
      throw upstream(`forgetting image ${digest} as running nowhere`, error);
    }
  }

  async countNotRunning(range: { from: string; to: string }): Promise<number> {
    let count = 0;
    let start: Item | undefined;
    do {
      let page: { Items?: Item[]; LastEvaluatedKey?: Item };
      try {
        page = await this.#client.send(
          new QueryCommand({
            TableName: this.#tableName,
            KeyConditionExpression: '#pk = :pk',
            FilterExpression: '#seenAtMs >= :from AND #seenAtMs < :to',
            ProjectionExpression: '#sk',
            ExpressionAttributeNames: { '#pk': PK, '#sk': SK, '#seenAtMs': 'seenAtMs' },
            ExpressionAttributeValues: {
              ':pk': NOT_RUNNING_PARTITION,
              ':from': Date.parse(range.from),
              ':to': Date.parse(range.to),
            },
            ...(start === undefined ? {} : { ExclusiveStartKey: start }),
          }),
        );
      } catch (error) {
        throw upstream('counting the vulnerable images that run nowhere', error);
      }
      count += page.Items?.length ?? 0;
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return count;
  }
}

function upstream(what: string, error: unknown): KubeguardError {
  return new KubeguardError('UPSTREAM', `${what} failed`, { cause: error });
}

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'ConditionalCheckFailedException')
  );
}
