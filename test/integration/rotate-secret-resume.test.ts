import { RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { afterEach, describe, expect, it } from 'vitest';
import type { ActionOutcome, RemediationPlan } from '#core/remediation/action.ts';
import type { RotateSecretRequest } from '#core/remediation/rotate-secret.ts';
import { ROTATION_ID_ANNOTATION } from '#core/remediation/rotate-secret-plan.ts';
import { onTheWire, ROTATION_ID, RotationWorld, wireOf } from '#test/support/rotate-secret-harness.ts';

/**
 * A rotation that stops midway leaves its state in the systems themselves — the new version is
 * AWSCURRENT under the rotation id, and every ExternalSecret and workload it reached carries
 * kubeguard.io/rotation-id — so running it again with the same id finishes only what is left.
 */

let world: RotationWorld;

afterEach(async () => {
  await world.stop();
});

const request: RotateSecretRequest = { secret: 'MyTestSecret', rotationId: ROTATION_ID };

async function plan(): Promise<RemediationPlan> {
  const preflight = await world.action().preflight(request, world.context());
  if (preflight.status !== 'ready') throw new Error(`expected a plan, got: ${preflight.reason}`);
  return preflight.plan;
}

function failed(outcome: ActionOutcome): Extract<ActionOutcome, { status: 'failed' }> {
  if (outcome.status !== 'failed') throw new Error(`expected failed, got ${outcome.status}`);
  return outcome;
}

function targets(planned: RemediationPlan): string[] {
  return planned.steps.map((step) =>
    step.op === 'patch' ? `${step.kind} ${step.namespace}/${step.name}` : step.op,
  );
}

describe('rotate-secret: a failure midway and the retry that finishes it', () => {
  it('goes on past a 403 on one workload, records what it did, and names what is left', async () => {
    world = await RotationWorld.start();
    world.api.forbid({ verb: 'patch', resource: 'daemonsets', namespace: 'payments' });

    const outcome = failed(await world.action().execute(await plan(), world.context()));

    expect(outcome.error.code).toBe('FORBIDDEN');
    expect(outcome.failedStep).toMatchObject({ kind: 'DaemonSet', name: 'log-shipper' });
    expect(outcome.applied).toHaveLength(9);
    expect(outcome.error.details).toMatchObject({
      versionAfter: ROTATION_ID,
      notDone: [{ object: 'DaemonSet payments/log-shipper', code: 'FORBIDDEN' }],
    });
    expect(outcome.recovery).toContain('still to do: DaemonSet payments/log-shipper');
    expect(outcome.recovery).toContain(`run rotate-secret again with rotation id ${ROTATION_ID}`);
    expect(world.api.object('statefulsets', 'payments', 'ledger')?.metadata).toMatchObject({
      annotations: { [ROTATION_ID_ANNOTATION]: ROTATION_ID },
    });
  });

  it('finishes on retry with the same rotation id: no second RotateSecret, only the missing restart', async () => {
    world = await RotationWorld.start();
    world.api.forbid({ verb: 'patch', resource: 'daemonsets', namespace: 'payments' });
    await world.action().execute(await plan(), world.context());
    world.grantBotRole();
    world.api.requests.length = 0;

    const retry = await plan();
    const outcome = await world.action().execute(retry, world.context());

    expect(retry.summary).toBe(
      `MyTestSecret already rotated (version ${ROTATION_ID}), force-sync 0 ExternalSecrets, restart 1 workload`,
    );
    expect(targets(retry)).toEqual(['DaemonSet payments/log-shipper']);
    expect(outcome.status).toBe('done');
    expect(onTheWire(world.api.writes())).toEqual(retry.steps.map(wireOf));
    expect(world.sm.commandCalls(RotateSecretCommand)).toHaveLength(1);
    expect(outcome.status === 'done' && outcome.verification.summary).toContain(
      '4/4 ExternalSecrets refreshed; 6/6 workloads restarted',
    );
  });

  it('holds back the readers of an ExternalSecret the operator did not refresh, then restarts them on retry', async () => {
    world = await RotationWorld.start();
    world.operatorIgnores.add('payments/batch-settings');

    const outcome = failed(await world.action().execute(await plan(), world.context()));

    expect(outcome.error.message).toContain(
      'ExternalSecret payments/batch-settings: not refreshed: no refresh reported within 60 s after force-sync (refreshInterval 0',
    );
    expect(outcome.error.message).toContain(
      'Deployment payments/batch: not restarted: ExternalSecret payments/batch-settings has not refreshed',
    );
    expect(world.api.object('deployments', 'payments', 'batch')?.metadata).not.toHaveProperty('annotations');

    world.operatorIgnores.clear();
    world.runOperator();
    world.api.requests.length = 0;
    const retry = await plan();
    const finished = await world.action().execute(retry, world.context());

    expect(targets(retry)).toEqual(['Deployment payments/batch']);
    expect(finished.status).toBe('done');
    expect(onTheWire(world.api.writes())).toEqual(retry.steps.map(wireOf));
  });

  it('runs a redelivered plan again without a second rotation or a second rollout', async () => {
    world = await RotationWorld.start();
    const planned = await plan();
    await world.action().execute(planned, world.context());
    const generations = () =>
      ['deployments', 'statefulsets', 'daemonsets'].flatMap((resource) =>
        world.api.objects(resource, 'payments').map((o) => {
          const metadata = o.metadata as { name: string; generation: number };
          return `${metadata.name}:${metadata.generation}`;
        }),
      );
    const before = generations();
    await world.sleep(10 * 60 * 1000);

    const again = await world.action().execute(planned, world.context());

    expect(again.status).toBe('done');
    expect(world.sm.commandCalls(RotateSecretCommand)).toHaveLength(1);
    expect(generations()).toEqual(before);
  });
});
