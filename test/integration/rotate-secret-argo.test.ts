import { afterEach, describe, expect, it } from 'vitest';
import type { ActionOutcome, RemediationPlan } from '#core/remediation/action.ts';
import type { RotateSecretRequest } from '#core/remediation/rotate-secret.ts';
import { ROTATION_ID_ANNOTATION } from '#core/remediation/rotate-secret-plan.ts';
import { enforceAdmissionPolicy } from '#test/support/admission-policy.ts';
import type { JsonObject } from '#test/support/kube-api-semantics.ts';
import {
  argoRolloutObjects,
  onTheWire,
  ROTATION_ID,
  RotationWorld,
  START,
  wireOf,
} from '#test/support/rotate-secret-harness.ts';

/**
 * Argo Rollouts that read the rotated secret are restarted the way `kubectl argo rollouts restart`
 * does it — `spec.restartAt`, a merge patch, since custom resources refuse strategic merge — and
 * their restart is awaited like any rollout: done once the controller reports `status.restartedAt`.
 */

const request: RotateSecretRequest = { secret: 'MyTestSecret', rotationId: ROTATION_ID };
const RESTART_AT = START.replace(/\.\d+Z$/, 'Z');
const ROLLOUT = 'payments-canary';

let world: RotationWorld;

afterEach(async () => {
  await world.stop();
});

async function plan(): Promise<RemediationPlan> {
  const preflight = await world.action().preflight(request, world.context());
  if (preflight.status !== 'ready') throw new Error(`expected a plan, got: ${preflight.reason}`);
  return preflight.plan;
}

function rolloutDetail(outcome: ActionOutcome): string | undefined {
  if (outcome.status !== 'done') throw new Error(`expected done, got ${JSON.stringify(outcome)}`);
  const report = outcome.verification.details as { workloads: { object: string; detail: string }[] };
  return report.workloads.find((w) => w.object === `Rollout payments/${ROLLOUT}`)?.detail;
}

/** The fixture's Rollout taking its pod template from a Deployment (`spec.workloadRef`). */
function withWorkloadRef(objects: JsonObject[]): JsonObject[] {
  return objects.map((object) => {
    if (object.kind !== 'Rollout') return object;
    const { template: _template, ...spec } = object.spec as Record<string, unknown>;
    return {
      ...object,
      spec: { ...spec, workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: ROLLOUT } },
    };
  });
}

describe('rotate-secret and Argo Rollouts', () => {
  it('restarts a Rollout through spec.restartAt, bound to its uid, and sends exactly the planned writes', async () => {
    world = await RotationWorld.start({ extraObjects: argoRolloutObjects() });
    const planned = await plan();
    world.api.requests.length = 0;

    const outcome = await world.action().execute(planned, world.context());

    expect(planned.steps.find((step) => step.op === 'patch' && step.kind === 'Rollout')).toEqual({
      op: 'patch',
      kind: 'Rollout',
      namespace: 'payments',
      name: ROLLOUT,
      patchType: 'merge',
      body: {
        metadata: {
          uid: 'b350ba76-f6ed-11e9-a15b-42010aa80033',
          annotations: { [ROTATION_ID_ANNOTATION]: ROTATION_ID },
        },
        spec: { restartAt: RESTART_AT },
      },
      why: 'restart through Argo Rollouts (spec.restartAt) so new pods read the new value (env payments-api-credentials); env vars never refresh in running pods',
    });
    expect(onTheWire(world.api.writes())).toEqual(planned.steps.map(wireOf));
    expect(world.api.object('rollouts', 'payments', ROLLOUT)?.spec).toMatchObject({ restartAt: RESTART_AT });
    expect(rolloutDetail(outcome)).toBe('rollout done (5/5 pods updated)');
  });

  it('finds a Rollout through its pods when it takes its template from a Deployment', async () => {
    world = await RotationWorld.start({ extraObjects: withWorkloadRef(argoRolloutObjects()) });

    const planned = await plan();

    expect(planned.effects).toContain(
      `Rollout payments/${ROLLOUT} rolls out new pods (reads env payments-api-credentials)`,
    );
  });

  it('reports a Rollout its controller marks Degraded as failed', async () => {
    world = await RotationWorld.start({ extraObjects: argoRolloutObjects() });
    world.controllersFail.add(`rollouts/payments/${ROLLOUT}`);

    const outcome = await world.action().execute(await plan(), world.context());

    expect(rolloutDetail(outcome)).toBe(
      `rollout failed: Degraded: ReplicaSet "${ROLLOUT}-6b8f7c9d4" has timed out progressing.`,
    );
  });

  it('says that a restart the controller has not finished is still going, and why', async () => {
    world = await RotationWorld.start({ extraObjects: argoRolloutObjects(), rolloutSeconds: 600 });

    const outcome = await world
      .action({ rolloutWait: { timeoutMs: 60_000 } })
      .execute(await plan(), world.context());

    expect(rolloutDetail(outcome)).toBe(
      'still rolling after 60 s (its controller has not picked the restart up yet)',
    );
  });

  it('is admitted by the admission policy: the Rollout restart changes only spec.restartAt and kubeguard.io annotations', async () => {
    world = await RotationWorld.start({ extraObjects: argoRolloutObjects() });
    const admitted = enforceAdmissionPolicy(world.api);

    await world.action().execute(await plan(), world.context());

    const rollout = admitted.filter((write) => write.request.resource.resource === 'rollouts');
    expect(rollout.map((write) => write.decision)).toEqual([{ matched: true, allowed: true, denials: [] }]);
  });

  it.each([
    [
      'an image change',
      { spec: { template: { spec: { containers: [{ name: ROLLOUT, image: 'attacker/miner:1' }] } } } },
    ],
    ['a strategy change', { spec: { strategy: { canary: { steps: [] } } } }],
    ['a label', { metadata: { labels: { app: 'other' } } }],
  ])('denies the remediation identity %s on a Rollout', async (_what, body) => {
    world = await RotationWorld.start({ extraObjects: argoRolloutObjects() });
    const admitted = enforceAdmissionPolicy(world.api);

    const refused = await world
      .context()
      .kube.patch({ kind: 'Rollout', namespace: 'payments', name: ROLLOUT }, { type: 'merge', body })
      .then(
        () => undefined,
        (error: unknown) => error,
      );

    expect(refused).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(admitted.map((write) => write.decision.allowed)).toEqual([false]);
    expect(world.api.object('rollouts', 'payments', ROLLOUT)?.spec).toMatchObject({
      template: { spec: { containers: [expect.objectContaining({ image: 'argoproj/rollouts-demo:blue' })] } },
    });
  });
});
