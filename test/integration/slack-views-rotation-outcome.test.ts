import { afterEach, describe, expect, it } from 'vitest';
import { runAction } from '#core/remediation/run.ts';
import { validateBlockKitMessage } from '#core/slack-views/blocks.ts';
import { buildOutcomeMessage } from '#core/slack-views/outcome.ts';
import { ROTATION_ID, RotationWorld } from '#test/support/rotate-secret-harness.ts';

/**
 * The outcome a rotation leaves on its alert, from a real rotation (core action → real adapters →
 * the Kubernetes API double and mocked Secrets Manager): the new version, the refreshed
 * ExternalSecrets and each restarted consumer's rollout, each name a code span.
 */

let world: RotationWorld;

afterEach(async () => {
  await world.stop();
});

describe('rotation outcome in Slack', () => {
  it('shows the new version, the refreshes, and every consumer’s rollout: done, still rolling or failed', async () => {
    world = await RotationWorld.start();
    world.controllersStall.add('statefulsets/payments/ledger');
    world.controllersFail.add('deployments/payments/reports');
    const outcome = await runAction(
      world.action(),
      { secret: 'MyTestSecret', rotationId: ROTATION_ID },
      world.context(),
    );

    const message = buildOutcomeMessage({ outcome, cluster: 'prod' });

    expect(message.blocks[0]).toMatchObject({
      block_id: 'outcome_result',
      text: {
        text: [
          '⚠️ *Rotate secret* Secrets Manager secret `MyTestSecret` on `prod`',
          '*New version:* `5d1c4a0e-7b7f-4f0c-9a55-0c9d1e2f3a4b` is current (was `a1b2c3d4-5678-90ab-cdef-EXAMPLE22222`)',
          '*ExternalSecrets refreshed:* 4 of 4',
          '*Consumers restarted:* 6 of 6 (3 rolled out, 2 still rolling, 1 failed)',
          '• Deployment `payments/checkout`: rollout done (2/2 pods updated)',
          '• Deployment `payments/payments-api`: rollout done (2/2 pods updated)',
          '• Deployment `payments/batch`: still rolling after 180 s (0/1 pods updated)',
          '• Deployment `payments/reports`: rollout failed: exceeded its progress deadline: ReplicaSet "reports-6b8f7c9d4" has timed out progressing.',
          '• StatefulSet `payments/ledger`: still rolling after 180 s (its controller has not picked the restart up yet)',
          '• DaemonSet `payments/log-shipper`: rollout done (3/3 pods updated)',
          '• Pod `payments/debug-shell` keeps the old value: naked pod (no controller): cannot restart: delete/recreate manually',
          '• Pod `payments/ledger-migrate-8xk2p` keeps the old value: owned by Job ledger-migrate: a running Job is not restarted; its next run reads the new value',
        ].join('\n'),
      },
    });
    expect(message.blocks.map((b) => b.block_id)).toEqual(['outcome_result', 'outcome_meta']);
    expect(validateBlockKitMessage(message)).toEqual([]);
  });
});
