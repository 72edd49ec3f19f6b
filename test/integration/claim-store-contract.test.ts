import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findingsTableDefinition } from '../../adapters/aws/findings-table.ts';
import { DynamoClaimStore } from '../../adapters/aws/replay-claims.ts';
import { InMemoryClaimStore } from '../../adapters/local/in-memory-claims.ts';
import type { ClaimStore } from '../../core/chatops/ports.ts';
import { type Dynalite, startDynalite } from '../support/dynalite.ts';

let db: Dynalite;
let tables = 0;

beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db.stop();
});

const kinds: { name: string; create(): Promise<ClaimStore> }[] = [
  { name: 'in-memory claims', create: async () => new InMemoryClaimStore() },
  {
    name: 'DynamoDB claims (dynalite)',
    create: async () => {
      tables += 1;
      const tableName = `claims-${tables}`;
      await db.createTable(findingsTableDefinition(tableName));
      return new DynamoClaimStore({ client: db.documentClient, tableName });
    },
  },
];

const NOW = Date.parse('2026-12-03T10:00:00.000Z');

describe.each(kinds)('ClaimStore contract: $name', (kind) => {
  it('grants a key once while its claim lasts', async () => {
    const claims = await kind.create();

    expect(await claims.claim('replay:abc', NOW, 600)).toBe(true);
    expect(await claims.claim('replay:abc', NOW + 1_000, 600)).toBe(false);
    expect(await claims.claim('replay:abc', NOW + 599_999, 600)).toBe(false);
    expect(await claims.claim('replay:other', NOW, 600)).toBe(true);
  });

  it('grants the key again once the claim has expired, and holds it anew', async () => {
    const claims = await kind.create();
    await claims.claim('button:x', NOW, 120);

    expect(await claims.claim('button:x', NOW + 120_000, 120)).toBe(true);
    expect(await claims.claim('button:x', NOW + 121_000, 120)).toBe(false);
  });

  it('grants exactly one of many concurrent claims of one key', async () => {
    const claims = await kind.create();

    const results = await Promise.all(
      Array.from({ length: 12 }, () => claims.claim('command:T1:111.222', NOW, 86_400)),
    );

    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('lets a released key be claimed at once', async () => {
    const claims = await kind.create();
    await claims.claim('click:T1:U1:1.2:acknowledge', NOW, 86_400);

    await claims.release('click:T1:U1:1.2:acknowledge');

    expect(await claims.claim('click:T1:U1:1.2:acknowledge', NOW + 1, 86_400)).toBe(true);
  });

  it('treats keys of any length and content as distinct values', async () => {
    const claims = await kind.create();
    const long = `view:T1:V1:${'h'.repeat(3000)}`;

    expect(await claims.claim(long, NOW, 60)).toBe(true);
    expect(await claims.claim(`${long}x`, NOW, 60)).toBe(true);
    expect(await claims.claim(long, NOW, 60)).toBe(false);
  });
});
