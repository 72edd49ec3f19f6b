import { describe, expect, it } from 'vitest';
import {
  annotationKey,
  decideSecretOperation,
  FORCE_SYNC_ANNOTATION,
  isRotationId,
  type ListedFacts,
  planRotation,
  RESTARTED_AT_ANNOTATION,
  ROTATION_ID_ANNOTATION,
  syncState,
} from '#core/remediation/rotate-secret-plan.ts';
import { findSecretConsumers } from '#core/remediation/secret-consumers.ts';
import { GENERATE_TAG } from '#core/remediation/secret-ports.ts';
import { describedSecret } from '#test/support/fake-secret-rotator.ts';
import { SCENARIO_SECRET, secretConsumerObjects } from '#test/support/secret-consumer-objects.ts';

const ROTATION = '5d1c4a0e-7b7f-4f0c-9a55-0c9d1e2f3a4b';
const CURRENT = 'a1b2c3d4-5678-90ab-cdef-EXAMPLE22222';
const PREVIOUS = 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111';
const PLANNED_AT = '2026-03-01T12:00:00.250Z';

/** The rotating fixture after its earlier rotation finished (no version left AWSPENDING). */
function rotatingSecret(
  stages: Record<string, string[]> = { [PREVIOUS]: ['AWSPREVIOUS'], [CURRENT]: ['AWSCURRENT'] },
) {
  return describedSecret('describe-secret-rotating', { versionStages: stages });
}

describe('rotate-secret: what happens in Secrets Manager', () => {
  it('rotates a secret with rotation configured, remembering the current version', () => {
    expect(decideSecretOperation(rotatingSecret(), ROTATION)).toEqual({
      kind: 'proceed',
      operation: 'RotateSecret',
      currentVersionId: CURRENT,
      previousVersionId: CURRENT,
    });
  });

  it('refuses with CONFLICT while another version is AWSPENDING, and says how to clear a stuck rotation', () => {
    const decision = decideSecretOperation(describedSecret('describe-secret-rotating'), ROTATION);
    expect(decision).toMatchObject({ kind: 'refuse', code: 'CONFLICT' });
    if (decision.kind !== 'refuse') return;
    expect(decision.reason).toContain('version a1b2c3d4-5678-90ab-cdef-EXAMPLE33333 is AWSPENDING');
    expect(decision.recommendation).toContain('MyTestRotationLambda');
    expect(decision.recommendation).toContain(
      '--version-stage AWSPENDING --remove-from-version-id a1b2c3d4-5678-90ab-cdef-EXAMPLE33333',
    );
  });

  it('accepts AWSPENDING on the current version, as managed rotation leaves it', () => {
    const secret = rotatingSecret({ [CURRENT]: ['AWSCURRENT', 'AWSPENDING'] });
    expect(decideSecretOperation(secret, ROTATION)).toMatchObject({ operation: 'RotateSecret' });
  });

  it('refuses a secret without rotation and says what to configure', () => {
    const decision = decideSecretOperation(describedSecret('describe-secret-not-rotating'), ROTATION);
    expect(decision).toMatchObject({ kind: 'refuse', code: 'PRECONDITION_FAILED' });
    if (decision.kind !== 'refuse') return;
    expect(decision.reason).toBe(
      'secret "appauthexample" has no rotation configured, so there is nothing that could make a new value',
    );
    expect(decision.recommendation).toContain('--rotation-lambda-arn');
    expect(decision.recommendation).toContain('kubeguard.io/rotation=generate');
  });

  it('says rotation was turned off when a cancelled rotation still shows its function', () => {
    const decision = decideSecretOperation(describedSecret('describe-secret-rotation-cancelled'), ROTATION);
    expect(decision).toMatchObject({ kind: 'refuse', code: 'PRECONDITION_FAILED' });
    if (decision.kind !== 'refuse') return;
    expect(decision.reason).toContain('has rotation turned off');
    expect(decision.reason).toContain('MyTestRotationLambda');
  });

  it('stores a generated value for a never-rotated secret tagged for it', () => {
    const secret = describedSecret('describe-secret-never-rotated', {
      tags: { team: 'payments', [GENERATE_TAG.key]: GENERATE_TAG.value },
    });
    expect(decideSecretOperation(secret, ROTATION)).toEqual({
      kind: 'proceed',
      operation: 'PutSecretValue',
      currentVersionId: '0e7d8f5b-3c2a-4b9e-9f1d-2a6c4e8b1d3f',
      previousVersionId: '0e7d8f5b-3c2a-4b9e-9f1d-2a6c4e8b1d3f',
    });
  });

  it('refuses to start the rotation of a secret tagged generate: its IAM allows RotateSecret only where the tag is rotate', () => {
    const secret = describedSecret('describe-secret-rotating', {
      versionStages: { [PREVIOUS]: ['AWSPREVIOUS'], [CURRENT]: ['AWSCURRENT'] },
      tags: { [GENERATE_TAG.key]: GENERATE_TAG.value },
    });
    expect(decideSecretOperation(secret, ROTATION)).toEqual({
      kind: 'refuse',
      code: 'PRECONDITION_FAILED',
      reason:
        'secret "MyTestSecret" has rotation configured (arn:aws:lambda:us-west-2:123456789012:function:MyTestRotationLambda) but is tagged kubeguard.io/rotation=generate, which lets kubeguard only write generated values into secrets without rotation',
      recommendation:
        'tag it kubeguard.io/rotation=rotate to let kubeguard start its rotation (the worker role may call RotateSecret only on secrets tagged so)',
    });
  });

  it('ignores the generate tag with another value', () => {
    const secret = describedSecret('describe-secret-never-rotated', { tags: { [GENERATE_TAG.key]: 'yes' } });
    expect(decideSecretOperation(secret, ROTATION)).toMatchObject({ kind: 'refuse' });
  });

  it('waits for a rotation this rotation id started (a retry), without starting another', () => {
    const secret = rotatingSecret({ [CURRENT]: ['AWSCURRENT'], [ROTATION]: ['AWSPENDING'] });
    expect(decideSecretOperation(secret, ROTATION)).toMatchObject({
      operation: 'WaitForRotation',
      previousVersionId: CURRENT,
    });
  });

  it('does nothing in Secrets Manager when this rotation id is already AWSCURRENT', () => {
    const secret = rotatingSecret({ [CURRENT]: ['AWSPREVIOUS'], [ROTATION]: ['AWSCURRENT'] });
    expect(decideSecretOperation(secret, ROTATION)).toEqual({
      kind: 'proceed',
      operation: 'AlreadyRotated',
      currentVersionId: ROTATION,
      previousVersionId: CURRENT,
    });
  });

  it('refuses when a later rotation replaced the version this rotation id made', () => {
    const secret = rotatingSecret({ [ROTATION]: ['AWSPREVIOUS'], [CURRENT]: ['AWSCURRENT'] });
    expect(decideSecretOperation(secret, ROTATION)).toMatchObject({ kind: 'refuse', code: 'CONFLICT' });
  });

  it('accepts UUIDs as rotation ids and refuses what is not a ClientRequestToken', () => {
    expect(isRotationId(ROTATION)).toBe(true);
    expect(isRotationId('short')).toBe(false);
    expect(isRotationId(`${ROTATION}"; rm -rf /`)).toBe(false);
    expect(isRotationId('x'.repeat(65))).toBe(false);
  });
});

describe('rotate-secret: the cluster writes', () => {
  /** The scenario's objects as listed: each with a uid, and with the given annotations. */
  function listed(annotations: Map<string, Record<string, string>>, leaveOut: string[] = []) {
    const facts = new Map<string, ListedFacts>();
    for (const object of secretConsumerObjects()) {
      const key = annotationKey({
        kind: object.kind,
        namespace: object.metadata.namespace ?? 'default',
        name: object.metadata.name,
      });
      if (leaveOut.includes(key)) continue;
      facts.set(key, {
        uid: `uid-${object.kind}-${object.metadata.name}`,
        annotations: annotations.get(key) ?? {},
      });
    }
    return facts;
  }

  function plan(annotations = new Map<string, Record<string, string>>(), leaveOut: string[] = []) {
    const secret = rotatingSecret();
    const decision = decideSecretOperation(secret, ROTATION);
    if (decision.kind !== 'proceed') throw new Error('the scenario secret must rotate');
    return planRotation({
      rotationId: ROTATION,
      secret,
      decision,
      consumers: findSecretConsumers(SCENARIO_SECRET, secretConsumerObjects()),
      listed: listed(annotations, leaveOut),
      plannedAt: PLANNED_AT,
      notes: [],
    });
  }

  it('binds each patch to the uid of the object it listed, and plans no write to one it did not list', () => {
    const checkout = annotationKey({ kind: 'Deployment', namespace: 'payments', name: 'checkout' });
    const { steps, state } = plan(new Map(), [checkout]);

    expect(
      steps.map((step) =>
        step.op === 'patch' ? (step.body as { metadata: { uid: string } }).metadata.uid : step.op,
      ),
    ).toEqual([
      'uid-ExternalSecret-payments-api',
      'uid-ExternalSecret-ledger',
      'uid-ExternalSecret-batch-settings',
      'uid-ExternalSecret-catalog-by-name',
      'uid-Deployment-payments-api',
      'uid-StatefulSet-ledger',
      'uid-DaemonSet-log-shipper',
      'uid-Deployment-reports',
      'uid-Deployment-batch',
    ]);
    expect(state.undetermined).toContainEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: 'payments',
      name: 'checkout',
      reason:
        'not among the listed objects (or listed without a uid), so no change can be bound to it: restart it by hand',
    });
  });

  it('force-syncs each ExternalSecret, then restarts CSI mounters before the other readers', () => {
    const { steps } = plan();
    expect(
      steps.map((step) => (step.op === 'patch' ? `${step.patchType} ${step.kind} ${step.name}` : step.op)),
    ).toEqual([
      'merge ExternalSecret payments-api',
      'merge ExternalSecret ledger',
      'merge ExternalSecret batch-settings',
      'merge ExternalSecret catalog-by-name',
      'strategic-merge Deployment checkout',
      'strategic-merge Deployment payments-api',
      'strategic-merge StatefulSet ledger',
      'strategic-merge DaemonSet log-shipper',
      'strategic-merge Deployment reports',
      'strategic-merge Deployment batch',
    ]);
  });

  it('sends force-sync as the planned epoch second with the rotation id, and restartedAt as kubectl does', () => {
    const { steps } = plan();
    expect(steps[0]).toMatchObject({
      namespace: 'payments',
      body: {
        metadata: {
          uid: 'uid-ExternalSecret-payments-api',
          annotations: { [FORCE_SYNC_ANNOTATION]: '1772366400', [ROTATION_ID_ANNOTATION]: ROTATION },
        },
      },
    });
    expect(steps[4]).toMatchObject({
      body: {
        metadata: { uid: 'uid-Deployment-checkout', annotations: { [ROTATION_ID_ANNOTATION]: ROTATION } },
        spec: {
          template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: '2026-03-01T12:00:00Z' } } },
        },
      },
    });
  });

  it('makes restarts of ExternalSecret readers wait for that ExternalSecret, and CSI readers for nothing', () => {
    const { state } = plan();
    const waits = Object.fromEntries(state.workloads.map((w) => [w.name, w.waitsFor]));
    expect(waits).toEqual({
      checkout: [],
      'payments-api': ['payments/payments-api'],
      ledger: ['payments/ledger'],
      'log-shipper': ['payments/payments-api'],
      reports: [],
      batch: ['payments/batch-settings'],
    });
  });

  it('carries caveats, naked pods and Job pods into the state', () => {
    const { state } = plan();
    expect(state.externalSecrets.find((es) => es.name === 'batch-settings')?.caveat).toContain(
      'refreshInterval 0',
    );
    expect(state.workloads.find((w) => w.name === 'batch')?.caveat).toContain('paused');
    expect(state.notRestartable.map((item) => [item.name, item.reads])).toEqual([
      ['debug-shell', ['env payments-api-credentials']],
      ['ledger-migrate-8xk2p', ['envFrom ledger']],
    ]);
  });

  it('on a retry, leaves out what the annotations say this rotation already did', () => {
    const annotations = new Map<string, Record<string, string>>([
      [
        annotationKey({ kind: 'ExternalSecret', namespace: 'payments', name: 'payments-api' }),
        { [ROTATION_ID_ANNOTATION]: ROTATION, [FORCE_SYNC_ANNOTATION]: '1772366000' },
      ],
      [
        annotationKey({ kind: 'Deployment', namespace: 'payments', name: 'checkout' }),
        { [ROTATION_ID_ANNOTATION]: ROTATION },
      ],
      [
        annotationKey({ kind: 'Deployment', namespace: 'payments', name: 'reports' }),
        { [ROTATION_ID_ANNOTATION]: 'an-older-rotation-id-0000000000000000' },
      ],
    ]);
    const { steps, state } = plan(annotations);
    const targets = steps.map((step) => (step.op === 'patch' ? `${step.kind} ${step.name}` : step.op));
    expect(targets).not.toContain('ExternalSecret payments-api');
    expect(targets).not.toContain('Deployment checkout');
    expect(targets).toContain('Deployment reports');
    expect(state.externalSecrets[0]).toMatchObject({ alreadyForced: true, forceSync: '1772366000' });
  });
});

describe('rotate-secret: reading the state back', () => {
  it('sees an ExternalSecret refreshed once status.refreshTime reaches the force-sync second', () => {
    const status = (refreshTime: string) => ({
      status: { refreshTime, conditions: [{ type: 'Ready', status: 'True', reason: 'SecretSynced' }] },
    });
    expect(syncState(status('2026-03-01T12:00:00Z'), 1772366400)).toEqual({
      state: 'refreshed',
      refreshTime: '2026-03-01T12:00:00Z',
    });
    expect(syncState(status('2026-03-01T11:59:59Z'), 1772366400)).toEqual({
      state: 'waiting',
      refreshTime: '2026-03-01T11:59:59Z',
    });
    expect(syncState({ status: {} }, 1772366400)).toEqual({ state: 'waiting' });
  });

  it('reports the operator error when Ready turned False after the force-sync', () => {
    const object = {
      status: {
        refreshTime: '2026-03-01T11:00:00Z',
        conditions: [
          {
            type: 'Ready',
            status: 'False',
            reason: 'SecretSyncedError',
            message: 'could not get secret data from provider',
            lastTransitionTime: '2026-03-01T12:00:03Z',
          },
        ],
      },
    };
    expect(syncState(object, 1772366400)).toEqual({
      state: 'failed',
      reason: 'the operator reports Ready=False: could not get secret data from provider',
    });
  });
});
