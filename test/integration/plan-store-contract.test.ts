import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findingsTableDefinition } from '../../adapters/aws/findings-table.ts';
import { DynamoPlanStore } from '../../adapters/aws/plan-store.ts';
import { InMemoryPlanStore } from '../../adapters/local/in-memory-plan-store.ts';
import {
  type ApprovalDecision,
  type PlanApproval,
  type PlanStore,
  planExpiry,
  type StoredPlan,
} from '../../core/chatops/plan-store.ts';
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

  it('asks for an approval once, extends the plan to cover it, and refuses to run it unapproved', async () => {
    const plans = await kind.create();
    await plans.putIfAbsent(storedPlan());
    const asked = approval('r-1111111111111111', 2, 30);

    const first = await plans.requestApproval('r-0123456789abcdef', asked);
    const redelivered = await plans.requestApproval('r-0123456789abcdef', asked);
    const other = await plans.requestApproval('r-0123456789abcdef', approval('r-2222222222222222', 3, 30));

    expect(first).toEqual({
      asked: true,
      plan: { ...storedPlan(), expiresAt: at(32), approval: asked },
    });
    expect(redelivered).toEqual(first);
    expect(other).toMatchObject({
      asked: false,
      why: 'taken',
      plan: { approval: { requestId: 'r-1111111111111111' } },
    });
    expect(
      await plans.claimExecution('r-0123456789abcdef', execution('r-1111111111111111', 4)),
    ).toMatchObject({
      claimed: false,
      why: 'unapproved',
    });
    await plans.recordApprovalMessage('r-0123456789abcdef', 'r-2222222222222222', {
      channel: 'C0OTHER',
      ts: '1.1',
    });
    await plans.recordApprovalMessage('r-0123456789abcdef', 'r-1111111111111111', {
      channel: 'C0ALERTS',
      ts: '2.2',
    });
    expect((await plans.get('r-0123456789abcdef'))?.approval?.message).toEqual({
      channel: 'C0ALERTS',
      ts: '2.2',
    });
  });

  it('keeps the plan expiry when the approval ends sooner; refuses to ask for an expired or executed plan', async () => {
    const plans = await kind.create();
    await plans.putIfAbsent(storedPlan());

    const asked = await plans.requestApproval('r-0123456789abcdef', approval('r-1111111111111111', 2, 1));

    expect(asked).toMatchObject({ asked: true, plan: { expiresAt: at(15) } });
    const expired = await kind.create();
    await expired.putIfAbsent(storedPlan());
    expect(
      await expired.requestApproval('r-0123456789abcdef', approval('r-1111111111111111', 15, 30)),
    ).toMatchObject({
      asked: false,
      why: 'expired',
    });
    const executed = await kind.create();
    await executed.putIfAbsent(storedPlan());
    await executed.claimExecution('r-0123456789abcdef', execution('r-3333333333333333'));
    expect(
      await executed.requestApproval('r-0123456789abcdef', approval('r-1111111111111111', 2, 30)),
    ).toMatchObject({
      asked: false,
      why: 'executed',
    });
    expect(
      await executed.requestApproval('r-9999999999999999', approval('r-1111111111111111', 2, 30)),
    ).toEqual({
      asked: false,
      why: 'missing',
    });
  });

  it('decides an approval once, within its time; an approved plan runs after its own 15 minutes', async () => {
    const plans = await kind.create();
    await plans.putIfAbsent(storedPlan());
    await plans.requestApproval('r-0123456789abcdef', approval('r-1111111111111111', 2, 30));
    const approve = decision('r-4444444444444444', 'approved', 20);

    const results = await Promise.all([
      plans.decideApproval('r-0123456789abcdef', approve),
      plans.decideApproval('r-0123456789abcdef', decision('r-5555555555555555', 'denied', 20)),
    ]);
    const winner = results.find((r) => r.decided);
    expect(results.filter((r) => r.decided)).toHaveLength(1);
    expect(results.find((r) => !r.decided)).toMatchObject({ decided: false, why: 'decided' });
    const decided = winner?.decided === true ? winner.plan.approval.decision : undefined;
    expect(await plans.decideApproval('r-0123456789abcdef', decided ?? approve)).toMatchObject({
      decided: true,
      plan: { approval: { decision: decided } },
    });
    const claim = await plans.claimExecution('r-0123456789abcdef', execution(decided?.requestId ?? '', 21));
    expect(claim.claimed).toBe(decided?.status === 'approved');
  });

  it('runs an approved plan after the plan alone would have expired', async () => {
    const plans = await kind.create();
    await plans.putIfAbsent(storedPlan());
    await plans.requestApproval('r-0123456789abcdef', approval('r-1111111111111111', 2, 30));

    expect(
      await plans.decideApproval('r-0123456789abcdef', decision('r-4444444444444444', 'approved', 20)),
    ).toMatchObject({
      decided: true,
      plan: { approval: { decision: { status: 'approved', by: 'U0ADMIN' } } },
    });
    expect(
      await plans.claimExecution('r-0123456789abcdef', {
        ...execution('r-4444444444444444', 21),
        approvedBy: 'U0ADMIN',
      }),
    ).toMatchObject({ claimed: true, plan: { execution: { approvedBy: 'U0ADMIN' } } });
  });

  it('refuses a decision after the approval expired, or on a plan that asked for none', async () => {
    const plans = await kind.create();
    await plans.putIfAbsent(storedPlan());
    await plans.putIfAbsent(storedPlan({ requestId: 'r-aaaaaaaaaaaaaaaa' }));
    await plans.requestApproval('r-0123456789abcdef', approval('r-1111111111111111', 2, 30));

    expect(
      await plans.decideApproval('r-0123456789abcdef', decision('r-4444444444444444', 'approved', 32)),
    ).toMatchObject({ decided: false, why: 'expired' });
    expect(
      await plans.decideApproval('r-aaaaaaaaaaaaaaaa', decision('r-4444444444444444', 'approved', 3)),
    ).toMatchObject({ decided: false, why: 'not-asked' });
    expect(
      await plans.decideApproval('r-9999999999999999', decision('r-4444444444444444', 'approved', 3)),
    ).toEqual({ decided: false, why: 'missing' });
    expect((await plans.get('r-0123456789abcdef'))?.approval?.decision).toBeUndefined();
  });
});

function approval(requestId: string, minutes: number, within: number): PlanApproval {
  return {
    requestId,
    requestedBy: 'U0ONCALL',
    requestedAt: at(minutes),
    expiresAt: at(minutes + within),
    reason: 'crypto miner seen on the pod',
    approverRole: 'admin',
    view: 'V0CONFIRM',
  };
}

function decision(requestId: string, status: ApprovalDecision['status'], minutes: number): ApprovalDecision {
  return { status, by: 'U0ADMIN', at: at(minutes), requestId };
}
