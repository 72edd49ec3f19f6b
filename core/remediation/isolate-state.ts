import * as z from '../zod.ts';
import type { RemediationPlan } from './action.ts';
import { readPlanState } from './plan-state.ts';

/**
 * The `state` of an isolate-pod plan: what execute and verify read back. A plan is made when a
 * responder asks and executed when they confirm, possibly by another process after a queue, so the
 * state is validated when it is read, never cast. zod/mini, as every schema the worker bundle
 * carries (decision D11).
 */

const enforcementSchema = z.object({
  visible: z.boolean(),
  engines: z.array(z.string()),
  summary: z.string(),
});

export const isolationStateSchema = z.strictObject({
  namespace: z.string().check(z.minLength(1)),
  pod: z.string().check(z.minLength(1)),
  /** The pod the plan was made for: every patch is guarded by it. */
  uid: z.string().check(z.minLength(1)),
  quarantineId: z.string().check(z.minLength(1)),
  policy: z.string().check(z.minLength(1)),
  detachedLabels: z.record(z.string(), z.string()),
  enforcement: enforcementSchema,
  /** The isolation the plan leads to, evaluated before anything changes. */
  expected: z.string(),
  resume: z.boolean(),
});

export type IsolationState = z.infer<typeof isolationStateSchema>;

export function isolationStateOf(plan: RemediationPlan): IsolationState {
  return readPlanState(plan, isolationStateSchema, 'isolate-pod');
}
