import type { ActionOutcome, RemediationPlan } from '../remediation/action.ts';
import type { RemediationActionId } from './requests.ts';

/**
 * Where a remediation's dry-run plan waits between the modal that shows it and the confirmation
 * that runs it (docs/slack-bot.md "Remediation"). The worker stores the plan under the request id
 * that planned it; the confirmation names that id (ConfirmReference `r`) and the worker executes
 * exactly the stored plan — never one rebuilt from what the modal sent back.
 *
 * adapters/local/in-memory-plan-store.ts and adapters/aws/plan-store.ts (the kubeguard table, one
 * item per plan, single-item conditional writes) implement it; one contract suite holds both.
 */

/** How long a plan can be confirmed: the cluster it describes drifts, so an old plan is planned again. */
export const PLAN_TTL_MINUTES = 15;

export interface StoredPlan {
  /** The request that planned it (`r-…`): the key. */
  requestId: string;
  action: RemediationActionId;
  cluster: string;
  /** The finding whose alert shows the outcome, when the action came from an alert. */
  finding?: string;
  /** Slack user id of the person who planned it: only they may confirm it. */
  requestedBy: string;
  /** ISO-8601. */
  plannedAt: string;
  /** ISO-8601: the plan cannot be confirmed from then on. */
  expiresAt: string;
  /** Where the planner's answers go (the click's or command's response URL and channel). */
  reply: { channelId?: string; responseUrl?: string };
  plan: RemediationPlan;
  /** Set once, by the confirmation that runs it. */
  execution?: PlanExecution;
  /** What the run ended with (recorded by the same confirmation). */
  outcome?: ActionOutcome;
}

export interface PlanExecution {
  /** The confirmation's request id. */
  requestId: string;
  by: string;
  at: string;
  reason: string;
}

export type ExecutionClaim =
  | { claimed: true; plan: StoredPlan }
  | { claimed: false; why: 'missing' }
  | { claimed: false; why: 'expired'; plan: StoredPlan }
  | { claimed: false; why: 'taken'; plan: StoredPlan };

export interface PlanStore {
  /**
   * Stores the plan unless one is already stored under its request id (a redelivered plan request);
   * returns the stored one either way, so every delivery shows the same plan.
   */
  putIfAbsent(plan: StoredPlan): Promise<StoredPlan>;
  /** The plan stored under `requestId`, expired or not (undefined once the table let it go). */
  get(requestId: string): Promise<StoredPlan | undefined>;
  /**
   * Marks the plan as run by `execution`, atomically: granted when it is not expired at
   * `execution.at` and no other confirmation claimed it (the same confirmation again — a
   * redelivery — is granted and gets the plan as it stands, outcome included).
   */
  claimExecution(planRequestId: string, execution: PlanExecution): Promise<ExecutionClaim>;
  /** Records the outcome of the run `executionRequestId` claimed. */
  recordOutcome(planRequestId: string, executionRequestId: string, outcome: ActionOutcome): Promise<void>;
}

/** Whether the plan can no longer be confirmed at `at`. */
export function planExpired(plan: Pick<StoredPlan, 'expiresAt'>, at: string): boolean {
  return Date.parse(plan.expiresAt) <= Date.parse(at);
}

/** When a plan made at `plannedAt` expires. */
export function planExpiry(plannedAt: string, minutes = PLAN_TTL_MINUTES): string {
  return new Date(Date.parse(plannedAt) + minutes * 60_000).toISOString();
}

/**
 * The outcome as stored (on the plan and on the finding): the plan's steps carry whole objects and
 * patch bodies the confirmation showed and the trail records, so the stored copy keeps the applied
 * steps (the outcome names them) and drops the plan's step list.
 */
export function storedOutcome(outcome: ActionOutcome): ActionOutcome {
  if (outcome.status === 'skipped' || outcome.plan === undefined) return outcome;
  return { ...outcome, plan: { ...outcome.plan, steps: [] } };
}
