import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import * as sdk from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as lite from '../../adapters/aws/dynamo-document.ts';
import { findingsTableDefinition } from '../../adapters/aws/findings-table.ts';
import { type Dynalite, startDynalite } from '../support/dynalite.ts';

/**
 * The lightweight document client (D30) against the SDK's lib-dynamodb, both on one dynalite: the
 * same commands give the same outputs and the same error names.
 */
const TABLE = 'dynamo-document-parity';

let db: Dynalite;
let reference: sdk.DynamoDBDocumentClient;

beforeAll(async () => {
  db = await startDynalite();
  await db.createTable(findingsTableDefinition(TABLE));
  reference = sdk.DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: db.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
});
afterAll(async () => {
  reference.destroy();
  await db.stop();
});

/** Runs one step with each client on its own partition and returns both outcomes, metadata aside. */
async function both(step: (client: 'lite' | 'sdk', pk: string) => Promise<unknown>) {
  const outcome = async (client: 'lite' | 'sdk') => {
    try {
      const { $metadata: _metadata, ...rest } = (await step(client, `P#${client}`)) as {
        $metadata?: unknown;
      };
      return JSON.parse(JSON.stringify(rest, (_key, value) => (value instanceof Set ? [...value] : value)));
    } catch (error) {
      return { error: (error as Error).name, message: (error as Error).message };
    }
  };
  const [mine, theirs] = [await outcome('lite'), await outcome('sdk')];
  // Same partition name on both sides; key order is JSON's, not DynamoDB's, so compare values.
  return {
    mine: JSON.parse(JSON.stringify(mine).replaceAll('P#lite', 'P#')),
    theirs: JSON.parse(JSON.stringify(theirs).replaceAll('P#sdk', 'P#')),
  };
}

const LITE = {
  Get: lite.GetCommand,
  Put: lite.PutCommand,
  Update: lite.UpdateCommand,
  Delete: lite.DeleteCommand,
  Query: lite.QueryCommand,
  Scan: lite.ScanCommand,
};
const SDK = {
  Get: sdk.GetCommand,
  Put: sdk.PutCommand,
  Update: sdk.UpdateCommand,
  Delete: sdk.DeleteCommand,
  Query: sdk.QueryCommand,
  Scan: sdk.ScanCommand,
};

const send = (client: 'lite' | 'sdk', kind: keyof typeof LITE, input: object) => {
  if (client === 'lite') return db.documentClient.send(new LITE[kind](input as never));
  return reference.send(new SDK[kind](input as never) as never);
};

describe('the lightweight DynamoDB document client', () => {
  it('puts and gets every kind of value as lib-dynamodb does, dropping undefined', async () => {
    const item = (pk: string) => ({
      pk,
      sk: 'FINDING',
      count: 3,
      ratio: 0.25,
      flag: false,
      none: null,
      gone: undefined,
      text: 'kubernetes-admin · assumed-role/DevOpsRole/jdoe',
      tags: new Set(['a', 'b']),
      nested: { list: [1, 'two', { three: [true, null] }], empty: {} },
    });
    const put = await both((client, pk) => send(client, 'Put', { TableName: TABLE, Item: item(pk) }));
    const get = await both((client, pk) =>
      send(client, 'Get', { TableName: TABLE, Key: { pk, sk: 'FINDING' }, ConsistentRead: true }),
    );

    expect(put.mine).toEqual(put.theirs);
    expect(get.mine).toEqual(get.theirs);
    expect(get.mine.Item).toMatchObject({ count: 3, tags: ['a', 'b'], nested: { empty: {} } });
    expect(get.mine.Item).not.toHaveProperty('gone');
  });

  it('updates with expressions and returns the new attributes as lib-dynamodb does', async () => {
    const update = await both((client, pk) =>
      send(client, 'Update', {
        TableName: TABLE,
        Key: { pk, sk: 'FINDING' },
        UpdateExpression: 'ADD #count :one SET #text = :text',
        ExpressionAttributeNames: { '#count': 'count', '#text': 'text' },
        ExpressionAttributeValues: { ':one': 1, ':text': 'updated' },
        ReturnValues: 'ALL_NEW',
      }),
    );
    expect(update.mine).toEqual(update.theirs);
  });

  it('fails a conditional write with ConditionalCheckFailedException, like lib-dynamodb', async () => {
    const conditional = await both((client, pk) =>
      send(client, 'Put', {
        TableName: TABLE,
        Item: { pk, sk: 'FINDING' },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    expect(conditional.mine).toEqual(conditional.theirs);
    expect(conditional.mine.error).toBe('ConditionalCheckFailedException');
    await expect(
      db.documentClient.send(
        new lite.PutCommand({
          TableName: TABLE,
          Item: { pk: 'P#lite', sk: 'FINDING' },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    ).rejects.toBeInstanceOf(lite.ConditionalCheckFailedException);
  });

  it('queries page by page with the same keys and items', async () => {
    for (const client of ['lite', 'sdk'] as const) {
      for (let i = 0; i < 5; i++) {
        await send(client, 'Put', { TableName: TABLE, Item: { pk: `P#${client}`, sk: `OCC#${i}`, i } });
      }
    }
    const page = (startKey?: object) =>
      both((client, pk) =>
        send(client, 'Query', {
          TableName: TABLE,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :occ)',
          ExpressionAttributeValues: { ':pk': pk, ':occ': 'OCC#' },
          Limit: 2,
          ScanIndexForward: false,
          ...(startKey === undefined ? {} : { ExclusiveStartKey: { ...startKey, pk } }),
        }),
      );
    const first = await page();
    const second = await page(first.mine.LastEvaluatedKey);

    expect(first.mine).toEqual(first.theirs);
    expect(second.mine).toEqual(second.theirs);
    expect(second.mine.Items.map((item: { i: number }) => item.i)).toEqual([2, 1]);
  });

  it('names a missing table as lib-dynamodb does', async () => {
    const missing = await both((client, pk) =>
      send(client, 'Get', { TableName: 'no-such-table', Key: { pk, sk: 'x' } }),
    );
    expect(missing.mine).toEqual(missing.theirs);
    expect(missing.mine.error).toBe('ResourceNotFoundException');
  });

  it('deletes and scans as lib-dynamodb does', async () => {
    const deleted = await both((client, pk) =>
      send(client, 'Delete', { TableName: TABLE, Key: { pk, sk: 'OCC#0' }, ReturnValues: 'ALL_OLD' }),
    );
    const scanned = await both((client, pk) =>
      send(client, 'Scan', {
        TableName: TABLE,
        FilterExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        Select: 'COUNT',
      }),
    );
    expect(deleted.mine).toEqual(deleted.theirs);
    expect(scanned.mine).toEqual(scanned.theirs);
  });
});
