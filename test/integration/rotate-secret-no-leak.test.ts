import {
  GetRandomPasswordCommand,
  PutSecretValueCommand,
  SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { planOutline } from '#core/remediation/plan-view.ts';
import type { RotateSecretRequest } from '#core/remediation/rotate-secret.ts';
import { runAction } from '#core/remediation/run.ts';
import { GENERATE_TAG } from '#core/remediation/secret-ports.ts';
import { ROTATION_ID, RotationWorld } from '#test/support/rotate-secret-harness.ts';

/**
 * No secret value is ever logged, stored by kubeguard, or posted. A sentinel goes through the
 * generated-value path (GetRandomPassword → PutSecretValue) and must show up nowhere else: not in
 * a log line, the plan, the outcome, an error, or any request the cluster saw.
 */

const SENTINEL = 'S3NT1NEL-7f4c2a9e-never-leaves-the-adapter';
const request: RotateSecretRequest = { secret: 'MyTestSecret', rotationId: ROTATION_ID };

let world: RotationWorld;
let consoleSpies: MockInstance[];

/** The rotating fixture with rotation switched off and the generate tag set. */
async function taggedSecretWorld(): Promise<RotationWorld> {
  return RotationWorld.start({
    overrides: { RotationEnabled: false },
    tags: [{ Key: GENERATE_TAG.key, Value: GENERATE_TAG.value }],
    randomPassword: SENTINEL,
  });
}

/** Every place a value could end up: logs, console, the cluster's requests, the given results. */
function everywhere(...results: unknown[]): string {
  const printed = consoleSpies.flatMap((spy) => spy.mock.calls.map((args) => args.map(String).join(' ')));
  const errorTexts = results.map((result) =>
    result instanceof Error ? `${result.message}\n${result.stack}` : '',
  );
  return JSON.stringify({ logs: world.logs, printed, requests: world.api.requests, results, errorTexts });
}

beforeEach(() => {
  consoleSpies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((method) =>
    vi.spyOn(console, method).mockImplementation(() => undefined),
  );
});

afterEach(async () => {
  for (const spy of consoleSpies) spy.mockRestore();
  await world.stop();
});

describe('rotate-secret never lets a secret value out', () => {
  it('stores the generated value in Secrets Manager and nowhere else', async () => {
    world = await taggedSecretWorld();
    const preflight = await world.action().preflight(request, world.context());
    if (preflight.status !== 'ready') throw new Error(`expected a plan, got: ${preflight.reason}`);

    const outcome = await world.action().execute(preflight.plan, world.context());

    expect(outcome.status).toBe('done');
    expect(world.sm.commandCalls(PutSecretValueCommand)[0]?.args[0].input.SecretString).toBe(SENTINEL);
    expect(world.logs.map((line) => line.message)).toContain('generated secret value stored');
    expect(everywhere(preflight, planOutline(preflight.plan, 'Rotate secret'), outcome)).not.toContain(
      SENTINEL,
    );
  });

  it('keeps it out of the failed outcome when PutSecretValue is refused', async () => {
    world = await taggedSecretWorld();
    world.sm.on(PutSecretValueCommand).rejects(
      new SecretsManagerServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        message: 'User is not authorized to perform: secretsmanager:PutSecretValue',
        $metadata: { httpStatusCode: 400 },
      }),
    );

    const outcome = await runAction(world.action(), request, world.context());

    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'FORBIDDEN' } });
    expect(world.sm.commandCalls(GetRandomPasswordCommand)).toHaveLength(1);
    expect(everywhere(outcome)).not.toContain(SENTINEL);
  });

  it.each([
    ['the value', SENTINEL],
    ['its first 16 characters', SENTINEL.slice(0, 16)],
    ['its base64', Buffer.from(SENTINEL).toString('base64')],
  ])('keeps %s out of everything when a failed PutSecretValue echoes it', async (_what, echo) => {
    world = await taggedSecretWorld();
    world.sm.on(PutSecretValueCommand).callsFake(() => {
      throw new Error(`could not serialize request {"SecretString":"${echo}"}`);
    });

    const outcome = await runAction(world.action(), request, world.context());

    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'UPSTREAM' } });
    expect(outcome.status === 'failed' && outcome.error.message).toContain(
      'PutSecretValue on secret "arn:aws:secretsmanager:us-west-2:123456789012:secret:MyTestSecret-Ca8JGt" failed: Error (unknown fault, HTTP status unknown, request id none)',
    );
    expect(everywhere(outcome)).not.toContain(echo);
  });
});
