import type { ApproverRole } from '../authz/approval.ts';
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
  /** Set once, by a confirmation of an action that needs a second person (two-person approval). */
  approval?: PlanApproval;
}

/**
 * A confirmed plan waiting for, or decided by, a second person. Pending while `decision` is absent
 * and `expiresAt` is in the future; the plan itself lasts at least as long.
 */
export interface PlanApproval {
  /** The confirmation that asked for it. */
  requestId: string;
  requestedBy: string;
  /** ISO-8601. */
  requestedAt: string;
  /** ISO-8601: from then on it can no longer be approved. */
  expiresAt: string;
  /** The reason given with the confirmation: the run records it. */
  reason: string;
  /** The role the approver needs on the plan's cluster. */
  approverRole: ApproverRole;
  /** The requester's modal, which shows what came of it. */
  view?: string;
  /** The approval message, once posted. */
  message?: { channel: string; ts: string };
  /** Set once, by the first Approve or Deny in time. */
  decision?: ApprovalDecision;
}

export interface ApprovalDecision {
  status: 'approved' | 'denied';
  /** Slack user id of the approver. */
  by: string;
  /** ISO-8601. */
  at: string;
  /** The click's request id: its redelivery is granted the same decision. */
  requestId: string;
}

export type ApprovalAsk =
  | { asked: true; plan: StoredPlan & { approval: PlanApproval } }
  | { asked: false; why: 'missing' }
  | { asked: false; why: 'expired' | 'taken' | 'executed'; plan: StoredPlan };

export type ApprovalDecisionResult =
  | { decided: true; plan: StoredPlan & { approval: PlanApproval & { decision: ApprovalDecision } } }
  | { decided: false; why: 'missing' }
  | { decided: false; why: 'not-asked' | 'expired' | 'decided'; plan: StoredPlan };

export interface PlanExecution {
  /** The confirmation's request id. */
  requestId: string;
  by: string;
  at: string;
  reason: string;
  /** The second person who approved it, when the action needed one. */
  approvedBy?: string;
}

export type ExecutionClaim =
  | { claimed: true; plan: StoredPlan }
  | { claimed: false; why: 'missing' }
  | { claimed: false; why: 'expired'; plan: StoredPlan }
  | { claimed: false; why: 'taken'; plan: StoredPlan }
  /** An approval was asked for and the plan is not approved (pending, denied or expired). */
  | { claimed: false; why: 'unapproved'; plan: StoredPlan };

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
   * `execution.at`, no other confirmation claimed it, and — when an approval was asked for — it is
   * approved (the same confirmation again — a redelivery — is granted and gets the plan as it
   * stands, outcome included).
   */
  claimExecution(planRequestId: string, execution: PlanExecution): Promise<ExecutionClaim>;
  /**
   * Asks for a second person's approval, atomically: granted when the plan has not expired at
   * `approval.requestedAt`, nobody claimed its execution and no other confirmation asked (the same
   * one again is granted, with the approval as it stands). The plan's expiry becomes the
   * approval's when that is later, so an approved plan can still run.
   */
  requestApproval(planRequestId: string, approval: PlanApproval): Promise<ApprovalAsk>;
  /** Where the approval message of `approvalRequestId`'s request was posted. */
  recordApprovalMessage(
    planRequestId: string,
    approvalRequestId: string,
    message: { channel: string; ts: string },
  ): Promise<void>;
  /**
   * Approves or denies, atomically: granted when an approval was asked for, is undecided and has
   * not expired at `decision.at` (the same click again — a redelivery — is granted as it stands).
   */
  decideApproval(planRequestId: string, decision: ApprovalDecision): Promise<ApprovalDecisionResult>;
  /** Records the outcome of the run `executionRequestId` claimed. */
  recordOutcome(planRequestId: string, executionRequestId: string, outcome: ActionOutcome): Promise<void>;
}

/** Whether the plan can no longer be confirmed at `at`. */
export function planExpired(plan: Pick<StoredPlan, 'expiresAt'>, at: string): boolean {
  return Date.parse(plan.expiresAt) <= Date.parse(at);
}

/** Whether an approval can no longer be given at `at`. */
export function approvalExpired(approval: Pick<PlanApproval, 'expiresAt'>, at: string): boolean {
  return Date.parse(approval.expiresAt) <= Date.parse(at);
}

/** The later of two ISO-8601 instants. */
export function laterOf(a: string, b: string): string {
  return Date.parse(a) >= Date.parse(b) ? a : b;
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
