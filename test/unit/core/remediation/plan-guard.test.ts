import { describe, expect, it } from 'vitest';
import type { PlannedStep, RemediationPlan } from '#core/remediation/action.ts';
import { cordonNode } from '#core/remediation/cordon-node.ts';
import { isolatePod } from '#core/remediation/isolate-pod.ts';
import { guardFor, guardOf, guardTests } from '#core/remediation/plan-guard.ts';
import { releasePod } from '#core/remediation/release-pod.ts';
import { applySteps } from '#core/remediation/run.ts';
import { InMemoryKube } from '#test/support/in-memory-kube.ts';
import { actionContext, NODE, SUSPECT, shopCluster } from '#test/support/remediation-cluster.ts';

/** Plans bound to their objects: the guard in each write, its explanation, and the plan state read back. */

const POD_UID = 'b1f0c6a2-5d1e-4c3b-9a8e-0f1e2d3c4b5a';

function labelPatch(body: unknown, patchType: 'strategic-merge' | 'json' = 'strategic-merge'): PlannedStep {
  return { op: 'patch', kind: 'Pod', namespace: 'shop', name: SUSPECT, patchType, body, why: 'label' };
}

describe('the guard a write carries', () => {
  it('binds to the uid, and to the resourceVersion only when the write records prior state', () => {
    const pod = new InMemoryKube(shopCluster()).find('Pod', 'shop', SUSPECT);
    if (pod === undefined) throw new Error('no suspect pod');

    expect(guardFor(pod, { recordsState: false })).toEqual({ uid: POD_UID });
    expect(guardFor(pod, { recordsState: true })).toEqual({
      uid: POD_UID,
      resourceVersion: pod.metadata.resourceVersion,
    });
    expect(guardTests({ uid: POD_UID, resourceVersion: '7' })).toEqual([
      { op: 'test', path: '/metadata/uid', value: POD_UID },
      { op: 'test', path: '/metadata/resourceVersion', value: '7' },
    ]);
  });

  it('refuses to plan on an object that was not read from an API server (no uid)', () => {
    expect(() => guardFor({ kind: 'Node', metadata: { name: NODE } }, { recordsState: false })).toThrow(
      `Node ${NODE} has no metadata.uid: it was not read from an API server, so a plan cannot be bound to it`,
    );
  });

  it('is read back from merge bodies, JSON patch tests and delete preconditions alike', () => {
    expect(guardOf(labelPatch({ metadata: { uid: 'u1', resourceVersion: '9', labels: {} } }))).toEqual({
      uid: 'u1',
      resourceVersion: '9',
    });
    expect(guardOf(labelPatch([...guardTests({ uid: 'u1' }), { op: 'remove', path: '/x' }], 'json'))).toEqual(
      { uid: 'u1' },
    );
    expect(
      guardOf({ op: 'delete', kind: 'NetworkPolicy', name: 'p', preconditions: { uid: 'u2' }, why: '' }),
    ).toEqual({ uid: 'u2' });
    expect(guardOf(labelPatch({ metadata: { labels: {} } }))).toBeUndefined();
  });
});

describe('a refused guarded write', () => {
  it('names the replacement when the uid differs', async () => {
    const kube = new InMemoryKube(shopCluster());

    const { failure } = await applySteps(
      [labelPatch({ metadata: { uid: 'uid-of-the-planned-pod', labels: { a: 'b' } } })],
      kube,
    );

    expect(failure?.error).toMatchObject({
      name: 'StalePlanError',
      code: 'CONFLICT',
      reason: 'replaced',
      message: `Pod shop/${SUSPECT} was replaced after the plan (uid uid-of-the-planned-pod → ${POD_UID}); nothing was written to it: plan the action again to act on the object that exists now`,
      details: { refusal: { code: 'INVALID_ARGUMENT' } },
    });
    expect(kube.find('Pod', 'shop', SUSPECT)?.metadata.labels).not.toHaveProperty('a');
  });

  it('keeps an unrelated refusal as the API server gave it', async () => {
    const kube = new InMemoryKube(shopCluster());
    kube.fail('patch Pod', 403, 'Forbidden');

    const { failure } = await applySteps([labelPatch({ metadata: { uid: POD_UID, labels: {} } })], kube);

    expect(failure?.error).toMatchObject({
      code: 'FORBIDDEN',
      message: 'patch Pod refused (HTTP 403 Forbidden)',
    });
  });
});

describe('plan state read back after a queue', () => {
  async function planned(action: 'isolate' | 'cordon' | 'release'): Promise<RemediationPlan> {
    const kube = new InMemoryKube(shopCluster());
    const context = actionContext(kube);
    if (action === 'release') {
      const isolation = await isolatePod.preflight(
        { namespace: 'shop', pod: SUSPECT, quarantineId: 'q1' },
        context,
      );
      if (isolation.status !== 'ready') throw new Error(isolation.reason);
      await isolatePod.execute(isolation.plan, context);
    }
    const result =
      action === 'isolate'
        ? await isolatePod.preflight({ namespace: 'shop', pod: SUSPECT, quarantineId: 'q1' }, context)
        : action === 'cordon'
          ? await cordonNode.preflight({ node: NODE, cordonId: 'c1' }, context)
          : await releasePod.preflight({ namespace: 'shop', pod: SUSPECT }, context);
    if (result.status !== 'ready') throw new Error(result.reason);
    return JSON.parse(JSON.stringify(result.plan)) as RemediationPlan;
  }

  it.each([
    ['isolate', isolatePod, 'isolate-pod', 'uid'],
    ['cordon', cordonNode, 'cordon-node', 'uid'],
    ['release', releasePod, 'release-pod', 'restoredLabels'],
  ] as const)('refuses a %s plan whose state kubeguard did not write', async (which, action, id, field) => {
    const plan = await planned(which);
    const { [field]: _dropped, ...state } = plan.state as Record<string, unknown>;
    const kube = new InMemoryKube(shopCluster());

    await expect(action.verify({ ...plan, state }, actionContext(kube))).rejects.toThrow(
      new RegExp(
        `^the ${id} plan's state is not one kubeguard wrote \\(.* at ${field}\\); plan the action again$`,
      ),
    );
  });

  it('reads a state that crossed a queue as JSON', async () => {
    const kube = new InMemoryKube(shopCluster());
    const plan = await planned('cordon');

    await expect(cordonNode.verify(plan, actionContext(kube))).resolves.toEqual({
      complete: false,
      summary: `node ${NODE} is schedulable and lacks kubeguard.io/cordon=c1`,
    });
  });
});
