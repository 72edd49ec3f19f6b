import { describe, expect, it } from 'vitest';
import type { KubeObject } from '#core/remediation/kube-objects.ts';
import { awaitRollouts, rolloutStatus } from '#core/remediation/rollouts.ts';
import { ManualTimers } from '#test/support/fake-timers.ts';
import { InMemoryKube } from '#test/support/in-memory-kube.ts';
import { secretConsumerObjects } from '#test/support/secret-consumer-objects.ts';

/**
 * Rollout status as `kubectl rollout status` reads it, and the bounded wait, on the workloads of
 * test/fixtures/kubernetes/secret-consumers/cluster.yaml (each with a finished rollout) changed the
 * way a controller changes them mid-rollout.
 */

function fixture(kind: string, name: string): KubeObject {
  const found = secretConsumerObjects().find((o) => o.kind === kind && o.metadata.name === name);
  if (found === undefined) throw new Error(`no ${kind} ${name} in the fixture`);
  return found;
}

/** The workload right after a restart: a new generation its controller has not observed yet. */
function restarted(object: KubeObject): KubeObject {
  const generation = (object.metadata.generation as number) + 1;
  return { ...object, metadata: { ...object.metadata, generation } };
}

function withStatus(object: KubeObject, status: Record<string, unknown>): KubeObject {
  return { ...object, status: { ...(object.status as object), ...status } };
}

describe('rollout status', () => {
  it('calls a Deployment rolled out once observed, updated, available and without old pods', () => {
    expect(rolloutStatus('Deployment', fixture('Deployment', 'payments-api'))).toEqual({
      state: 'complete',
      updated: 2,
      available: 2,
      desired: 2,
      pendingObservation: false,
      detail: 'rolled out',
    });
  });

  it('waits while the controller has not observed the restart', () => {
    expect(rolloutStatus('Deployment', restarted(fixture('Deployment', 'payments-api')))).toMatchObject({
      state: 'progressing',
      pendingObservation: true,
      detail: 'its controller has not picked the restart up yet',
    });
  });

  it('waits for old pods to terminate and new ones to be available', () => {
    const deployment = fixture('Deployment', 'payments-api');
    expect(rolloutStatus('Deployment', withStatus(deployment, { replicas: 3 }))).toMatchObject({
      state: 'progressing',
      detail: '1 old pods are pending termination',
    });
    expect(rolloutStatus('Deployment', withStatus(deployment, { availableReplicas: 1 }))).toMatchObject({
      state: 'progressing',
      detail: '1/2 pods available',
    });
  });

  it('calls a Deployment past its progress deadline failed, with the controller’s message', () => {
    const stuck = withStatus(fixture('Deployment', 'payments-api'), {
      updatedReplicas: 1,
      conditions: [
        {
          type: 'Progressing',
          status: 'False',
          reason: 'ProgressDeadlineExceeded',
          message: 'ReplicaSet "payments-api-5f7b9c6d8" has timed out progressing.',
        },
      ],
    });
    expect(rolloutStatus('Deployment', stuck)).toMatchObject({
      state: 'failed',
      detail:
        'exceeded its progress deadline: ReplicaSet "payments-api-5f7b9c6d8" has timed out progressing.',
    });
  });

  it('reads a StatefulSet by its ready replicas and revisions, and a DaemonSet by scheduled nodes', () => {
    const ledger = fixture('StatefulSet', 'ledger');
    expect(rolloutStatus('StatefulSet', ledger)).toMatchObject({ state: 'complete', available: 1 });
    expect(
      rolloutStatus(
        'StatefulSet',
        withStatus(ledger, { currentRevision: 'ledger-7c9d', updateRevision: 'ledger-8e0f' }),
      ),
    ).toMatchObject({ state: 'progressing', detail: 'revision ledger-8e0f is not current yet' });
    const shipper = fixture('DaemonSet', 'log-shipper');
    expect(rolloutStatus('DaemonSet', withStatus(shipper, { updatedNumberScheduled: 1 }))).toEqual({
      state: 'progressing',
      updated: 1,
      available: 3,
      desired: 3,
      pendingObservation: false,
      detail: '1/3 pods updated',
    });
  });
});

describe('awaiting rollouts', () => {
  const targets = [
    { kind: 'Deployment' as const, namespace: 'payments', name: 'payments-api' },
    { kind: 'StatefulSet' as const, namespace: 'payments', name: 'ledger' },
  ];

  it('stops as soon as every rollout is done', async () => {
    const kube = new InMemoryKube([
      restarted(fixture('Deployment', 'payments-api')),
      fixture('StatefulSet', 'ledger'),
    ]);
    const timers = new ManualTimers();
    let polls = 0;
    const reading = {
      ...kube,
      get: async (ref: Parameters<InMemoryKube['get']>[0]) => {
        polls += 1;
        if (polls === 4) kube.put(fixture('Deployment', 'payments-api'));
        return kube.get(ref);
      },
      list: kube.list.bind(kube),
      podLog: kube.podLog.bind(kube),
    };

    const results = await awaitRollouts(targets, reading, timers, { timeoutMs: 60_000, intervalMs: 5_000 });

    expect(
      Object.fromEntries([...results].map(([key, r]) => [key, [r.outcome, r.summary, r.waitedMs]])),
    ).toEqual({
      'StatefulSet payments/ledger': ['done', 'done', 0],
      'Deployment payments/payments-api': ['done', 'done', 10_000],
    });
    expect(timers.sleeps).toEqual([5_000, 5_000]);
  });

  it('gives up at the limit and says how long it waited and for what', async () => {
    const kube = new InMemoryKube([restarted(fixture('Deployment', 'payments-api'))]);
    const timers = new ManualTimers();

    const results = await awaitRollouts(targets.slice(0, 1), kube, timers, {
      timeoutMs: 30_000,
      intervalMs: 10_000,
    });

    expect(results.get('Deployment payments/payments-api')).toMatchObject({
      outcome: 'rolling',
      summary: 'still rolling after 30 s (its controller has not picked the restart up yet)',
      waitedMs: 30_000,
    });
    expect(timers.sleeps).toEqual([10_000, 10_000, 10_000]);
  });

  it('reports a workload deleted during the wait as failed', async () => {
    const results = await awaitRollouts(targets.slice(1), new InMemoryKube([]), new ManualTimers(), {
      timeoutMs: 30_000,
      intervalMs: 10_000,
    });

    expect(results.get('StatefulSet payments/ledger')).toMatchObject({
      outcome: 'failed',
      summary: 'failed: it no longer exists',
    });
  });
});
