import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findingsTableDefinition } from '#adapters/aws/findings-table.ts';
import { DynamoRotationClaims, rotationClaimKey } from '#adapters/aws/rotation-claims.ts';
import { claimFor, type RotationClaims } from '#core/remediation/rotation-claims.ts';
import { type Dynalite, startDynalite } from '#test/support/dynalite.ts';
import { InMemoryRotationClaims } from '#test/support/in-memory-rotation-claims.ts';
import { PutCommand } from '../../adapters/aws/dynamo-document.ts';

/**
 * One contract for both RotationClaims: the in-memory fake the unit tests use and the DynamoDB
 * adapter (on dynalite) the worker uses, so the fake never promises what the table does not do.
 */

const SECRET = 'arn:aws:secretsmanager:us-west-2:123456789012:secret:MyTestSecret-Ca8JGt';
const OTHER_SECRET = 'arn:aws:secretsmanager:us-west-2:123456789012:secret:OtherSecret-a1B2c3';
const FIRST = '5d1c4a0e-7b7f-4f0c-9a55-0c9d1e2f3a4b';
const SECOND = '8e2f6b1c-3a4d-4e5f-9b0c-1d2e3f4a5b6c';
const AT = '2026-03-01T12:00:00.000Z';
const COOLDOWN = 15 * 60_000;

function later(seconds: number): string {
  return new Date(Date.parse(AT) + seconds * 1000).toISOString();
}

function claim(rotationId: string, at = AT, secretArn = SECRET) {
  return claimFor({ secretArn, rotationId, actor: `slack:${rotationId.slice(0, 4)}` }, at, COOLDOWN);
}

let db: Dynalite;
let tables = 0;

beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db.stop();
});

async function dynamo(): Promise<DynamoRotationClaims> {
  tables += 1;
  const tableName = `rotation-claims-${tables}`;
  await db.createTable(findingsTableDefinition(tableName));
  return new DynamoRotationClaims({ client: db.documentClient, tableName });
}

describe.each([
  ['in memory', async (): Promise<RotationClaims> => new InMemoryRotationClaims()],
  ['DynamoDB (dynalite)', dynamo],
])('RotationClaims %s', (_name, create) => {
  it('grants the first claim and reports it as current until it expires', async () => {
    const claims = await create();

    expect(await claims.claim(claim(FIRST), AT)).toEqual({ claimed: true, claim: claim(FIRST) });
    expect(await claims.current(SECRET, later(899))).toEqual(claim(FIRST));
    expect(await claims.current(SECRET, later(900))).toBeUndefined();
  });

  it('refuses another rotation of the same secret within the cooldown and names the holder', async () => {
    const claims = await create();
    await claims.claim(claim(FIRST), AT);

    expect(await claims.claim(claim(SECOND, later(60)), later(60))).toEqual({
      claimed: false,
      holder: claim(FIRST),
    });
    expect(await claims.current(SECRET, later(60))).toEqual(claim(FIRST));
  });

  it('grants the same rotation again, keeping its first claim', async () => {
    const claims = await create();
    await claims.claim(claim(FIRST), AT);

    expect(await claims.claim(claim(FIRST, later(120)), later(120))).toEqual({
      claimed: true,
      claim: claim(FIRST),
    });
  });

  it('grants another rotation once the cooldown is over', async () => {
    const claims = await create();
    await claims.claim(claim(FIRST), AT);

    expect(await claims.claim(claim(SECOND, later(900)), later(900))).toEqual({
      claimed: true,
      claim: claim(SECOND, later(900)),
    });
    expect(await claims.current(SECRET, later(901))).toMatchObject({ rotationId: SECOND });
  });

  it('keeps secrets apart', async () => {
    const claims = await create();
    await claims.claim(claim(FIRST), AT);

    expect(await claims.claim(claim(SECOND, AT, OTHER_SECRET), AT)).toMatchObject({ claimed: true });
  });

  it('gives one winner to claims made at the same moment', async () => {
    const claims = await create();
    const ids = Array.from({ length: 8 }, (_, i) => `${i}${FIRST.slice(1)}`);

    const results = await Promise.all(ids.map((id) => claims.claim(claim(id), AT)));

    const winners = results.filter((result) => result.claimed);
    expect(winners).toHaveLength(1);
    const [winner] = winners;
    expect(results.filter((r) => !r.claimed)).toEqual(
      Array.from({ length: 7 }, () => ({ claimed: false, holder: winner?.claimed && winner.claim })),
    );
  });
});

describe('DynamoRotationClaims item', () => {
  it('expires through the table TTL a day after the cooldown', async () => {
    const claims = await dynamo();
    await claims.claim(claim(FIRST), AT);

    const { GetCommand } = await import('../../adapters/aws/dynamo-document.ts');
    const { Item } = await db.documentClient.send(
      new GetCommand({ TableName: `rotation-claims-${tables}`, Key: rotationClaimKey(SECRET) }),
    );
    expect(Item).toMatchObject({ type: 'ROTATION_CLAIM', expiresAt: Date.parse(later(900)) / 1000 + 86_400 });
  });

  it('names a malformed item and how to clear it', async () => {
    const claims = await dynamo();
    await db.documentClient.send(
      new PutCommand({
        TableName: `rotation-claims-${tables}`,
        Item: { ...rotationClaimKey(SECRET), rotationId: FIRST },
      }),
    );

    await expect(claims.current(SECRET, AT)).rejects.toThrow(
      `rotation claim item ROTATION#${SECRET} is malformed`,
    );
  });
});
