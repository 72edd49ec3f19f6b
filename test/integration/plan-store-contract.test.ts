import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findingsTableDefinition } from '../../adapters/aws/findings-table.ts';
import { DynamoPlanStore } from '../../adapters/aws/plan-store.ts';
import { InMemoryPlanStore } from '../../adapters/local/in-memory-plan-store.ts';
import { type PlanStore, planExpiry, type StoredPlan } from '../../core/chatops/plan-store.ts';
import type { ActionOutcome } from '../../core/remediation/action.ts';
import { type Dynalite, startDynalite } from '../support/dynalite.ts';

let db: Dynalite;
let tables = 0;

beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db.stop();
});

const kinds: { name: string; create(): Promise<PlanStore> }[] = [
  { name: 'in-memory plans', create: async () => new InMemoryPlanStore() },
  {
    name: 'DynamoDB plans (dynalite)',
    create: async () => {
      tables += 1;
      const tableName = `plans-${tables}`;
      await db.createTable(findingsTableDefinition(tableName));
      return new DynamoPlanStore({ client: db.documentClient, tableName });
    },
  },
];

const PLANNED = '2026-12-03T10:00:00.000Z';

function storedPlan(overrides: Partial<StoredPlan> = {}): StoredPlan {
  return {
    requestId: 'r-0123456789abcdef',
    action: 'isolate-pod',
    cluster: 'prod-cluster',
    finding: 'a'.repeat(32),
    requestedBy: 'U0ONCALL',
    plannedAt: PLANNED,
    expiresAt: planExpiry(PLANNED),
    reply: { channelId: 'C0ALERTS' },
    plan: {
      action: 'isolate-pod',
      target: 'Pod shop/web-1',
      plannedAt: PLANNED,
      summary: 'quarantine the pod',
      steps: [],
      effects: ['the Deployment replaces it'],
      warnings: [],
      state: { namespace: 'shop', pod: 'web-1' },
    },
    ...overrides,
  };
}

const at = (minutes: number) => new Date(Date.parse(PLANNED) + minutes * 60_000).toISOString();
const execution = (requestId: string, minutes = 1) => ({
  requestId,
  by: 'U0ONCALL',
  at: at(minutes),
  reason: 'crypto miner seen on the pod',
});

describe.each(kinds)('PlanStore contract: $name', (kind) => {
  it('stores a plan once: a second put under the same request id gets the first back', async () => {
    const plans = await kind.create();
    const first = storedPlan();

    expect(await plans.putIfAbsent(first)).toEqual(first);
    const again = await plans.putIfAbsent(storedPlan({ plannedAt: at(1), requestedBy: 'U0OTHER' }));

    expect(again).toEqual(first);
    expect(await plans.get(first.requestId)).toEqual(first);
    expect(await plans.get('r-ffffffffffffffff')).toBeUndefined();
  });

  it('grants the execution to one confirmation, again to the same one, never to another', async () => {
    const plans = await kind.create();
    await plans.putIfAbsent(storedPlan());

    const first = await plans.claimExecution('r-0123456789abcdef', execution('r-1111111111111111'));
    const redelivered = await plans.claimExecution('r-0123456789abcdef', execution('r-1111111111111111', 3));
    const other = await plans.claimExecution('r-0123456789abcdef', execution('r-2222222222222222'));

    expect(first).toMatchObject({ claimed: true, plan: { execution: execution('r-1111111111111111') } });
    expect(redelivered).toMatchObject({
      claimed: true,
      plan: { execution: execution('r-1111111111111111') },
    });
    expect(other).toMatchObject({
      claimed: false,
      why: 'taken',
      plan: { execution: { requestId: 'r-1111111111111111' } },
    });
  });

  it('grants exactly one of concurrent confirmations', async () => {
    const plans = await kind.create();
    await plans.putIfAbsent(storedPlan());

    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        plans.claimExecution('r-0123456789abcdef', execution(`r-${String(i).repeat(16)}`)),
      ),
    );

    expect(results.filter((r) => r.claimed)).toHaveLength(1);
  });

  it('refuses a plan that expired, and says which; a plan never made is missing', async () => {
    const plans = await kind.create();
    await plans.putIfAbsent(storedPlan());

    expect(
      await plans.claimExecution('r-0123456789abcdef', execution('r-1111111111111111', 15)),
    ).toMatchObject({ claimed: false, why: 'expired', plan: { requestId: 'r-0123456789abcdef' } });
    expect(await plans.claimExecution('r-9999999999999999', execution('r-1111111111111111'))).toEqual({
      claimed: false,
      why: 'missing',
    });
  });

  it('keeps the outcome of the confirmation holding the claim, and only that one', async () => {
    const plans = await kind.create();
    await plans.putIfAbsent(storedPlan());
    await plans.claimExecution('r-0123456789abcdef', execution('r-1111111111111111'));
    const outcome: ActionOutcome = {
      status: 'skipped',
      action: 'isolate-pod',
      target: 'Pod shop/web-1',
      reason: 'already quarantined',
      at: at(2),
      actor: 'slack:U0ONCALL',
    };

    await plans.recordOutcome('r-0123456789abcdef', 'r-2222222222222222', { ...outcome, reason: 'not mine' });
    await plans.recordOutcome('r-0123456789abcdef', 'r-1111111111111111', outcome);

    expect((await plans.get('r-0123456789abcdef'))?.outcome).toEqual(outcome);
  });
});
