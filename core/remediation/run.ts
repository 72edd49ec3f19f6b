import { asKubeguardError, type KubeguardError } from '../errors.ts';
import type {
  ActionContext,
  ActionOutcome,
  AppliedStep,
  OutcomeError,
  PlannedStep,
  PreflightResult,
  RemediationAction,
  RemediationPlan,
  Verification,
} from './action.ts';
import { describeRef } from './kube-objects.ts';
import { explainRefusal, StalePlanError } from './plan-guard.ts';
import type { EvidenceBundle, EvidenceReceipt, KubeClient } from './ports.ts';

/**
 * The shared machinery of every action: the step interpreter (the only code that writes to the
 * cluster, so a plan and its execution cannot differ), and the run that turns preflight, capture,
 * steps and verification into one outcome.
 */

/** Preflight then, when ready, execute: the whole action in one call. */
export async function runAction<Request>(
  action: RemediationAction<Request>,
  request: Request,
  context: ActionContext,
): Promise<ActionOutcome> {
  const preflight = await action.preflight(request, context);
  if (preflight.status === 'skipped') return skippedOutcome(action.metadata.id, preflight, context);
  return action.execute(preflight.plan, context);
}

export function skippedOutcome(
  action: ActionOutcome['action'],
  preflight: Extract<PreflightResult, { status: 'skipped' }>,
  context: ActionContext,
): ActionOutcome {
  return {
    status: 'skipped',
    action,
    target: preflight.target,
    reason: preflight.reason,
    ...(preflight.recommendation ? { recommendation: preflight.recommendation } : {}),
    ...(preflight.facts ? { facts: preflight.facts } : {}),
    at: context.clock(),
    actor: context.actor,
  };
}

export interface ExecutionHooks {
  /** Gathers the forensic bundle; called only when the plan has `evidence`. */
  capture?: () => Promise<EvidenceBundle>;
  verify: () => Promise<Verification>;
  /** What is left behind when `failedStep` failed after `applied`, and how to finish or undo it. */
  recovery: (applied: readonly AppliedStep[], failedStep: PlannedStep) => string;
}

/**
 * Stores the forensic bundle (when planned), applies the steps in order, then verifies. Nothing is
 * written to the cluster unless the bundle is stored; a failing step stops the run, and the outcome
 * says which steps were applied and how to finish.
 */
export async function executePlan(
  plan: RemediationPlan,
  context: ActionContext,
  hooks: ExecutionHooks,
): Promise<ActionOutcome> {
  const base = { action: plan.action, target: plan.target, actor: context.actor };
  let evidence: EvidenceReceipt | undefined;
  if (plan.evidence && hooks.capture) {
    try {
      evidence = await context.evidence.put(await hooks.capture());
    } catch (error) {
      return {
        ...base,
        status: 'failed',
        plan,
        applied: [],
        error: outcomeError(error),
        recovery:
          error instanceof StalePlanError
            ? 'nothing was changed or captured: plan the action again against the object that exists now'
            : 'nothing was changed: the forensic bundle must be stored before the pod is touched; fix the evidence store or the read permissions and run the action again',
        at: context.clock(),
      };
    }
  }
  const { applied, failure } = await applySteps(plan.steps, context.kube);
  if (failure) {
    return {
      ...base,
      status: 'failed',
      plan,
      applied,
      failedStep: failure.step,
      ...(evidence ? { evidence } : {}),
      error: outcomeError(failure.error),
      recovery: hooks.recovery(applied, failure.step),
      at: context.clock(),
    };
  }
  const verification = await verifySafely(hooks.verify);
  return {
    ...base,
    status: 'done',
    plan,
    applied,
    ...(evidence ? { evidence } : {}),
    verification,
    at: context.clock(),
  };
}

/**
 * Applies each step as written; stops at the first failure. A guarded write the API server refuses
 * is explained by reading its object again (replaced, changed or deleted since the plan).
 */
export async function applySteps(
  steps: readonly PlannedStep[],
  kube: KubeClient,
): Promise<{ applied: AppliedStep[]; failure?: { step: PlannedStep; error: KubeguardError } }> {
  const applied: AppliedStep[] = [];
  for (const step of steps) {
    try {
      const resourceVersion = await applyStep(step, kube);
      applied.push({ step, ...(resourceVersion ? { resourceVersion } : {}) });
    } catch (error) {
      return { applied, failure: { step, error: await explainRefusal(step, asKubeguardError(error), kube) } };
    }
  }
  return { applied };
}

async function applyStep(step: PlannedStep, kube: KubeClient): Promise<string | undefined> {
  switch (step.op) {
    case 'create':
      return (await kube.create(step.object)).metadata.resourceVersion;
    case 'patch': {
      const ref = {
        kind: step.kind,
        name: step.name,
        ...(step.namespace ? { namespace: step.namespace } : {}),
      };
      return (await kube.patch(ref, { type: step.patchType, body: step.body })).metadata.resourceVersion;
    }
    case 'delete': {
      const ref = {
        kind: step.kind,
        name: step.name,
        ...(step.namespace ? { namespace: step.namespace } : {}),
      };
      await kube.delete(ref, step.preconditions);
      return undefined;
    }
  }
}

async function verifySafely(verify: () => Promise<Verification>): Promise<Verification> {
  try {
    return await verify();
  } catch (error) {
    const { code, message } = asKubeguardError(error);
    return { complete: false, summary: `not verified: ${code}: ${message}` };
  }
}

export function outcomeError(error: unknown): OutcomeError {
  const normalized = asKubeguardError(error);
  return { code: normalized.code, message: normalized.message, details: normalized.details };
}

/** `create NetworkPolicy shop/kubeguard-quarantine-q1`, for recovery texts and plan outlines. */
export function describeStep(step: PlannedStep): string {
  if (step.op === 'create') {
    const { kind = 'object', metadata } = step.object;
    return `create ${describeRef({ kind, name: metadata.name, ...(metadata.namespace ? { namespace: metadata.namespace } : {}) })}`;
  }
  return `${step.op} ${describeRef(step)}`;
}
