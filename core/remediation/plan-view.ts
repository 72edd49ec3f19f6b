import type { PlannedStep, RemediationPlan } from './action.ts';
import { describeRef } from './kube-objects.ts';
import { PATCH_CONTENT_TYPES } from './ports.ts';

/**
 * A plan as data for people: the objects it creates, patches and deletes (with why and the exact
 * body), what is captured first, what keeps running and the warnings. The Slack confirmation modal
 * and the CLI render this; they never re-derive anything from the plan's steps themselves.
 */

export interface PlanObjectChange {
  /** `NetworkPolicy shop/kubeguard-quarantine-a1b2c3` */
  object: string;
  why: string;
  /** The exact body sent: the object, the patch document, or the delete preconditions. */
  body: unknown;
  /** For patches: the Content-Type the patch is sent with. */
  contentType?: string;
}

export interface PlanOutline {
  title: string;
  target: string;
  summary: string;
  /** Forensic captures stored before any change (empty when none). */
  capturesFirst: readonly string[];
  create: PlanObjectChange[];
  patch: PlanObjectChange[];
  delete: PlanObjectChange[];
  /** In execution order: `1. patch Pod shop/web-x`. */
  order: string[];
  effects: readonly string[];
  warnings: readonly string[];
}

export function planOutline(plan: RemediationPlan, title: string): PlanOutline {
  const outline: PlanOutline = {
    title,
    target: plan.target,
    summary: plan.summary,
    capturesFirst: plan.evidence?.captures ?? [],
    create: [],
    patch: [],
    delete: [],
    order: [],
    effects: plan.effects,
    warnings: plan.warnings,
  };
  plan.steps.forEach((step, index) => {
    const change = changeOf(step);
    outline[step.op].push(change);
    outline.order.push(`${index + 1}. ${step.op} ${change.object}`);
  });
  return outline;
}

function changeOf(step: PlannedStep): PlanObjectChange {
  switch (step.op) {
    case 'create': {
      const { kind = 'object', metadata } = step.object;
      const ref = {
        kind,
        name: metadata.name,
        ...(metadata.namespace ? { namespace: metadata.namespace } : {}),
      };
      return { object: describeRef(ref), why: step.why, body: step.object };
    }
    case 'patch':
      return {
        object: describeRef(step),
        why: step.why,
        body: step.body,
        contentType: PATCH_CONTENT_TYPES[step.patchType],
      };
    case 'delete':
      return { object: describeRef(step), why: step.why, body: { preconditions: step.preconditions ?? {} } };
  }
}
