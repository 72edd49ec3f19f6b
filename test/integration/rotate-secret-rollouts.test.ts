import { afterEach, describe, expect, it } from 'vitest';
import type { ActionOutcome } from '#core/remediation/action.ts';
import type { RotateSecretRequest } from '#core/remediation/rotate-secret.ts';
import { runAction } from '#core/remediation/run.ts';
import { ROTATION_ID, RotationWorld } from '#test/support/rotate-secret-harness.ts';

/**
 * Rollouts are awaited, boundedly: after the restarts, rotate-secret polls each workload until its
 * controller reports it rolled out or failed, up to a limit, and says for each: done, still rolling
 * after N s, or failed and why.
 */

const request: RotateSecretRequest = { secret: 'MyTestSecret', rotationId: ROTATION_ID };

let world: RotationWorld;

afterEach(async () => {
  await world.stop();
});

function workloads(outcome: ActionOutcome): [string, string][] {
  if (outcome.status !== 'done') throw new Error(`expected done, got ${outcome.status}`);
  const report = outcome.verification.details as { workloads: { object: string; detail: string }[] };
  return report.workloads.map((w) => [w.object, w.detail]);
}

describe('rotate-secret: awaited rollouts', () => {
  it('reports each rollout as done, still rolling after the wait, or failed with the controller’s reason', async () => {
    world = await RotationWorld.start();
    world.controllersStall.add('statefulsets/payments/ledger');
    world.controllersFail.add('deployments/payments/reports');

    const outcome = await runAction(world.action(), request, world.context());

    expect(workloads(outcome)).toEqual([
      ['Deployment payments/checkout', 'rollout done (2/2 pods updated)'],
      ['Deployment payments/payments-api', 'rollout done (2/2 pods updated)'],
      ['Deployment payments/batch', 'still rolling after 180 s (0/1 pods updated)'],
      [
        'Deployment payments/reports',
        'rollout failed: exceeded its progress deadline: ReplicaSet "reports-6b8f7c9d4" has timed out progressing.',
      ],
      [
        'StatefulSet payments/ledger',
        'still rolling after 180 s (its controller has not picked the restart up yet)',
      ],
      ['DaemonSet payments/log-shipper', 'rollout done (3/3 pods updated)'],
    ]);
    expect(outcome.status === 'done' && outcome.verification).toMatchObject({
      complete: false,
      summary: expect.stringContaining('6/6 workloads restarted, 3 rolled out, 2 still rolling, 1 failed'),
    });
  });

  it('waits no longer than the configured limit', async () => {
    world = await RotationWorld.start({ rolloutSeconds: 120 });

    const outcome = await runAction(
      world.action({ rolloutWait: { timeoutMs: 30_000, intervalMs: 10_000 } }),
      request,
      world.context(),
    );

    expect(workloads(outcome).map(([, detail]) => detail.replace(/ \(.*\)$/, ''))).toEqual(
      Array.from({ length: 6 }, () => 'still rolling after 30 s'),
    );
  });
});
