import { KubeguardError } from '../errors.ts';
import type { PlannedStep } from './action.ts';
import { describeRef, findObject, isKubeKind, type KubeObject } from './kube-objects.ts';
import type { KubeReader } from './ports.ts';

/**
 * Binding a plan to the objects it was made for (decision D24). Between the plan a responder reads
 * and the confirmation that executes it, a StatefulSet may recreate its pod under the same name, or
 * someone may cordon the node by hand. Every write therefore carries what it expects:
 *
 * - the object's `uid`, always: a JSON patch tests `/metadata/uid`; a merge or strategic-merge
 *   patch carries `metadata.uid`, which the API server refuses to change (422, field is
 *   immutable); a delete sends it as a precondition (409);
 * - its `resourceVersion` too when the write records prior state (the labels isolation will
 *   restore, whether the node was schedulable): a stale one is refused (409 Conflict, or 422 for a
 *   failed JSON patch test).
 *
 * The guard is part of the body the plan shows, so the confirmation still shows exactly what is
 * sent. When a guarded write is refused, the object is read again and the failure is named:
 * replaced, changed or deleted since the plan.
 */

export interface PlanGuard {
  uid: string;
  /** Only for writes that record the object's prior state. */
  resourceVersion?: string;
}

export type StaleReason = 'replaced' | 'changed' | 'deleted';

/** A guarded write refused because its object is no longer the one the plan was made for. */
export class StalePlanError extends KubeguardError {
  readonly reason: StaleReason;

  constructor(
    reason: StaleReason,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super('CONFLICT', message, options);
    this.name = 'StalePlanError';
    this.reason = reason;
  }
}

/**
 * The guard for a write to `object`. The API server gives every object a uid, so one without a
 * uid was not read from it: planning on it would bind nothing.
 */
export function guardFor(object: KubeObject, options: { recordsState: boolean }): PlanGuard {
  const { uid, resourceVersion } = object.metadata;
  const ref = describeRef({
    kind: object.kind ?? 'object',
    name: object.metadata.name,
    ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}),
  });
  if (typeof uid !== 'string' || uid === '' || (options.recordsState && !resourceVersion)) {
    throw new KubeguardError(
      'INVALID_ARGUMENT',
      `${ref} has no metadata.uid${options.recordsState ? ' or resourceVersion' : ''}: it was not read from an API server, so a plan cannot be bound to it`,
      { details: { object: ref } },
    );
  }
  return options.recordsState && resourceVersion ? { uid, resourceVersion } : { uid };
}

/** JSON patch operations that fail (422) unless the object is still the planned one. */
export function guardTests(guard: PlanGuard): { op: 'test'; path: string; value: string }[] {
  return [
    { op: 'test', path: '/metadata/uid', value: guard.uid },
    ...(guard.resourceVersion
      ? [{ op: 'test' as const, path: '/metadata/resourceVersion', value: guard.resourceVersion }]
      : []),
  ];
}

/** The guard a planned write carries in its body or preconditions, if any. */
export function guardOf(step: PlannedStep): PlanGuard | undefined {
  if (step.op === 'create') return undefined;
  if (step.op === 'delete') {
    const uid = step.preconditions?.uid;
    if (uid === undefined) return undefined;
    const resourceVersion = step.preconditions?.resourceVersion;
    return resourceVersion === undefined ? { uid } : { uid, resourceVersion };
  }
  const body: unknown = step.body;
  if (Array.isArray(body)) {
    const tested = (path: string) => {
      const found = body.find((op) => isTest(op, path));
      return typeof found?.value === 'string' ? found.value : undefined;
    };
    const uid = tested('/metadata/uid');
    const resourceVersion = tested('/metadata/resourceVersion');
    if (uid === undefined) return undefined;
    return resourceVersion === undefined ? { uid } : { uid, resourceVersion };
  }
  const metadata = (step.body as { metadata?: { uid?: unknown; resourceVersion?: unknown } } | null)
    ?.metadata;
  if (typeof metadata?.uid !== 'string') return undefined;
  return typeof metadata.resourceVersion === 'string'
    ? { uid: metadata.uid, resourceVersion: metadata.resourceVersion }
    : { uid: metadata.uid };
}

function isTest(op: unknown, path: string): op is { op: 'test'; path: string; value: unknown } {
  return (
    typeof op === 'object' &&
    op !== null &&
    (op as { op?: unknown }).op === 'test' &&
    (op as { path?: unknown }).path === path
  );
}

/** Refusals a stale guard produces: 409 (resourceVersion, delete precondition), 422 (uid, JSON patch test), 404. */
const GUARD_REFUSALS = new Set(['CONFLICT', 'INVALID_ARGUMENT', 'NOT_FOUND']);

/**
 * Why a guarded write was refused: the object is read again and compared with the guard. A refusal
 * that the object's identity does not explain is returned as it was.
 */
export async function explainRefusal(
  step: PlannedStep,
  error: KubeguardError,
  kube: KubeReader,
): Promise<KubeguardError> {
  const guard = guardOf(step);
  if (guard === undefined || step.op === 'create' || !GUARD_REFUSALS.has(error.code)) return error;
  if (!isKubeKind(step.kind)) return error;
  const ref = { kind: step.kind, name: step.name, ...(step.namespace ? { namespace: step.namespace } : {}) };
  let current: KubeObject | undefined;
  try {
    current = await findObject(kube, ref);
  } catch {
    return error;
  }
  const described = describeRef(ref);
  const details = {
    object: described,
    plannedUid: guard.uid,
    ...(guard.resourceVersion ? { plannedResourceVersion: guard.resourceVersion } : {}),
    refusal: { code: error.code, message: error.message },
  };
  if (current === undefined) {
    return new StalePlanError(
      'deleted',
      `${described} was deleted after the plan (uid ${guard.uid}); nothing was written to it: plan the action again`,
      { cause: error, details },
    );
  }
  const { uid, resourceVersion } = current.metadata;
  if (uid !== guard.uid) {
    return new StalePlanError(
      'replaced',
      `${described} was replaced after the plan (uid ${guard.uid} → ${uid ?? 'none'}); nothing was written to it: plan the action again to act on the object that exists now`,
      { cause: error, details: { ...details, currentUid: uid } },
    );
  }
  if (guard.resourceVersion !== undefined && resourceVersion !== guard.resourceVersion) {
    return new StalePlanError(
      'changed',
      `${described} changed after the plan (resourceVersion ${guard.resourceVersion} → ${resourceVersion ?? 'none'}); the plan recorded its state as it was then, so nothing was written: plan the action again`,
      { cause: error, details: { ...details, currentResourceVersion: resourceVersion } },
    );
  }
  return error;
}
