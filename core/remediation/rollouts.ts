import type { Timers } from '../delivery/retry.ts';
import { asKubeguardError } from '../errors.ts';
import { arrayField, field, type KubeKind, numberField, stringField } from './kube-objects.ts';
import type { KubeReader } from './ports.ts';

/**
 * Whether a restarted workload has rolled out, read the way `kubectl rollout status` reads it, and
 * a bounded wait for it. A restart only asks the controller to replace pods; until it has, old
 * pods keep the old secret value, so the rotation's report says, per workload: done, still
 * rolling after N s, or failed (and why).
 */

export interface RolloutStatus {
  /** `complete`: every desired pod runs the new template and is available; `failed`: the controller gave up. */
  state: 'complete' | 'progressing' | 'failed';
  /** Pods on the new template, available pods, and how many there should be. */
  updated: number;
  available: number;
  desired: number;
  /** The controller has not yet seen the latest change. */
  pendingObservation: boolean;
  /** What the rollout waits for, or why it failed. */
  detail: string;
}

/** A Deployment's `Progressing` condition when its progress deadline passed. */
const DEADLINE_EXCEEDED = 'ProgressDeadlineExceeded';

export function rolloutStatus(kind: KubeKind, object: unknown): RolloutStatus {
  if (kind === 'Rollout') return argoRolloutStatus(object);
  const generation = numberField(object, 'metadata', 'generation') ?? 0;
  const observed = numberField(object, 'status', 'observedGeneration') ?? 0;
  const pendingObservation = observed < generation;
  const status = (state: RolloutStatus['state'], counts: Counts, detail: string): RolloutStatus => ({
    state,
    ...counts,
    pendingObservation,
    detail,
  });
  if (kind === 'DaemonSet') {
    const counts = {
      updated: numberField(object, 'status', 'updatedNumberScheduled') ?? 0,
      available: numberField(object, 'status', 'numberAvailable') ?? 0,
      desired: numberField(object, 'status', 'desiredNumberScheduled') ?? 0,
    };
    if (pendingObservation)
      return status('progressing', counts, 'its controller has not picked the restart up yet');
    return waitingFor(counts) ?? status('complete', counts, 'rolled out');
  }
  const desired = numberField(object, 'spec', 'replicas') ?? 1;
  const counts = {
    updated: numberField(object, 'status', 'updatedReplicas') ?? 0,
    // StatefulSets report availableReplicas from Kubernetes 1.22 on; before, readiness is what counts.
    available:
      numberField(object, 'status', 'availableReplicas') ??
      (kind === 'StatefulSet' ? numberField(object, 'status', 'readyReplicas') : undefined) ??
      0,
    desired,
  };
  if (pendingObservation)
    return status('progressing', counts, 'its controller has not picked the restart up yet');
  if (kind === 'Deployment') {
    const progressing = arrayField(object, 'status', 'conditions').find(
      (condition) => stringField(condition, 'type') === 'Progressing',
    );
    if (stringField(progressing, 'reason') === DEADLINE_EXCEEDED) {
      return status(
        'failed',
        counts,
        `exceeded its progress deadline: ${stringField(progressing, 'message') ?? DEADLINE_EXCEEDED}`.slice(
          0,
          300,
        ),
      );
    }
    const total = numberField(object, 'status', 'replicas') ?? counts.updated;
    if (counts.updated >= desired && total > counts.updated) {
      return status('progressing', counts, `${total - counts.updated} old pods are pending termination`);
    }
  }
  if (kind === 'StatefulSet') {
    const current = field(object, 'status', 'currentRevision');
    const update = field(object, 'status', 'updateRevision');
    if (counts.updated >= desired && current !== update && current !== undefined && update !== undefined) {
      return status('progressing', counts, `revision ${String(update)} is not current yet`);
    }
  }
  const waiting = waitingFor(counts);
  return waiting ?? status('complete', counts, 'rolled out');

  function waitingFor(c: Counts): RolloutStatus | undefined {
    if (c.updated < c.desired) return status('progressing', c, `${c.updated}/${c.desired} pods updated`);
    if (c.available < c.desired)
      return status('progressing', c, `${c.available}/${c.desired} pods available`);
    return undefined;
  }
}

/**
 * An Argo Rollout restarted through `spec.restartAt`: its controller evicts every pod created before
 * that time and, once none is left, copies it to `status.restartedAt`. `status.observedGeneration`
 * is a string there (the generation, or a hash on releases before 1.0, which cannot be compared).
 */
function argoRolloutStatus(object: unknown): RolloutStatus {
  const generation = numberField(object, 'metadata', 'generation') ?? 0;
  const observed = Number(stringField(object, 'status', 'observedGeneration') ?? Number.NaN);
  const pendingObservation = Number.isInteger(observed) && observed < generation;
  const counts = {
    updated: numberField(object, 'status', 'updatedReplicas') ?? 0,
    available: numberField(object, 'status', 'availableReplicas') ?? 0,
    desired: numberField(object, 'spec', 'replicas') ?? 1,
  };
  const status = (state: RolloutStatus['state'], detail: string): RolloutStatus => ({
    state,
    ...counts,
    pendingObservation,
    detail,
  });
  const degraded = arrayField(object, 'status', 'conditions').find(
    (condition) => stringField(condition, 'reason') === DEADLINE_EXCEEDED,
  );
  if (stringField(object, 'status', 'phase') === 'Degraded' || degraded !== undefined) {
    const message =
      stringField(object, 'status', 'message') ??
      stringField(degraded, 'message') ??
      'the Rollout is Degraded';
    return status('failed', `Degraded: ${message}`.slice(0, 300));
  }
  if (pendingObservation) return status('progressing', 'its controller has not picked the restart up yet');
  const restartAt = stringField(object, 'spec', 'restartAt');
  const restartedAt = stringField(object, 'status', 'restartedAt');
  if (
    restartAt !== undefined &&
    (restartedAt === undefined || Date.parse(restartedAt) < Date.parse(restartAt))
  ) {
    return status('progressing', `pods created before ${restartAt} are being replaced`);
  }
  if (counts.available < counts.desired)
    return status('progressing', `${counts.available}/${counts.desired} pods available`);
  return status('complete', 'rolled out');
}

interface Counts {
  updated: number;
  available: number;
  desired: number;
}

export interface RolloutWaitPolicy {
  /** How long to wait for every restarted workload together. @default 180000 (3 minutes) */
  timeoutMs: number;
  /** @default 5000 */
  intervalMs: number;
}

export const DEFAULT_ROLLOUT_WAIT: RolloutWaitPolicy = { timeoutMs: 180_000, intervalMs: 5_000 };

export interface RolloutTarget {
  kind: KubeKind;
  namespace: string;
  name: string;
}

export interface RolloutResult {
  /** `done`; `rolling` when the wait ran out first; `failed` when the controller gave up or the object is gone. */
  outcome: 'done' | 'rolling' | 'failed';
  /** `done`, `still rolling after 180 s (2/3 pods updated)`, `failed: exceeded its progress deadline …`. */
  summary: string;
  status?: RolloutStatus;
  waitedMs: number;
}

/**
 * Polls each target until its rollout is complete or failed, or `policy.timeoutMs` has passed for
 * all of them; results are keyed `Kind namespace/name`.
 */
export async function awaitRollouts(
  targets: readonly RolloutTarget[],
  kube: KubeReader,
  timers: Timers,
  policy: RolloutWaitPolicy,
): Promise<Map<string, RolloutResult>> {
  const results = new Map<string, RolloutResult>();
  const started = timers.nowMs();
  const deadline = started + policy.timeoutMs;
  let waiting = [...targets];
  const last = new Map<string, RolloutStatus>();
  for (;;) {
    const still: RolloutTarget[] = [];
    for (const target of waiting) {
      const key = rolloutKey(target);
      const waitedMs = timers.nowMs() - started;
      const read = await readStatus(target, kube);
      if ('error' in read) {
        results.set(key, { outcome: 'failed', summary: `failed: ${read.error}`, waitedMs });
        continue;
      }
      last.set(key, read.status);
      if (read.status.state === 'complete') {
        results.set(key, { outcome: 'done', summary: 'done', status: read.status, waitedMs });
      } else if (read.status.state === 'failed') {
        results.set(key, {
          outcome: 'failed',
          summary: `failed: ${read.status.detail}`,
          status: read.status,
          waitedMs,
        });
      } else still.push(target);
    }
    waiting = still;
    if (waiting.length === 0 || timers.nowMs() + policy.intervalMs > deadline) break;
    await timers.sleep(policy.intervalMs);
  }
  const waitedMs = timers.nowMs() - started;
  for (const target of waiting) {
    const status = last.get(rolloutKey(target));
    results.set(rolloutKey(target), {
      outcome: 'rolling',
      summary: `still rolling after ${Math.round(waitedMs / 1000)} s${status ? ` (${status.detail})` : ''}`,
      ...(status ? { status } : {}),
      waitedMs,
    });
  }
  return results;
}

export function rolloutKey(target: RolloutTarget): string {
  return `${target.kind} ${target.namespace}/${target.name}`;
}

async function readStatus(
  target: RolloutTarget,
  kube: KubeReader,
): Promise<{ status: RolloutStatus } | { error: string }> {
  try {
    return { status: rolloutStatus(target.kind, await kube.get(target)) };
  } catch (error) {
    const normalized = asKubeguardError(error);
    return {
      error:
        normalized.code === 'NOT_FOUND' ? 'it no longer exists' : `cannot read it: ${normalized.message}`,
    };
  }
}
