import { createHash } from 'node:crypto';
import type { ClaimStore } from '../../core/chatops/ports.ts';
import { KubeguardError } from '../../core/errors.ts';
import {
  ConditionalCheckFailedException,
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
} from './dynamo-document.ts';
import { FINDINGS_TABLE } from './findings-table.ts';

/**
 * Claims in the kubeguard table (core/chatops/ports.ts ClaimStore): the Slack replay guard and the
 * bot's idempotency keys. One item per key — `pk = CLAIM#<sha-256 of the key>`, `sk = CLAIM` (a
 * hash, so keys holding Slack ids and timestamps stay short and uniform) — written by one
 * conditional PutItem that succeeds when no item exists or the one there has expired
 * (`untilMs <= now`): two instances claiming the same key at once get one winner. Single-item writes
 * only, so it runs on dynalite. The table's TTL removes an item a day after it expired; until then
 * the condition, not the TTL, decides.
 */
export interface DynamoClaimStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

const TTL_MARGIN_SECONDS = 86_400;

export function claimKey(key: string): Record<string, string> {
  return {
    [FINDINGS_TABLE.partitionKey]: `CLAIM#${createHash('sha256').update(key, 'utf8').digest('hex')}`,
    [FINDINGS_TABLE.sortKey]: 'CLAIM',
  };
}

export class DynamoClaimStore implements ClaimStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: DynamoClaimStoreOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async claim(key: string, nowMs: number, ttlSeconds: number): Promise<boolean> {
    const untilMs = nowMs + ttlSeconds * 1000;
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: {
            ...claimKey(key),
            type: 'CLAIM',
            untilMs,
            [FINDINGS_TABLE.ttlAttribute]: Math.ceil(untilMs / 1000) + TTL_MARGIN_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(#pk) OR #untilMs <= :now',
          ExpressionAttributeNames: { '#pk': FINDINGS_TABLE.partitionKey, '#untilMs': 'untilMs' },
          ExpressionAttributeValues: { ':now': nowMs },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw new KubeguardError('UPSTREAM', 'request claims: claiming a key failed', { cause: error });
    }
  }

  async release(key: string): Promise<void> {
    try {
      await this.#client.send(new DeleteCommand({ TableName: this.#tableName, Key: claimKey(key) }));
    } catch (error) {
      throw new KubeguardError('UPSTREAM', 'request claims: releasing a key failed', { cause: error });
    }
  }
}

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'ConditionalCheckFailedException')
  );
}
