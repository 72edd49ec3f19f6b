import { DescribeSecretCommand, RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { afterEach, describe, expect, it } from 'vitest';
import type { ActionOutcome, RemediationPlan } from '#core/remediation/action.ts';
import type { RotateSecretRequest } from '#core/remediation/rotate-secret.ts';
import { RESTARTED_AT_ANNOTATION, ROTATION_ID_ANNOTATION } from '#core/remediation/rotate-secret-plan.ts';
import { runAction } from '#core/remediation/run.ts';
import {
  CURRENT_VERSION,
  onTheWire,
  ROTATION_ID,
  RotationWorld,
  SECRET_ARN,
  wireOf,
} from '#test/support/rotate-secret-harness.ts';

/**
 * Rotate a Secrets Manager secret and restart its consumers end to end: core action → real
 * adapters → Kubernetes API double on loopback + mocked Secrets Manager. The plan shown before
 * confirmation must be exactly what execute sends, request by request.
 */

let world: RotationWorld;

afterEach(async () => {
  await world.stop();
});

const request: RotateSecretRequest = { secret: 'MyTestSecret', rotationId: ROTATION_ID };

async function plan(input: RotateSecretRequest = request): Promise<RemediationPlan> {
  const preflight = await world.action().preflight(input, world.context());
  if (preflight.status !== 'ready') throw new Error(`expected a plan, got: ${preflight.reason}`);
  return preflight.plan;
}

function details(outcome: ActionOutcome): Record<string, unknown> {
  if (outcome.status !== 'done')
    throw new Error(`expected done, got ${outcome.status}: ${JSON.stringify(outcome)}`);
  return outcome.verification.details ?? {};
}

describe('rotate-secret against a cluster and Secrets Manager', () => {
  it('sends exactly the planned writes, in order, after exactly one RotateSecret', async () => {
    world = await RotationWorld.start();
    const planned = await plan();
    world.api.requests.length = 0;

    const outcome = await world.action().execute(planned, world.context());

    expect(outcome.status).toBe('done');
    expect(onTheWire(world.api.writes())).toEqual(planned.steps.map(wireOf));
    expect(world.api.writes().every((write) => write.status === 200)).toBe(true);
    expect(world.sm.commandCalls(RotateSecretCommand).map((call) => call.args[0].input)).toEqual([
      { SecretId: SECRET_ARN, ClientRequestToken: ROTATION_ID },
    ]);
  });

  it('touches the cluster only once the new version is AWSCURRENT, and never reads a Kubernetes Secret', async () => {
    world = await RotationWorld.start();
    const planned = await plan();
    world.api.requests.length = 0;
    world.describes.length = 0;

    await world.action().execute(planned, world.context());

    const firstWrite = world.api.requests.findIndex((r) => r.verb === 'patch');
    const lastDescribeBefore = world.describes.filter((d) => d.kubeRequestsBefore <= firstWrite).at(-1);
    // settle, then the wait (at 0 s, 1 s, 3 s), then verify
    expect(world.describes.map((d) => d.current)).toEqual([
      CURRENT_VERSION,
      CURRENT_VERSION,
      CURRENT_VERSION,
      ROTATION_ID,
      ROTATION_ID,
    ]);
    expect(lastDescribeBefore?.current).toBe(ROTATION_ID);
    expect(world.api.requests.filter((r) => r.resource === 'secrets')).toEqual([]);
  });

  it('restarts with the kubectl rollout restart annotation and marks the workload with the rotation id', async () => {
    world = await RotationWorld.start();
    await runAction(world.action(), request, world.context());

    const restarted = world.api.object('deployments', 'payments', 'payments-api') ?? {};
    expect(restarted.metadata).toMatchObject({ annotations: { [ROTATION_ID_ANNOTATION]: ROTATION_ID } });
    expect(restarted.spec).toMatchObject({
      template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: '2026-03-01T12:00:00Z' } } },
    });
  });

  it('reports version ids before and after, the refreshed ExternalSecrets, the restarted workloads and their rollout', async () => {
    world = await RotationWorld.start();
    const outcome = await runAction(world.action(), request, world.context());

    const report = details(outcome);
    expect(report.secret).toEqual({
      name: 'MyTestSecret',
      arn: SECRET_ARN,
      versionBefore: CURRENT_VERSION,
      versionAfter: ROTATION_ID,
      rotated: true,
    });
    expect(report.externalSecrets).toEqual([
      { object: 'ExternalSecret payments/batch-settings', refreshed: true, detail: 'refreshed' },
      { object: 'ExternalSecret payments/catalog-by-name', refreshed: true, detail: 'refreshed' },
      { object: 'ExternalSecret payments/ledger', refreshed: true, detail: 'refreshed' },
      { object: 'ExternalSecret payments/payments-api', refreshed: true, detail: 'refreshed' },
    ]);
    expect(
      (report.workloads as { object: string; detail: string }[]).map((w) => [w.object, w.detail]),
    ).toEqual([
      ['Deployment payments/checkout', 'rollout done (2/2 pods updated)'],
      ['Deployment payments/payments-api', 'rollout done (2/2 pods updated)'],
      ['Deployment payments/batch', 'still rolling after 180 s (0/1 pods updated)'],
      ['Deployment payments/reports', 'rollout done (1/1 pods updated)'],
      ['StatefulSet payments/ledger', 'rollout done (1/1 pods updated)'],
      ['DaemonSet payments/log-shipper', 'rollout done (3/3 pods updated)'],
    ]);
    expect(report.notRestartable).toEqual([
      {
        object: 'Pod payments/debug-shell',
        reason: 'naked pod (no controller): cannot restart: delete/recreate manually',
      },
      {
        object: 'Pod payments/ledger-migrate-8xk2p',
        reason:
          'owned by Job ledger-migrate: a running Job is not restarted; its next run reads the new value',
      },
    ]);
    expect(outcome.status === 'done' && outcome.verification).toMatchObject({
      complete: false,
      summary: `MyTestSecret rotated: version ${CURRENT_VERSION} → ${ROTATION_ID}; 4/4 ExternalSecrets refreshed; 6/6 workloads restarted, 5 rolled out, 1 still rolling; 2 not restartable by kubeguard`,
    });
  });

  it('verifies complete once the controllers have rolled every workload out', async () => {
    world = await RotationWorld.start();
    const planned = await plan();
    await world.action().execute(planned, world.context());
    world.finishRollouts();

    const verification = await world.action().verify(planned, world.context());

    expect(verification.complete).toBe(true);
    expect(verification.summary).toContain('6/6 workloads restarted, 6 rolled out');
  });

  it('refuses a secret without rotation, says what to configure, and changes nothing', async () => {
    world = await RotationWorld.start({ describe: 'describe-secret-not-rotating' });
    const outcome = await runAction(
      world.action(),
      { ...request, secret: 'appauthexample' },
      world.context(),
    );

    expect(outcome).toMatchObject({
      status: 'skipped',
      reason:
        'secret "appauthexample" has no rotation configured, so there is nothing that could make a new value',
      recommendation: expect.stringContaining('--rotation-lambda-arn <function ARN>'),
    });
    expect(outcome.status === 'skipped' && outcome.recommendation).toContain(
      'kubeguard.io/rotation=generate',
    );
    expect(world.api.writes()).toEqual([]);
    expect(world.sm.commandCalls(RotateSecretCommand)).toHaveLength(0);
  });

  it('skips with CONFLICT when DescribeSecret shows a rotation in progress', async () => {
    world = await RotationWorld.start({ stages: undefined, describe: 'describe-secret-rotating' });
    const outcome = await runAction(world.action(), request, world.context());

    expect(outcome).toMatchObject({ status: 'skipped', facts: { code: 'CONFLICT' } });
    expect(outcome.status === 'skipped' && outcome.reason).toContain(
      'version a1b2c3d4-5678-90ab-cdef-EXAMPLE33333 is AWSPENDING',
    );
    expect(world.sm.commandCalls(RotateSecretCommand)).toHaveLength(0);
  });

  it('fails with CONFLICT and a helpful message when a rotation starts between plan and execute', async () => {
    world = await RotationWorld.start();
    const planned = await plan();
    world.secret.VersionIdsToStages = {
      ...world.secret.VersionIdsToStages,
      'c0ffee00-1111-4222-8333-444455556666': ['AWSPENDING'],
    };
    // DescribeSecret answers as before the rotation started elsewhere; RotateSecret sees it.
    const stale = structuredClone({
      ...world.secret,
      VersionIdsToStages: { [CURRENT_VERSION]: ['AWSCURRENT'] },
    });
    world.sm.on(DescribeSecretCommand).resolves({ ...stale, $metadata: {} });

    const outcome = await world.action().execute(planned, world.context());

    expect(outcome).toMatchObject({ status: 'failed', applied: [], error: { code: 'CONFLICT' } });
    expect(outcome.status === 'failed' && outcome.error.message).toContain(
      `RotateSecret on secret "${SECRET_ARN}" failed: InvalidRequestException (client fault, HTTP 400, request id none). A rotation of this secret is already in progress`,
    );
    expect(outcome.status === 'failed' && outcome.error.message).toContain('--version-stage AWSPENDING');
    expect(world.api.writes()).toEqual([]);
  });
});
