import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The one DynamoDB table kubeguard keeps (findings, occurrences, denial counters; later the audit
 * trail and digest subscriptions). infra/stacks/stateful-stack.ts declares the same keys and index.
 */
export const FINDINGS_TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /**
   * Sparse index of findings whose Slack delivery is pending (the outbox): one partition per
   * delivery rank (`PENDING#0` critical … `PENDING#3` low), sorted by when delivery is due.
   */
  pendingIndex: { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  ttlAttribute: 'expiresAt',
} as const;

/**
 * The partition of the vulnerable images that run nowhere (adapters/aws/not-running-images.ts); the
 * image-findings function may delete items of it alone (infra).
 */
export const NOT_RUNNING_PARTITION = 'IMAGES#NOT_RUNNING';

/** The pending index partition of a delivery rank (core/delivery/rank.ts). */
export function pendingPartition(rank: number): string {
  return `PENDING#${rank}`;
}

/** CreateTable input for dynalite in tests and the sandbox. */
export function findingsTableDefinition(tableName: string): CreateTableCommandInput {
  const { partitionKey, sortKey, pendingIndex } = FINDINGS_TABLE;
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: partitionKey, AttributeType: 'S' },
      { AttributeName: sortKey, AttributeType: 'S' },
      { AttributeName: pendingIndex.partitionKey, AttributeType: 'S' },
      { AttributeName: pendingIndex.sortKey, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: partitionKey, KeyType: 'HASH' },
      { AttributeName: sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: pendingIndex.name,
        KeySchema: [
          { AttributeName: pendingIndex.partitionKey, KeyType: 'HASH' },
          { AttributeName: pendingIndex.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
    ],
  };
}
