import { describe, expect, it } from 'vitest';
import type { PlannedStep, RemediationPlan } from '#core/remediation/action.ts';
import { planOutline } from '#core/remediation/plan-view.ts';
import { applySteps, executePlan } from '#core/remediation/run.ts';
import { InMemoryKube } from '#test/support/in-memory-kube.ts';
import { actionContext, NODE, shopCluster } from '#test/support/remediation-cluster.ts';

/** The step interpreter every action executes through, and the plan as data for the confirmation. */

const STEPS: PlannedStep[] = [
  {
    op: 'patch',
    kind: 'Node',
    name: NODE,
    patchType: 'strategic-merge',
    body: { spec: { unschedulable: true } },
    why: 'cordon',
  },
  {
    op: 'create',
    object: {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'deny', namespace: 'shop' },
      spec: {},
    },
    why: 'deny',
  },
  {
    op: 'delete',
    kind: 'NetworkPolicy',
    namespace: 'shop',
    name: 'web-from-frontend',
    preconditions: { uid: 'u1' },
    why: 'drop',
  },
];

function planOf(steps: PlannedStep[]): RemediationPlan {
  return {
    action: 'cordon-node',
    target: `Node ${NODE}`,
    plannedAt: 'now',
    summary: 's',
    steps,
    effects: ['e'],
    warnings: ['w'],
    state: {},
  };
}

describe('step interpreter', () => {
  it('applies the steps in order and stops at the first failure', async () => {
    const kube = new InMemoryKube(shopCluster());
    kube.fail('create NetworkPolicy', 403, 'Forbidden');

    const { applied, failure } = await applySteps(STEPS, kube);

    expect(applied.map((a) => a.step.op)).toEqual(['patch']);
    expect(failure).toMatchObject({ step: { op: 'create' }, error: { code: 'FORBIDDEN' } });
    expect(kube.writes.map((w) => w.op)).toEqual(['patch', 'create']);
  });

  it('reports done with an unverified result when verification cannot read the cluster', async () => {
    const kube = new InMemoryKube(shopCluster());

    const outcome = await executePlan(planOf(STEPS.slice(0, 1)), actionContext(kube), {
      verify: () => Promise.reject(new Error('connection reset')),
      recovery: () => 'n/a',
    });

    expect(outcome).toMatchObject({
      status: 'done',
      verification: { complete: false, summary: 'not verified: INTERNAL: connection reset' },
    });
  });

  it('says how to recover when a step fails', async () => {
    const kube = new InMemoryKube(shopCluster());
    kube.fail('delete NetworkPolicy', 409, 'Conflict');

    const outcome = await executePlan(planOf(STEPS), actionContext(kube), {
      verify: async () => ({ complete: true, summary: 'ok' }),
      recovery: (applied, failed) => `${applied.length} applied, ${failed.op} failed`,
    });

    expect(outcome).toMatchObject({
      status: 'failed',
      recovery: '2 applied, delete failed',
      error: { code: 'CONFLICT' },
    });
  });
});

describe('plan outline for the confirmation', () => {
  it('lists objects to create, patch and delete with the exact bodies and content types, in order', () => {
    const outline = planOutline(planOf(STEPS), 'Cordon node');

    expect(outline).toMatchObject({
      title: 'Cordon node',
      capturesFirst: [],
      create: [
        {
          object: 'NetworkPolicy shop/deny',
          why: 'deny',
          body: STEPS[1]?.op === 'create' ? STEPS[1].object : null,
        },
      ],
      patch: [
        {
          object: `Node ${NODE}`,
          contentType: 'application/strategic-merge-patch+json',
          body: { spec: { unschedulable: true } },
        },
      ],
      delete: [{ object: 'NetworkPolicy shop/web-from-frontend', body: { preconditions: { uid: 'u1' } } }],
      order: [
        `1. patch Node ${NODE}`,
        '2. create NetworkPolicy shop/deny',
        '3. delete NetworkPolicy shop/web-from-frontend',
      ],
      effects: ['e'],
      warnings: ['w'],
    });
  });
});
