import { PutSecretValueCommand, RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { afterEach, describe, expect, it } from 'vitest';
import type { ActionOutcome } from '#core/remediation/action.ts';
import type { RotateSecretRequest } from '#core/remediation/rotate-secret.ts';
import { ROTATION_ID_ANNOTATION } from '#core/remediation/rotate-secret-plan.ts';
import { runAction } from '#core/remediation/run.ts';
import { GENERATE_TAG } from '#core/remediation/secret-ports.ts';
import { ROTATION_ID, RotationWorld, SECRET_ARN, START } from '#test/support/rotate-secret-harness.ts';

/**
 * One rotation per secret at a time: two clicks (two rotation ids) on the same secret within the
 * cooldown store one value and start one set of rollouts; the second click reports the first
 * rotation's progress instead.
 */

const SECOND_CLICK = '9b7e3c1a-4f2d-4e6a-8b0c-2d4e6f8a0b1c';
const first: RotateSecretRequest = { secret: 'MyTestSecret', rotationId: ROTATION_ID };
const second: RotateSecretRequest = { secret: 'MyTestSecret', rotationId: SECOND_CLICK };

let world: RotationWorld;

afterEach(async () => {
  await world.stop();
});

/** The rotating fixture with rotation off and the generate tag set: each click would store a value. */
function generateModeWorld(): Promise<RotationWorld> {
  return RotationWorld.start({
    overrides: { RotationEnabled: false },
    tags: [{ Key: GENERATE_TAG.key, Value: GENERATE_TAG.value }],
  });
}

function generations(): string[] {
  return ['deployments', 'statefulsets', 'daemonsets'].flatMap((resource) =>
    world.api.objects(resource, 'payments').map((o) => {
      const metadata = o.metadata as { name: string; generation: number };
      return `${metadata.name}:${metadata.generation}`;
    }),
  );
}

function skipped(outcome: ActionOutcome): Extract<ActionOutcome, { status: 'skipped' }> {
  if (outcome.status !== 'skipped') throw new Error(`expected skipped, got ${outcome.status}`);
  return outcome;
}

const FIRST_STARTED = `rotation ${ROTATION_ID} of MyTestSecret, started at ${START} by slack:U024BE7LH, holds the secret until 2026-03-01T12:15:00.000Z (one rotation per secret within the cooldown), so no other rotation starts`;

describe('rotate-secret: one rotation per secret at a time', () => {
  it('stores one generated value and rolls out once for two clicks, and the second reports the first', async () => {
    world = await generateModeWorld();
    const done = await runAction(world.action(), first, world.context());
    const after = generations();

    const again = skipped(await runAction(world.action(), second, world.context()));

    expect(done.status).toBe('done');
    expect(world.sm.commandCalls(PutSecretValueCommand)).toHaveLength(1);
    expect(generations()).toEqual(after);
    expect(again.reason).toBe(
      `${FIRST_STARTED}: its version ${ROTATION_ID} is AWSCURRENT; it force-synced 4/4 ExternalSecrets and restarted 6/6 workloads`,
    );
    expect(again).toMatchObject({
      recommendation: `follow that rotation (run rotate-secret with rotation id ${ROTATION_ID} to resume or verify it), or rotate again after 2026-03-01T12:15:00.000Z`,
      facts: { code: 'CONFLICT', rotation: { rotationId: ROTATION_ID, secretArn: SECRET_ARN } },
    });
  });

  it('lets only one of two clicks planned at the same moment write, and reports its progress to the other', async () => {
    world = await generateModeWorld();
    const [planA, planB] = await Promise.all(
      [first, second].map(async (request) => {
        const preflight = await world.action().preflight(request, world.context());
        if (preflight.status !== 'ready') throw new Error(preflight.reason);
        return preflight.plan;
      }),
    );

    const a = await world.action().execute(planA, world.context());
    const b = skipped(await world.action().execute(planB, world.context()));

    expect(a.status).toBe('done');
    expect(b.reason).toMatch(new RegExp(`^rotation ${ROTATION_ID} of MyTestSecret, started at `));
    expect(
      world.sm.commandCalls(PutSecretValueCommand).map((call) => call.args[0].input.ClientRequestToken),
    ).toEqual([ROTATION_ID]);
    expect(
      world.api.objects('deployments', 'payments').filter((d) => {
        const annotations = (d.metadata as { annotations?: Record<string, string> }).annotations;
        return annotations?.[ROTATION_ID_ANNOTATION] === SECOND_CLICK;
      }),
    ).toEqual([]);
  });

  it('reports a rotation still waiting for its version as such', async () => {
    world = await RotationWorld.start();
    const planned = await world.action().preflight(first, world.context());
    if (planned.status !== 'ready') throw new Error(planned.reason);
    await world.claims.claim(
      {
        secretArn: SECRET_ARN,
        rotationId: ROTATION_ID,
        startedAt: START,
        startedBy: 'slack:U024BE7LH',
        until: '2026-03-01T12:15:00.000Z',
      },
      START,
    );
    world.secret.VersionIdsToStages = { ...world.secret.VersionIdsToStages, [ROTATION_ID]: ['AWSPENDING'] };

    const again = skipped(await runAction(world.action(), second, world.context()));

    expect(again.reason).toBe(
      `${FIRST_STARTED}: its version ${ROTATION_ID} is AWSPENDING (rotating); it force-synced 0/4 ExternalSecrets and restarted 0/6 workloads`,
    );
    expect(world.sm.commandCalls(RotateSecretCommand)).toHaveLength(0);
  });

  it('starts another rotation once the cooldown is over', async () => {
    world = await generateModeWorld();
    await runAction(world.action(), first, world.context());
    await world.sleep(15 * 60_000);

    const later = await runAction(world.action(), second, world.context());

    expect(later.status).toBe('done');
    expect(world.sm.commandCalls(PutSecretValueCommand)).toHaveLength(2);
  });

  it('resumes the same rotation within its cooldown: one claim, one rotation id', async () => {
    world = await RotationWorld.start();
    world.api.forbid({ verb: 'patch', resource: 'daemonsets', namespace: 'payments' });
    await runAction(world.action(), first, world.context());
    world.grantBotRole();

    const resumed = await runAction(world.action(), first, world.context());

    expect(resumed.status).toBe('done');
    expect(world.claims.attempts).toEqual([
      { rotationId: ROTATION_ID, claimed: true },
      { rotationId: ROTATION_ID, claimed: true },
    ]);
  });

  it('follows the configured cooldown', async () => {
    world = await generateModeWorld();
    await runAction(world.action({ cooldownMs: 60_000 }), first, world.context());
    await world.sleep(60_000);

    const later = await runAction(world.action({ cooldownMs: 60_000 }), second, world.context());

    expect(later.status).toBe('done');
  });
});
