import { describe, expect, it } from 'vitest';
import { KubeguardError } from '#core/errors.ts';
import type { ActionContext, PreflightResult, RemediationPlan } from '#core/remediation/action.ts';
import type { KubeKind, KubeObject } from '#core/remediation/kube-objects.ts';
import type { KubeClient, ListQuery, ObjectRef } from '#core/remediation/ports.ts';
import { createRotateSecretAction, type RotateSecretRequest } from '#core/remediation/rotate-secret.ts';
import type { RotationClaims } from '#core/remediation/rotation-claims.ts';
import { GENERATE_TAG } from '#core/remediation/secret-ports.ts';
import { describedSecret, FakeSecretRotator } from '#test/support/fake-secret-rotator.ts';
import { ManualTimers } from '#test/support/fake-timers.ts';
import { InMemoryRotationClaims } from '#test/support/in-memory-rotation-claims.ts';
import { secretConsumerObjects } from '#test/support/secret-consumer-objects.ts';

const ROTATION = '5d1c4a0e-7b7f-4f0c-9a55-0c9d1e2f3a4b';
const CURRENT = 'a1b2c3d4-5678-90ab-cdef-EXAMPLE22222';
const NOW = '2026-03-01T12:00:00.000Z';

/** A cluster that can be read but must not be written during preflight. */
class ReadOnlyKube implements KubeClient {
  readonly lists: ListQuery[] = [];
  readonly #objects: KubeObject[];
  readonly #absentKinds: ReadonlySet<KubeKind>;

  constructor(objects: KubeObject[], absentKinds: KubeKind[] = []) {
    // As the API server: every object has a uid.
    this.#objects = objects.map((o) => ({
      ...o,
      metadata: {
        ...o.metadata,
        uid: o.metadata.uid ?? `uid-${o.kind}-${o.metadata.namespace}-${o.metadata.name}`,
      },
    }));
    this.#absentKinds = new Set(absentKinds);
  }

  async list(query: ListQuery): Promise<KubeObject[]> {
    this.lists.push(query);
    if (this.#absentKinds.has(query.kind)) {
      throw new KubeguardError(
        'NOT_FOUND',
        `the server could not find the requested resource (${query.kind})`,
      );
    }
    return this.#objects.filter(
      (o) =>
        o.kind === query.kind && (query.namespace === undefined || o.metadata.namespace === query.namespace),
    );
  }

  async get(ref: ObjectRef): Promise<KubeObject> {
    const found = this.#objects.find(
      (o) => o.kind === ref.kind && o.metadata.name === ref.name && o.metadata.namespace === ref.namespace,
    );
    if (found === undefined) throw new KubeguardError('NOT_FOUND', `${ref.kind} ${ref.name} not found`);
    return found;
  }

  podLog(): Promise<string> {
    throw new Error('preflight must not read logs');
  }
  create(): Promise<KubeObject> {
    throw new Error('preflight must not write');
  }
  patch(): Promise<KubeObject> {
    throw new Error('preflight must not write');
  }
  delete(): Promise<void> {
    throw new Error('preflight must not write');
  }
}

function setup(options: { secret?: FakeSecretRotator; kube?: ReadOnlyKube; claims?: RotationClaims } = {}) {
  const secrets =
    options.secret ??
    new FakeSecretRotator(
      describedSecret('describe-secret-rotating', {
        versionStages: { 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111': ['AWSPREVIOUS'], [CURRENT]: ['AWSCURRENT'] },
      }),
    );
  const kube = options.kube ?? new ReadOnlyKube(secretConsumerObjects() as KubeObject[]);
  const context: ActionContext = {
    kube,
    evidence: { put: () => Promise.reject(new Error('rotate-secret stores no evidence')) },
    clock: () => NOW,
    actor: 'slack:U024BE7LH',
  };
  const claims = options.claims ?? new InMemoryRotationClaims();
  const action = createRotateSecretAction({ secrets, claims, timers: new ManualTimers(NOW) });
  return { action, context, secrets, kube, claims };
}

const request: RotateSecretRequest = { secret: 'MyTestSecret', rotationId: ROTATION };

function ready(result: PreflightResult): RemediationPlan {
  if (result.status !== 'ready') throw new Error(`expected a plan, got: ${result.reason}`);
  return result.plan;
}

describe('rotate-secret preflight', () => {
  it('plans the rotation and every consumer write, reading the secret and the cluster only', async () => {
    const { action, context, secrets } = setup();
    const plan = ready(await action.preflight(request, context));
    expect(plan.target).toBe('Secrets Manager secret MyTestSecret');
    expect(plan.summary).toBe(
      `RotateSecret MyTestSecret (new version ${ROTATION}), force-sync 4 ExternalSecrets, restart 6 workloads`,
    );
    expect(plan.effects[0]).toBe(
      'RotateSecret MyTestSecret with its rotation function arn:aws:lambda:us-west-2:123456789012:function:MyTestRotationLambda: ' +
        `new version ${ROTATION} becomes AWSCURRENT, ${CURRENT} becomes AWSPREVIOUS; the cluster is touched only once it is AWSCURRENT`,
    );
    expect(plan.effects).toContain(
      'Pod payments/debug-shell keeps the old value: naked pod (no controller): cannot restart: delete/recreate manually',
    );
    expect(plan.warnings).toEqual([
      expect.stringContaining('ExternalSecret payments/batch-settings: refreshInterval 0'),
      expect.stringContaining('Deployment payments/batch: the Deployment is paused'),
    ]);
    expect(plan.steps).toHaveLength(10);
    expect(secrets.calls).toEqual(['describe MyTestSecret']);
  });

  it('looks only in the namespaces asked for', async () => {
    const { action, context, kube } = setup();
    const plan = ready(await action.preflight({ ...request, namespaces: ['other'] }, context));
    expect(plan.steps).toEqual([]);
    expect(new Set(kube.lists.map((query) => `${query.namespace ?? '(cluster)'} ${query.kind}`)).size).toBe(
      kube.lists.length,
    );
    expect(kube.lists.filter((query) => query.namespace === undefined).map((query) => query.kind)).toEqual([
      'ClusterExternalSecret',
      'Namespace',
    ]);
    expect(new Set(kube.lists.flatMap((query) => (query.namespace ? [query.namespace] : [])))).toEqual(
      new Set(['other']),
    );
    expect(plan.warnings).toContain(
      'no ExternalSecret, SecretProviderClass or workload in the cluster uses this secret: apps that call Secrets Manager themselves get the new version on their next read',
    );
  });

  it('notes an operator that is not installed and still plans the rest', async () => {
    const kube = new ReadOnlyKube(secretConsumerObjects() as KubeObject[], ['ExternalSecret']);
    const { action, context } = setup({ kube });
    const plan = ready(await action.preflight(request, context));
    expect(plan.warnings).toContain(
      'External Secrets Operator (external-secrets.io/v1) is not installed in the cluster: no ExternalSecret objects to look at',
    );
    expect(plan.steps.map((step) => (step.op === 'patch' ? step.name : step.op))).toEqual([
      'checkout',
      'reports',
    ]);
  });

  it('skips a secret without rotation and says what to configure', async () => {
    const secret = new FakeSecretRotator(describedSecret('describe-secret-not-rotating'));
    const { action, context } = setup({ secret });
    const result = await action.preflight({ ...request, secret: 'appauthexample' }, context);
    expect(result).toMatchObject({
      status: 'skipped',
      target: 'Secrets Manager secret appauthexample',
      reason:
        'secret "appauthexample" has no rotation configured, so there is nothing that could make a new value',
      recommendation: expect.stringContaining('aws secretsmanager rotate-secret --secret-id'),
      facts: { code: 'PRECONDITION_FAILED' },
    });
  });

  it('skips with CONFLICT while a rotation is in progress', async () => {
    const secret = new FakeSecretRotator(describedSecret('describe-secret-rotating'));
    const { action, context } = setup({ secret });
    const result = await action.preflight(request, context);
    expect(result).toMatchObject({ status: 'skipped', facts: { code: 'CONFLICT' } });
    expect(result.status === 'skipped' && result.reason).toContain('already in progress or stuck');
  });

  it('plans a generated value for a tagged secret without rotation', async () => {
    const secret = new FakeSecretRotator(
      describedSecret('describe-secret-never-rotated', { tags: { [GENERATE_TAG.key]: GENERATE_TAG.value } }),
    );
    const { action, context } = setup({ secret });
    const plan = ready(await action.preflight({ ...request, secret: 'prod/payments/api-key' }, context));
    expect(plan.summary).toMatch(/^PutSecretValue prod\/payments\/api-key/);
    expect(plan.effects[0]).toContain("the value never reaches kubeguard's logs, records or Slack");
  });

  it('refuses a rotation id that cannot be a version id, before calling anything', async () => {
    const { action, context, secrets } = setup();
    const error = await action.preflight({ ...request, rotationId: 'abc' }, context).then(
      () => expect.unreachable('preflight accepted the id'),
      (thrown: KubeguardError) => thrown,
    );
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toContain('rotationId must be 32–64 letters, digits or hyphens');
    expect(secrets.calls).toEqual([]);
  });

  it('refuses a namespace that is not a Kubernetes name', async () => {
    const { action, context } = setup();
    await expect(action.preflight({ ...request, namespaces: ['Payments!'] }, context)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('passes NOT_FOUND from Secrets Manager on', async () => {
    const { action, context } = setup();
    await expect(action.preflight({ ...request, secret: 'prod/missing' }, context)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});

describe('rotate-secret: bound and claimed', () => {
  const ARN = 'arn:aws:secretsmanager:us-west-2:123456789012:secret:MyTestSecret-Ca8JGt';

  it('binds every force-sync and restart to the uid of the object it listed', async () => {
    const { action, context } = setup();
    const plan = ready(await action.preflight(request, context));

    expect(
      plan.steps.map((step) =>
        step.op === 'patch'
          ? [step.kind, step.name, (step.body as { metadata: { uid: string } }).metadata.uid]
          : [],
      ),
    ).toEqual([
      ['ExternalSecret', 'payments-api', 'uid-ExternalSecret-payments-payments-api'],
      ['ExternalSecret', 'ledger', 'uid-ExternalSecret-payments-ledger'],
      ['ExternalSecret', 'batch-settings', 'uid-ExternalSecret-payments-batch-settings'],
      ['ExternalSecret', 'catalog-by-name', 'uid-ExternalSecret-payments-catalog-by-name'],
      ['Deployment', 'checkout', 'uid-Deployment-payments-checkout'],
      ['Deployment', 'payments-api', 'uid-Deployment-payments-payments-api'],
      ['Deployment', 'reports', 'uid-Deployment-payments-reports'],
      ['Deployment', 'batch', 'uid-Deployment-payments-batch'],
      ['StatefulSet', 'ledger', 'uid-StatefulSet-payments-ledger'],
      ['DaemonSet', 'log-shipper', 'uid-DaemonSet-payments-log-shipper'],
    ]);
  });

  it('plans nothing for a secret another rotation claimed, and says how far that rotation got', async () => {
    const claims = new InMemoryRotationClaims();
    const other = '9b7e3c1a-4f2d-4e6a-8b0c-2d4e6f8a0b1c';
    const until = '2026-03-01T12:10:00.000Z';
    await claims.claim(
      {
        secretArn: ARN,
        rotationId: other,
        startedAt: '2026-03-01T11:55:00.000Z',
        startedBy: 'slack:U0OTHER',
        until,
      },
      '2026-03-01T11:55:00.000Z',
    );
    const { action, context, secrets } = setup({ claims });

    const result = await action.preflight(request, context);

    expect(result).toEqual({
      status: 'skipped',
      target: 'Secrets Manager secret MyTestSecret',
      reason:
        `rotation ${other} of MyTestSecret, started at 2026-03-01T11:55:00.000Z by slack:U0OTHER, holds the secret until ${until} ` +
        `(one rotation per secret within the cooldown), so no other rotation starts: its version ${other} does not exist yet; ` +
        'it force-synced 0/4 ExternalSecrets and restarted 0/6 workloads',
      recommendation: `follow that rotation (run rotate-secret with rotation id ${other} to resume or verify it), or rotate again after ${until}`,
      facts: {
        code: 'CONFLICT',
        rotation: {
          secretArn: ARN,
          rotationId: other,
          startedAt: '2026-03-01T11:55:00.000Z',
          startedBy: 'slack:U0OTHER',
          until,
        },
        progress: {
          rotationId: other,
          versionStages: [],
          externalSecrets: { total: 4, forceSynced: 0 },
          workloads: { total: 6, restarted: 0 },
        },
      },
    });
    expect(secrets.calls).toEqual(['describe MyTestSecret']);
  });

  it('writes nothing to Secrets Manager when its claim cannot be recorded', async () => {
    const claims: RotationClaims = {
      current: async () => undefined,
      claim: async () => {
        throw new KubeguardError('UPSTREAM', 'rotation claims: claiming failed');
      },
    };
    const { action, context, secrets } = setup({ claims });
    const plan = ready(await action.preflight(request, context));

    const outcome = await action.execute(plan, context);

    expect(outcome).toMatchObject({
      status: 'failed',
      applied: [],
      error: { code: 'UPSTREAM', message: 'rotation claims: claiming failed' },
      recovery: expect.stringContaining('a rotation claims its secret before it writes to Secrets Manager'),
    });
    expect(secrets.calls).toEqual(['describe MyTestSecret']);
  });
});

describe('rotate-secret execute', () => {
  it('refuses a plan whose state kubeguard did not write', async () => {
    const { action, context } = setup();
    const plan = ready(await action.preflight(request, context));
    await expect(action.execute({ ...plan, state: { rotationId: ROTATION } }, context)).rejects.toMatchObject(
      {
        code: 'INVALID_ARGUMENT',
      },
    );
  });

  it('changes nothing in the cluster when the rotation does not finish, and says a retry resumes', async () => {
    const { action, context, secrets } = setup();
    const plan = ready(await action.preflight(request, context));
    secrets.rotation = 'stuck';
    const outcome = await action.execute(plan, context);
    expect(outcome).toMatchObject({ status: 'failed', applied: [], error: { code: 'UPSTREAM' } });
    expect(outcome.status === 'failed' && outcome.recovery).toContain('nothing in the cluster was changed');
    expect(outcome.status === 'failed' && outcome.recovery).toContain(`rotation id ${ROTATION} resumes`);
    expect(secrets.calls.slice(1)).toEqual([
      'describe arn:aws:secretsmanager:us-west-2:123456789012:secret:MyTestSecret-Ca8JGt',
      `startRotation arn:aws:secretsmanager:us-west-2:123456789012:secret:MyTestSecret-Ca8JGt ${ROTATION}`,
      `waitUntilCurrent arn:aws:secretsmanager:us-west-2:123456789012:secret:MyTestSecret-Ca8JGt ${ROTATION}`,
    ]);
  });
});
