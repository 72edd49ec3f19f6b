import { afterEach, describe, expect, it } from 'vitest';
import type { ActionOutcome, RemediationPlan } from '#core/remediation/action.ts';
import type { RotateSecretRequest } from '#core/remediation/rotate-secret.ts';
import { ROTATION_ID_ANNOTATION } from '#core/remediation/rotate-secret-plan.ts';
import { CLUSTER_FORCE_SYNC_ANNOTATION } from '#core/secrets/external-secrets.ts';
import { enforceAdmissionPolicy } from '#test/support/admission-policy.ts';
import {
  clusterExternalSecretObjects,
  onTheWire,
  ROTATION_ID,
  RotationWorld,
  wireOf,
} from '#test/support/rotate-secret-harness.ts';

/**
 * An ExternalSecret a ClusterExternalSecret manages is refreshed through the ClusterExternalSecret:
 * its controller overwrites the annotations of what it manages, and copies its own
 * `external-secrets.io/force-sync` onto each of them. The rotation force-syncs the
 * ClusterExternalSecret once, waits for the managed ExternalSecrets to refresh, then restarts
 * their readers (test/fixtures/kubernetes/external-secrets/cluster-external-secret.yaml).
 */

const request: RotateSecretRequest = { secret: 'MyTestSecret', rotationId: ROTATION_ID };

let world: RotationWorld;

afterEach(async () => {
  await world.stop();
});

async function plan(): Promise<RemediationPlan> {
  const preflight = await world.action().preflight(request, world.context());
  if (preflight.status !== 'ready') throw new Error(`expected a plan, got: ${preflight.reason}`);
  return preflight.plan;
}

function report(outcome: ActionOutcome) {
  if (outcome.status !== 'done') throw new Error(`expected done, got ${outcome.status}`);
  return outcome.verification.details as {
    externalSecrets: { object: string; refreshed: boolean; detail: string }[];
  };
}

describe('rotate-secret and ClusterExternalSecrets', () => {
  it('force-syncs the ClusterExternalSecret, not the ExternalSecret it manages, bound to its uid', async () => {
    world = await RotationWorld.start({ extraObjects: clusterExternalSecretObjects() });

    const planned = await plan();

    const uid = world.api.object('clusterexternalsecrets', undefined, 'payments-db')?.metadata as {
      uid: string;
    };
    const syncs = planned.steps.filter(
      (step) => step.op === 'patch' && step.kind.endsWith('ExternalSecret') && step.name === 'payments-db',
    );
    expect(syncs).toEqual([
      {
        op: 'patch',
        kind: 'ClusterExternalSecret',
        name: 'payments-db',
        patchType: 'merge',
        body: {
          metadata: {
            uid: uid.uid,
            annotations: {
              [CLUSTER_FORCE_SYNC_ANNOTATION]: '1772366400',
              [ROTATION_ID_ANNOTATION]: ROTATION_ID,
            },
          },
        },
        why: 'make External Secrets Operator fetch the new version into every ExternalSecret this ClusterExternalSecret manages, now',
      },
    ]);
    expect(planned.summary).toBe(
      `RotateSecret MyTestSecret (new version ${ROTATION_ID}), force-sync 4 ExternalSecrets and 1 ClusterExternalSecret, restart 8 workloads`,
    );
    expect(planned.effects).toContain(
      'ExternalSecret payments/payments-db refreshes Secret payments/payments-db (through ClusterExternalSecret payments-db); restarts of its readers wait for that refresh',
    );
  });

  it('waits for the managed ExternalSecret to refresh, then restarts its reader; holds back a reader whose ExternalSecret does not exist yet', async () => {
    world = await RotationWorld.start({ extraObjects: clusterExternalSecretObjects() });
    const planned = await plan();
    world.api.requests.length = 0;

    const outcome = await world.action().execute(planned, world.context());

    const held = 'Deployment reporting/nightly-report';
    expect(onTheWire(world.api.writes())).toEqual(
      planned.steps.filter((step) => step.op !== 'patch' || step.namespace !== 'reporting').map(wireOf),
    );
    expect(world.api.object('externalsecrets', 'payments', 'payments-db')?.status).toMatchObject({
      refreshTime: expect.any(String),
    });
    expect(outcome).toMatchObject({
      status: 'failed',
      error: {
        details: {
          notDone: [
            {
              object: held,
              reason:
                'not restarted: ExternalSecret reporting/payments-db has not refreshed, so new pods would read the old value',
            },
          ],
          rollouts: expect.objectContaining({ 'Deployment payments/payments-worker': 'done' }),
        },
      },
    });
    const verification = await world.action().verify(planned, world.context());
    expect((verification.details as ReturnType<typeof report>).externalSecrets).toContainEqual({
      object: 'ExternalSecret payments/payments-db',
      refreshed: true,
      detail: 'refreshed',
    });
  });

  it('is admitted by the admission policy, which refuses any other change to a ClusterExternalSecret', async () => {
    world = await RotationWorld.start({ extraObjects: clusterExternalSecretObjects() });
    const admitted = enforceAdmissionPolicy(world.api);
    const planned = await plan();

    await world.action().execute(planned, world.context());
    const hostile = await world
      .context()
      .kube.patch(
        { kind: 'ClusterExternalSecret', name: 'payments-db' },
        { type: 'merge', body: { spec: { namespaceSelectors: [{}] } } },
      )
      .then(
        () => undefined,
        (error: unknown) => error,
      );

    const ces = admitted.filter((write) => write.request.resource.resource === 'clusterexternalsecrets');
    expect(ces.map((write) => write.decision.allowed)).toEqual([true, false]);
    expect(hostile).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
