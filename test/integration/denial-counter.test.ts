import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDenialCounter, SUB_BUCKETS } from '../../adapters/aws/denial-counter.ts';
import { findingsTableDefinition } from '../../adapters/aws/findings-table.ts';
import { type Dynalite, startDynalite } from '../support/dynalite.ts';

const TABLE = 'kubeguard-denials-test';
const WINDOW = 600;

function at(baseIso: string, offsetSeconds: number): string {
  return new Date(Date.parse(baseIso) + offsetSeconds * 1000).toISOString();
}

describe('DynamoDenialCounter (dynalite)', () => {
  let db: Dynalite;
  let counter: DynamoDenialCounter;

  beforeAll(async () => {
    db = await startDynalite();
    await db.createTable(findingsTableDefinition(TABLE));
    counter = new DynamoDenialCounter({ client: db.documentClient, tableName: TABLE });
  });

  afterAll(async () => {
    await db.stop();
  });

  it('counts every denial of a key within the window', async () => {
    const base = '2024-11-13T23:50:00.000Z';
    const counts: number[] = [];
    for (let i = 0; i < 5; i++)
      counts.push(await counter.record('prod|sourceIp:8.216.81.10', at(base, i * 100), WINDOW));
    expect(counts).toEqual([1, 2, 3, 4, 5]);
  });

  it('keeps keys apart', async () => {
    const base = '2024-11-14T10:00:00.000Z';
    await counter.record('prod|principal:alice', base, WINDOW);
    await counter.record('prod|principal:alice', at(base, 1), WINDOW);
    expect(await counter.record('prod|principal:bob', at(base, 2), WINDOW)).toBe(1);
  });

  it('forgets denials older than the window plus one sub-bucket', async () => {
    const base = '2024-11-15T10:00:00.000Z';
    await counter.record('prod|principal:carol', base, WINDOW);
    const subBucket = WINDOW / SUB_BUCKETS;
    expect(await counter.record('prod|principal:carol', at(base, WINDOW + subBucket), WINDOW)).toBe(1);
  });

  it('never misses a denial inside the window, at the cost of at most one sub-bucket of older ones', async () => {
    // Denials 1 s apart straddling a bucket edge: all ten lie within 600 s of the last one.
    const base = '2024-11-16T10:00:55.000Z';
    let last = 0;
    for (let i = 0; i < 10; i++) last = await counter.record('prod|principal:dave', at(base, i * 60), WINDOW);
    expect(last).toBe(10);
    // 601 s after the first denial, the over-count is bounded by the first sub-bucket's denials.
    const later = await counter.record('prod|principal:dave', at(base, 601), WINDOW);
    expect(later).toBeGreaterThanOrEqual(10);
    expect(later).toBeLessThanOrEqual(11);
  });

  it('counts concurrent denials of one key exactly (atomic ADD, no lost update)', async () => {
    const base = '2024-11-17T10:00:00.000Z';
    const counts = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        counter.record('prod|sourceIp:203.0.113.9', at(base, i % 5), WINDOW),
      ),
    );
    expect(Math.max(...counts)).toBe(20);
  });

  it('sets the TTL attribute on every bucket item', async () => {
    const { QueryCommand } = await import('../../adapters/aws/dynamo-document.ts');
    await counter.record('prod|principal:erin', '2024-11-18T10:00:00.000Z', WINDOW);
    const page = await db.documentClient.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'DENIALS#prod|principal:erin' },
      }),
    );
    const item = page.Items?.[0];
    expect(item?.count).toBe(1);
    expect(item?.expiresAt).toBeGreaterThan(Date.parse('2024-11-18T10:10:00.000Z') / 1000);
  });

  it('rejects a time that is not ISO-8601', async () => {
    await expect(counter.record('prod|principal:x', 'yesterday', WINDOW)).rejects.toThrow(/ISO-8601/);
  });
});
