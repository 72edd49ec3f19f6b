import { KubeguardError } from '../errors.ts';
import type * as z from '../zod.ts';
import type { RemediationPlan } from './action.ts';

/**
 * Reading a plan's `state` back. A plan is made when a responder asks and executed when they
 * confirm, possibly in another process after a queue (Slack bot → SQS → worker), so every action
 * validates its state with a schema when it reads it: a state kubeguard did not write is an error
 * that says to plan again, never a cast.
 */
export function readPlanState<T>(
  plan: RemediationPlan,
  schema: z.ZodMiniType<T>,
  action: RemediationPlan['action'],
): T {
  const parsed = schema.safeParse(plan.state);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.map(String).join('.')}` : '';
  throw new KubeguardError(
    'INVALID_ARGUMENT',
    `the ${action} plan's state is not one kubeguard wrote (${issue?.message ?? 'invalid'}${where}); plan the action again`,
    { details: { action, issues: parsed.error.issues.slice(0, 5).map((i) => i.message) } },
  );
}
