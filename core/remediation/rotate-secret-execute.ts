import type { Timers } from '../delivery/retry.ts';
import { asKubeguardError, KubeguardError } from '../errors.ts';
import type { ActionContext, ActionOutcome, AppliedStep, PlannedStep, RemediationPlan } from './action.ts';
import { describeRef, findObject } from './kube-objects.ts';
import { readPlanState } from './plan-state.ts';
import type { KubeReader } from './ports.ts';
import { awaitRollouts, type RolloutResult, type RolloutWaitPolicy } from './rollouts.ts';
import { busySecret, progressOf } from './rotate-secret-busy.ts';
import {
  decideSecretOperation,
  type ExternalSecretState,
  ROTATION_ID_ANNOTATION,
  type RotationState,
  rotationStateSchema,
  type SyncState,
  syncState,
  type WorkloadState,
} from './rotate-secret-plan.ts';
import { plural } from './rotate-secret-text.ts';
import { epochOr, verifyRotation } from './rotate-secret-verify.ts';
import { claimFor, type RotationClaim, type RotationClaims } from './rotation-claims.ts';
import { applySteps, outcomeError } from './run.ts';
import type { SecretRotator } from './secret-ports.ts';

/**
 * Executing a rotate-secret plan: claim the secret (one rotation per secret at a time), bring the
 * new version to AWSCURRENT, force-sync the ExternalSecrets and wait for their refresh, restart the
 * workloads whose Secrets are fresh, then wait — boundedly — for their rollouts. Steps after the
 * secret are independent: one that fails does not stop the others, and the outcome names what is
 * left for a run with the same rotation id.
 */

export interface SyncWaitPolicy {
  /** @default 60000 */
  timeoutMs: number;
  /** @default 2000 */
  intervalMs: number;
}

export const DEFAULT_SYNC_WAIT: SyncWaitPolicy = { timeoutMs: 60_000, intervalMs: 2_000 };

export interface ExecutionDependencies {
  secrets: SecretRotator;
  claims: RotationClaims;
  timers: Timers;
  cooldownMs: number;
  syncWait: SyncWaitPolicy;
  rolloutWait: RolloutWaitPolicy;
}

interface Shortfall {
  /** `ExternalSecret payments/ledger`, `Deployment payments/api`. */
  object: string;
  reason: string;
  step?: PlannedStep;
  error: KubeguardError;
}

export function rotationStateOf(plan: RemediationPlan): RotationState {
  return readPlanState(plan, rotationStateSchema, 'rotate-secret');
}

export async function executeRotation(
  plan: RemediationPlan,
  context: ActionContext,
  deps: ExecutionDependencies,
): Promise<ActionOutcome> {
  const state = rotationStateOf(plan);
  const base = { action: plan.action, target: plan.target, actor: context.actor };
  const failedBeforeCluster = (error: unknown, recovery: string): ActionOutcome => ({
    ...base,
    status: 'failed',
    plan,
    applied: [],
    error: outcomeError(error),
    recovery,
    at: context.clock(),
  });
  let claim: Awaited<ReturnType<RotationClaims['claim']>>;
  try {
    const at = context.clock();
    claim = await deps.claims.claim(
      claimFor(
        { secretArn: state.secret.arn, rotationId: state.rotationId, actor: context.actor },
        at,
        deps.cooldownMs,
      ),
      at,
    );
  } catch (error) {
    return failedBeforeCluster(
      error,
      'nothing was changed: a rotation claims its secret before it writes to Secrets Manager, so that two clicks never rotate twice; fix the claims table (or its permissions) and run the action again',
    );
  }
  if (!claim.claimed) return busyOutcome(claim.holder, state, context, deps, base);
  try {
    await settleSecret(state, deps.secrets);
  } catch (error) {
    return failedBeforeCluster(
      error,
      `nothing in the cluster was changed. ${secretRecovery(state, asKubeguardError(error))} ` +
        `Running the action again with rotation id ${state.rotationId} resumes: it waits for a rotation it started instead of starting another.`,
    );
  }
  const applied: AppliedStep[] = [];
  const shortfalls: Shortfall[] = [];
  const syncFrom = Math.floor(Date.parse(context.clock()) / 1000);
  const forcedEarlier = await forcedByThisRotation(state, context.kube);
  const forced = await applyEach(stepsFor(plan, 'ExternalSecret'), context, applied, shortfalls);
  const waits = state.externalSecrets.flatMap((es) =>
    es.alreadyForced || forcedEarlier.has(syncKey(es))
      ? [{ es, since: epochOr(es.forceSync, syncFrom) }]
      : forced.has(syncKey(es))
        ? [{ es, since: syncFrom }]
        : [],
  );
  const refreshed = await waitForRefresh(waits, context.kube, deps.timers, deps.syncWait, shortfalls);
  const restartSteps = stepsFor(plan, 'workloads').filter((step) => {
    const workload = workloadOf(state, step);
    const unrefreshed = workload?.waitsFor.filter((id) => !refreshed.has(id)) ?? [];
    if (unrefreshed.length === 0) return true;
    shortfalls.push({
      object: describeStepTarget(step),
      reason: `not restarted: ExternalSecret ${unrefreshed.join(', ')} has not refreshed, so new pods would read the old value`,
      step,
      error: new KubeguardError(
        'PRECONDITION_FAILED',
        `ExternalSecret ${unrefreshed.join(', ')} has not refreshed`,
      ),
    });
    return false;
  });
  const restarted = await applyEach(restartSteps, context, applied, shortfalls);
  const planned = new Set(restartSteps.map((step) => describeStepTarget(step)));
  const rolling = state.workloads.filter(
    (w) => restarted.has(`${w.namespace}/${w.name}`) || (w.alreadyRestarted && !planned.has(describeRef(w))),
  );
  const waited = await awaitRollouts(rolling, context.kube, deps.timers, deps.rolloutWait);
  if (shortfalls.length > 0) return partialOutcome(plan, state, applied, shortfalls, waited, base, context);
  const verification = await verifyRotation(state, context, deps.secrets, waited).catch((error: unknown) => ({
    complete: false,
    summary: `not verified: ${asKubeguardError(error).message}`,
  }));
  return { ...base, status: 'done', plan, applied, verification, at: context.clock() };
}

/** Another rotation holds the secret: nothing is written, and its progress is reported. */
async function busyOutcome(
  holder: RotationClaim,
  state: RotationState,
  context: ActionContext,
  deps: ExecutionDependencies,
  base: { action: RemediationPlan['action']; target: string; actor: string },
): Promise<ActionOutcome> {
  const secret = await deps.secrets.describe(state.secret.arn);
  const annotationsOf = async (ref: {
    kind: WorkloadState['kind'] | 'ExternalSecret' | 'ClusterExternalSecret';
    namespace?: string;
    name: string;
  }) => (await findObject(context.kube, ref).catch(() => undefined))?.metadata.annotations;
  const progress = progressOf(holder.rotationId, secret, {
    externalSecrets: await Promise.all(
      state.externalSecrets.map((es) =>
        annotationsOf(
          es.via === undefined
            ? { kind: 'ExternalSecret', namespace: es.namespace, name: es.name }
            : { kind: 'ClusterExternalSecret', name: es.via },
        ),
      ),
    ),
    workloads: await Promise.all(state.workloads.map((w) => annotationsOf(w))),
  });
  const busy = busySecret(base.target, state.secret.name, holder, progress);
  return {
    ...base,
    status: 'skipped',
    reason: busy.reason,
    ...(busy.recommendation ? { recommendation: busy.recommendation } : {}),
    ...(busy.facts ? { facts: busy.facts } : {}),
    at: context.clock(),
  };
}

/**
 * Brings the secret to "version rotationId is AWSCURRENT". The secret is read again first: an
 * earlier execution of the same plan (a redelivered message) may have started the rotation already.
 */
async function settleSecret(state: RotationState, secrets: SecretRotator): Promise<void> {
  const decision = decideSecretOperation(await secrets.describe(state.secret.arn), state.rotationId);
  if (decision.kind === 'refuse') {
    throw new KubeguardError(decision.code, `${decision.reason}; ${decision.recommendation}`, {
      details: { secret: state.secret.arn, rotationId: state.rotationId },
    });
  }
  if (decision.operation === 'AlreadyRotated') return;
  if (decision.operation === 'RotateSecret') await secrets.startRotation(state.secret.arn, state.rotationId);
  if (decision.operation === 'PutSecretValue')
    await secrets.putGeneratedValue(state.secret.arn, state.rotationId);
  await secrets.waitUntilCurrent(state.secret.arn, state.rotationId);
}

function secretRecovery(state: RotationState, error: KubeguardError): string {
  if (error.code === 'CONFLICT')
    return 'Secrets Manager reports a rotation already in progress; see the error for how to clear it.';
  if (error.code === 'FORBIDDEN') return "Grant the missing permission to kubeguard's worker role.";
  return state.secret.operation === 'RotateSecret'
    ? `Check the rotation function's logs${state.secret.rotationLambdaArn ? ` (${state.secret.rotationLambdaArn})` : ''}.`
    : 'Check the secret in the Secrets Manager console.';
}

function stepsFor(plan: RemediationPlan, which: 'ExternalSecret' | 'workloads'): PlannedStep[] {
  const isSync = (step: PlannedStep) =>
    step.op === 'patch' && (step.kind === 'ExternalSecret' || step.kind === 'ClusterExternalSecret');
  return plan.steps.filter((step) => step.op === 'patch' && (which === 'ExternalSecret') === isSync(step));
}

/**
 * What force-syncs an ExternalSecret: itself (`namespace/name`), or the ClusterExternalSecret that
 * manages it (`ClusterExternalSecret/<name>`); applied steps are keyed the same way.
 */
function syncKey(es: ExternalSecretState): string {
  return es.via === undefined ? esId(es) : `ClusterExternalSecret/${es.via}`;
}

function stepKey(step: PlannedStep): string {
  if (step.op !== 'patch') return '';
  return step.kind === 'ClusterExternalSecret'
    ? `ClusterExternalSecret/${step.name}`
    : `${step.namespace}/${step.name}`;
}

/** Applies each step through the shared interpreter, going on past failures: the steps are independent. */
async function applyEach(
  steps: readonly PlannedStep[],
  context: ActionContext,
  applied: AppliedStep[],
  shortfalls: Shortfall[],
): Promise<Set<string>> {
  const done = new Set<string>();
  for (const step of steps) {
    const result = await applySteps([step], context.kube);
    applied.push(...result.applied);
    if (result.failure === undefined) {
      if (step.op === 'patch') done.add(stepKey(step));
    } else {
      shortfalls.push({
        object: describeStepTarget(step),
        reason: `${step.op} failed: ${result.failure.error.message}`,
        step,
        error: result.failure.error,
      });
    }
  }
  return done;
}

/**
 * ExternalSecrets an earlier delivery of this same plan already force-synced. Sending the same
 * annotation again changes nothing, so the operator will not refresh again: their refresh is the
 * one that followed that first force-sync, not one after this run's clock.
 */
async function forcedByThisRotation(state: RotationState, kube: KubeReader): Promise<Set<string>> {
  const forced = new Set<string>();
  for (const es of state.externalSecrets.filter((candidate) => !candidate.alreadyForced)) {
    const ref =
      es.via === undefined
        ? { kind: 'ExternalSecret' as const, namespace: es.namespace, name: es.name }
        : { kind: 'ClusterExternalSecret' as const, name: es.via };
    const object = await findObject(kube, ref).catch(() => undefined);
    if (object?.metadata.annotations?.[ROTATION_ID_ANNOTATION] === state.rotationId) forced.add(syncKey(es));
  }
  return forced;
}

/** ExternalSecrets refreshed since their force-sync, as `namespace/name`; the others become shortfalls. */
async function waitForRefresh(
  waits: readonly { es: ExternalSecretState; since: number }[],
  kube: KubeReader,
  timers: Timers,
  policy: SyncWaitPolicy,
  shortfalls: Shortfall[],
): Promise<Set<string>> {
  const refreshed = new Set<string>();
  let waiting = [...waits];
  const deadline = timers.nowMs() + policy.timeoutMs;
  for (;;) {
    const still: typeof waiting = [];
    for (const wait of waiting) {
      const sync = await readSync(kube, wait.es, wait.since);
      if (sync.state === 'refreshed') refreshed.add(esId(wait.es));
      else if (sync.state === 'failed') shortfalls.push(syncShortfall(wait.es, sync.reason));
      else still.push(wait);
    }
    waiting = still;
    if (waiting.length === 0) return refreshed;
    if (timers.nowMs() + policy.intervalMs > deadline) break;
    await timers.sleep(policy.intervalMs);
  }
  for (const { es } of waiting) {
    const seconds = Math.round(policy.timeoutMs / 1000);
    shortfalls.push(
      syncShortfall(
        es,
        `no refresh reported within ${seconds} s after force-sync${es.caveat ? ` (${es.caveat})` : ''}`,
      ),
    );
  }
  return refreshed;
}

async function readSync(kube: KubeReader, es: ExternalSecretState, since: number): Promise<SyncState> {
  try {
    const object = await kube.get({ kind: 'ExternalSecret', namespace: es.namespace, name: es.name });
    return syncState(object, since);
  } catch (error) {
    return { state: 'failed', reason: `cannot read it: ${asKubeguardError(error).message}` };
  }
}

function syncShortfall(es: ExternalSecretState, reason: string): Shortfall {
  const object = `ExternalSecret ${es.namespace}/${es.name}`;
  return {
    object,
    reason: `not refreshed: ${reason}`,
    error: new KubeguardError('UPSTREAM', `${object} not refreshed: ${reason}`),
  };
}

function partialOutcome(
  plan: RemediationPlan,
  state: RotationState,
  applied: AppliedStep[],
  shortfalls: readonly Shortfall[],
  waited: ReadonlyMap<string, RolloutResult>,
  base: { action: RemediationPlan['action']; target: string; actor: string },
  context: ActionContext,
): ActionOutcome {
  const [first] = shortfalls as [Shortfall, ...Shortfall[]];
  const done = applied.map((step) => describeStepTarget(step.step));
  const error = outcomeError(
    new KubeguardError(
      first.error.code,
      `${state.secret.name} was rotated (version ${state.rotationId} is AWSCURRENT) but ${plural(shortfalls.length, 'consumer step')} did not complete: ` +
        shortfalls.map((s) => `${s.object}: ${s.reason}`).join('; '),
      {
        details: {
          versionBefore: state.secret.previousVersionId,
          versionAfter: state.rotationId,
          done,
          notDone: shortfalls.map((s) => ({ object: s.object, reason: s.reason, code: s.error.code })),
          rollouts: Object.fromEntries([...waited].map(([object, result]) => [object, result.summary])),
        },
      },
    ),
  );
  return {
    ...base,
    status: 'failed',
    plan,
    applied,
    ...(first.step ? { failedStep: first.step } : {}),
    error,
    recovery:
      `the secret is rotated and ${plural(done.length, 'change')} applied${done.length > 0 ? ` (${done.join(', ')})` : ''}; ` +
      `still to do: ${shortfalls.map((s) => s.object).join(', ')}. Fix the cause, then run rotate-secret again with rotation id ${state.rotationId}: ` +
      `it does not rotate again (the version is AWSCURRENT) and skips every object already annotated ${ROTATION_ID_ANNOTATION}=${state.rotationId}.`,
    at: context.clock(),
  };
}

function workloadOf(state: RotationState, step: PlannedStep): WorkloadState | undefined {
  if (step.op !== 'patch') return undefined;
  return state.workloads.find(
    (w) => w.kind === step.kind && w.namespace === step.namespace && w.name === step.name,
  );
}

function describeStepTarget(step: PlannedStep): string {
  if (step.op === 'create') {
    return describeRef({
      kind: step.object.kind ?? 'object',
      namespace: step.object.metadata.namespace ?? '',
      name: step.object.metadata.name,
    });
  }
  return describeRef({
    kind: step.kind,
    name: step.name,
    ...(step.namespace ? { namespace: step.namespace } : {}),
  });
}

function esId(es: { namespace: string; name: string }): string {
  return `${es.namespace}/${es.name}`;
}
