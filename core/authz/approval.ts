import type { ActionId } from '../remediation/action.ts';
import { type ApprovalRule, type Role, roleSatisfies } from './policy.ts';

export type { ApprovalRule };

/**
 * Two-person approval (docs/slack-bot.md "Two-person approval"): `authorization.approvals` lists the
 * remediations that need a second person on some or all clusters. Whether one does is a pure function
 * of the configuration, the action and the cluster; the bot asks it when the plan is shown (the
 * confirmation says so) and again when the confirmation arrives (what runs is decided then).
 */

/** Every remediation a rule can name (core/remediation/action.ts ActionId; the compiler keeps them equal). */
const ACTION_SET: Record<ActionId, true> = {
  'isolate-pod': true,
  'release-pod': true,
  'rotate-secret': true,
  'cordon-node': true,
  'uncordon-node': true,
};
export const APPROVAL_ACTIONS = Object.keys(ACTION_SET) as readonly ActionId[];

/** The roles that may approve: a viewer never can. */
export const APPROVER_ROLES = ['responder', 'admin'] as const satisfies readonly Role[];
export type ApproverRole = (typeof APPROVER_ROLES)[number];

export const DEFAULT_APPROVAL_MINUTES = 30;
/** Bounds of `withinMinutes`: at least a minute to find someone, at most a day (the plan is stale by then). */
export const APPROVAL_MINUTES_RANGE = { min: 1, max: 1440 } as const;

/** What a configured action needs before it runs. */
export interface ApprovalNeed {
  approverRole: ApproverRole;
  withinMinutes: number;
}

export function isApprovalAction(value: string): value is ActionId {
  return Object.hasOwn(ACTION_SET, value);
}

/**
 * Whether `action` on `cluster` needs a second person, and who and how soon; undefined when no rule
 * names it. When several rules match, the strictest applies: the highest approver role, then the
 * shortest window — adding a rule can only make an action harder to run, never easier.
 */
export function approvalRequirement(
  authorization: { approvals?: readonly ApprovalRule[] },
  action: ActionId,
  cluster: string,
): ApprovalNeed | undefined {
  let need: ApprovalNeed | undefined;
  for (const rule of authorization.approvals ?? []) {
    if (!rule.actions.includes(action)) continue;
    if (rule.clusters !== undefined && !rule.clusters.includes(cluster)) continue;
    if (need === undefined || stricter(rule, need)) {
      need = { approverRole: rule.approverRole, withinMinutes: rule.withinMinutes };
    }
  }
  return need;
}

function stricter(rule: ApprovalRule, need: ApprovalNeed): boolean {
  if (rule.approverRole !== need.approverRole) return roleSatisfies(rule.approverRole, need.approverRole);
  return rule.withinMinutes < need.withinMinutes;
}

/** The stricter of two approver roles (the one recorded when asked, the one configured now). */
export function stricterRole(a: ApproverRole, b: ApproverRole): ApproverRole {
  return roleSatisfies(a, b) ? a : b;
}
