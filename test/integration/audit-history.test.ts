import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAuditHistoryStore } from '#adapters/aws/audit-history-store.ts';
import { findingsTableDefinition } from '#adapters/aws/findings-table.ts';
import { runAudit } from '#core/posture/engine.ts';
import { type AuditHistoryEntry, historyEntryOf } from '#core/posture/history.ts';
import { type Dynalite, startDynalite } from '#test/support/dynalite.ts';
import { corpusSnapshot } from '#test/unit/core/posture/support.ts';
import { PutCommand, QueryCommand } from '../../adapters/aws/dynamo-document.ts';

let db: Dynalite;
let tables = 0;

async function freshStore(): Promise<{ store: DynamoAuditHistoryStore; tableName: string }> {
  tables += 1;
  const tableName = `audit-history-${tables}`;
  await db.createTable(findingsTableDefinition(tableName));
  return { store: new DynamoAuditHistoryStore({ client: db.documentClient, tableName }), tableName };
}

const BASE = { ...historyEntryOf(runAudit(corpusSnapshot('m08.yaml', 'm18.yaml'))), cluster: 'prod-eu' };

function at(takenAt: string, score: number, cluster = 'prod-eu'): AuditHistoryEntry {
  return { ...BASE, cluster, takenAt, score };
}

beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db.stop();
});

describe('DynamoAuditHistoryStore on dynalite', () => {
  it('stores an entry and reads it back as it was', async () => {
    const { store } = await freshStore();
    const entry = { ...at('2026-03-01T06:00:00.000Z', 71), reportId: 'audits/prod-eu/20260301T060000.000Z' };

    await store.put(entry);

    expect(await store.latest('prod-eu', 5)).toEqual([entry]);
  });

  it('returns the newest N of one cluster, newest first', async () => {
    const { store } = await freshStore();
    for (const [day, score] of [
      ['01', 60],
      ['03', 64],
      ['02', 62],
      ['04', 66],
    ] as const) {
      await store.put(at(`2026-03-${day}T06:00:00.000Z`, score));
    }
    await store.put(at('2026-03-05T06:00:00.000Z', 99, 'staging'));

    const latest = await store.latest('prod-eu', 2);

    expect(latest.map((entry) => [entry.takenAt, entry.score])).toEqual([
      ['2026-03-04T06:00:00.000Z', 66],
      ['2026-03-03T06:00:00.000Z', 64],
    ]);
  });

  it('answers a period [from, to) of one cluster, oldest first, whatever the times’ precision', async () => {
    const { store } = await freshStore();
    for (const takenAt of [
      '2026-02-28T23:59:59.999Z',
      '2026-03-01T00:00:00Z',
      '2026-03-15T06:00:00.000Z',
      '2026-03-31T23:59:59.500Z',
      '2026-04-01T00:00:00.000Z',
    ]) {
      await store.put(at(takenAt, 50));
    }
    await store.put(at('2026-03-10T06:00:00.000Z', 99, 'staging'));

    const entries = await store.between('prod-eu', '2026-03-01T00:00:00.000Z', '2026-04-01T00:00:00Z');

    expect(entries.map((entry) => entry.takenAt)).toEqual([
      '2026-03-01T00:00:00Z',
      '2026-03-15T06:00:00.000Z',
      '2026-03-31T23:59:59.500Z',
    ]);
  });

  it('writes an audit once: a redelivered entry changes nothing', async () => {
    const { store } = await freshStore();
    await store.put(at('2026-03-01T06:00:00.000Z', 70));

    await store.put(at('2026-03-01T06:00:00.000Z', 12));

    expect((await store.latest('prod-eu', 5)).map((entry) => entry.score)).toEqual([70]);
  });

  it('keeps entries 400 days by default through the table TTL', async () => {
    const { store, tableName } = await freshStore();
    await store.put(at('2026-03-01T06:00:00.000Z', 70));

    const { Items } = await db.documentClient.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'AUDIT#prod-eu' },
      }),
    );

    expect(Items?.[0]).toMatchObject({
      sk: '2026-03-01T06:00:00.000Z',
      expiresAt: Date.parse('2026-03-01T06:00:00.000Z') / 1000 + 400 * 86_400,
    });
  });

  it('names a malformed item instead of returning it', async () => {
    const { store, tableName } = await freshStore();
    await db.documentClient.send(
      new PutCommand({
        TableName: tableName,
        Item: { pk: 'AUDIT#prod-eu', sk: '2026-03-01T06:00:00.000Z', cluster: 'prod-eu', score: 'high' },
      }),
    );

    await expect(store.latest('prod-eu', 1)).rejects.toThrow(
      /audit history item AUDIT#prod-eu 2026-03-01T06:00:00.000Z is malformed/,
    );
  });

  it('refuses an entry whose takenAt is not a time', async () => {
    const { store } = await freshStore();

    await expect(store.put(at('yesterday', 50))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
