import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DynamoDigestLedger,
  DynamoDigestSubscriptions,
  DynamoPostureFacts,
} from '#adapters/aws/digest-stores.ts';
import { findingsTableDefinition } from '#adapters/aws/findings-table.ts';
import {
  InMemoryDigestLedger,
  InMemoryDigestSubscriptions,
  InMemoryPostureFacts,
} from '#adapters/local/digest-stores.ts';
import type { DigestSendLedger } from '#core/digest/ledger.ts';
import type { PostureFactsStore } from '#core/digest/ports.ts';
import { type DigestSubscriptionStore, subscriptionOf } from '#core/digest/subscriptions.ts';
import { type Dynalite, startDynalite } from '#test/support/dynalite.ts';

/** One contract for the digest stores in memory and on DynamoDB (dynalite). */

interface Stores {
  subscriptions: DigestSubscriptionStore;
  ledger: DigestSendLedger;
  facts: PostureFactsStore;
}

let db: Dynalite;
let tables = 0;
beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db.stop();
});

async function dynamo(): Promise<Stores> {
  tables += 1;
  const tableName = `digest-${tables}`;
  await db.createTable(findingsTableDefinition(tableName));
  const options = { client: db.documentClient, tableName };
  return {
    subscriptions: new DynamoDigestSubscriptions(options),
    ledger: new DynamoDigestLedger(options),
    facts: new DynamoPostureFacts(options),
  };
}

const AT = '2026-12-07T09:00:00.000Z';
const later = (seconds: number) => new Date(Date.parse(AT) + seconds * 1000).toISOString();
const weeklyAll = subscriptionOf(
  { frequency: 'weekly', target: { kind: 'dm', user: 'U0ALICE' } },
  'U0ALICE',
  AT,
);
const dailyProd = subscriptionOf(
  { frequency: 'daily', cluster: 'prod', target: { kind: 'channel', channel: 'C0SEC' } },
  'U0ALICE',
  later(1),
);
const bobs = subscriptionOf({ frequency: 'weekly', target: { kind: 'dm', user: 'U0BOB' } }, 'U0BOB', AT);
const KEY = { subscriptionId: weeklyAll.id, period: '2026-W50' };

describe.each([
  [
    'in memory',
    async (): Promise<Stores> => ({
      subscriptions: new InMemoryDigestSubscriptions(),
      ledger: new InMemoryDigestLedger(),
      facts: new InMemoryPostureFacts(),
    }),
  ],
  ['DynamoDB (dynalite)', dynamo],
])('digest stores %s', (_name, create) => {
  it('keeps several subscriptions per person, once each, and lists them by owner and all', async () => {
    const { subscriptions } = await create();

    expect(await subscriptions.put(weeklyAll)).toBe(true);
    expect(await subscriptions.put(dailyProd)).toBe(true);
    expect(await subscriptions.put(bobs)).toBe(true);
    expect(await subscriptions.put(weeklyAll)).toBe(false);

    expect(await subscriptions.listByOwner('U0ALICE')).toEqual([weeklyAll, dailyProd]);
    expect((await subscriptions.listAll()).map((s) => s.owner).sort()).toEqual([
      'U0ALICE',
      'U0ALICE',
      'U0BOB',
    ]);
    expect(await subscriptions.remove('U0BOB', weeklyAll.id)).toBe(false);
    expect(await subscriptions.remove('U0ALICE', weeklyAll.id)).toBe(true);
    expect(await subscriptions.remove('U0ALICE', weeklyAll.id)).toBe(false);
    expect(await subscriptions.listByOwner('U0ALICE')).toEqual([dailyProd]);
  });

  it('grants one claim per period; a second claimer is told busy until the lease ends', async () => {
    const { ledger } = await create();

    expect(await ledger.claim(KEY, 'run-1', AT, later(300))).toEqual({
      claimed: true,
      state: { owner: 'run-1', attempts: 1 },
    });
    expect(await ledger.claim(KEY, 'run-2', later(10), later(310))).toEqual({
      claimed: false,
      why: 'busy',
      until: later(300),
    });
    expect(await ledger.record(KEY, 'run-2', { chartShared: true })).toBe(false);
    expect(await ledger.sent(KEY, 'run-2', later(20))).toBe(false);
  });

  it('lets the next run take over an expired lease with what the first recorded', async () => {
    const { ledger } = await create();
    await ledger.claim(KEY, 'run-1', AT, later(300));
    expect(await ledger.record(KEY, 'run-1', { postAttemptedAt: later(1) })).toBe(true);

    // run-1 crashed here: its lease runs out.
    expect(await ledger.claim(KEY, 'run-2', later(300), later(600))).toEqual({
      claimed: true,
      state: { owner: 'run-2', attempts: 2, postAttemptedAt: later(1) },
    });
    expect(await ledger.record(KEY, 'run-1', { posted: { channel: 'D1', ts: '1.1' } })).toBe(false);
    expect(
      await ledger.record(KEY, 'run-2', { posted: { channel: 'D1', ts: '1.2' }, chartShared: true }),
    ).toBe(true);
    expect(await ledger.sent(KEY, 'run-2', later(301))).toBe(true);
    expect(await ledger.isSent(KEY)).toBe(true);
    expect(await ledger.claim(KEY, 'run-3', later(10_000), later(10_300))).toEqual({
      claimed: false,
      why: 'sent',
    });
  });

  it('releases a lease at once after a failure, keeping the record', async () => {
    const { ledger } = await create();
    await ledger.claim(KEY, 'run-1', AT, later(300));
    await ledger.record(KEY, 'run-1', { posted: { channel: 'C0SEC', ts: '1700000000.000100' } });
    await ledger.release(KEY, 'run-1', later(5));

    expect(await ledger.claim(KEY, 'run-2', later(5), later(305))).toEqual({
      claimed: true,
      state: { owner: 'run-2', attempts: 2, posted: { channel: 'C0SEC', ts: '1700000000.000100' } },
    });
  });

  it('gives one winner when ten runs claim at once', async () => {
    const { ledger } = await create();

    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, index) => ledger.claim(KEY, `run-${index}`, AT, later(300))),
    );

    expect(outcomes.filter((outcome) => outcome.claimed)).toHaveLength(1);
  });

  it('keeps the newest posture facts of a cluster', async () => {
    const { facts } = await create();
    const newer = { cluster: 'prod', takenAt: '2026-12-07T06:00:00.000Z', risks: [], guardDutyGaps: [] };
    const older = {
      ...newer,
      takenAt: '2026-12-06T06:00:00.000Z',
      guardDutyGaps: [{ checkId: 'KP-014', title: 't', status: 'fail' as const, message: 'm' }],
    };

    await facts.put(newer);
    await facts.put(older);

    expect(await facts.latest('prod')).toEqual(newer);
    expect(await facts.latest('staging')).toBeUndefined();
  });
});
