import {
  type ApprovalAsk,
  type ApprovalDecision,
  type ApprovalDecisionResult,
  approvalExpired,
  type ExecutionClaim,
  laterOf,
  type PlanApproval,
  type PlanExecution,
  type PlanStore,
  planExpired,
  type StoredPlan,
} from '../../core/chatops/plan-store.ts';
import type { ActionOutcome } from '../../core/remediation/action.ts';

/**
 * PlanStore in one process (local runs, tests): the contract of adapters/aws/plan-store.ts, held by
 * the same suite (test/integration/plan-store-contract.test.ts). Plans are copied in and out, as a
 * store would serialize them, so a caller never changes a stored plan by accident.
 */
export class InMemoryPlanStore implements PlanStore {
  readonly #plans = new Map<string, StoredPlan>();

  async putIfAbsent(plan: StoredPlan): Promise<StoredPlan> {
    const stored = this.#plans.get(plan.requestId);
    if (stored !== undefined) return copy(stored);
    this.#plans.set(plan.requestId, copy(plan));
    return copy(plan);
  }

  async get(requestId: string): Promise<StoredPlan | undefined> {
    const stored = this.#plans.get(requestId);
    return stored === undefined ? undefined : copy(stored);
  }

  async claimExecution(planRequestId: string, execution: PlanExecution): Promise<ExecutionClaim> {
    const stored = this.#plans.get(planRequestId);
    if (stored === undefined) return { claimed: false, why: 'missing' };
    if (stored.execution !== undefined && stored.execution.requestId !== execution.requestId) {
      return { claimed: false, why: 'taken', plan: copy(stored) };
    }
    if (stored.execution === undefined) {
      if (planExpired(stored, execution.at)) return { claimed: false, why: 'expired', plan: copy(stored) };
      if (stored.approval !== undefined && stored.approval.decision?.status !== 'approved') {
        return { claimed: false, why: 'unapproved', plan: copy(stored) };
      }
      stored.execution = { ...execution };
    }
    return { claimed: true, plan: copy(stored) };
  }

  async requestApproval(planRequestId: string, approval: PlanApproval): Promise<ApprovalAsk> {
    const stored = this.#plans.get(planRequestId);
    if (stored === undefined) return { asked: false, why: 'missing' };
    if (stored.approval === undefined) {
      if (stored.execution !== undefined) return { asked: false, why: 'executed', plan: copy(stored) };
      if (planExpired(stored, approval.requestedAt))
        return { asked: false, why: 'expired', plan: copy(stored) };
      stored.approval = copy(approval);
      stored.expiresAt = laterOf(stored.expiresAt, approval.expiresAt);
    } else if (stored.approval.requestId !== approval.requestId) {
      return { asked: false, why: 'taken', plan: copy(stored) };
    }
    return { asked: true, plan: copy(stored) as StoredPlan & { approval: PlanApproval } };
  }

  async recordApprovalMessage(
    planRequestId: string,
    approvalRequestId: string,
    message: { channel: string; ts: string },
  ): Promise<void> {
    const approval = this.#plans.get(planRequestId)?.approval;
    if (approval?.requestId === approvalRequestId) approval.message = { ...message };
  }

  async decideApproval(planRequestId: string, decision: ApprovalDecision): Promise<ApprovalDecisionResult> {
    const stored = this.#plans.get(planRequestId);
    if (stored === undefined) return { decided: false, why: 'missing' };
    const approval = stored.approval;
    if (approval === undefined) return { decided: false, why: 'not-asked', plan: copy(stored) };
    if (approval.decision === undefined) {
      if (approvalExpired(approval, decision.at))
        return { decided: false, why: 'expired', plan: copy(stored) };
      approval.decision = { ...decision };
    } else if (approval.decision.requestId !== decision.requestId) {
      return { decided: false, why: 'decided', plan: copy(stored) };
    }
    return {
      decided: true,
      plan: copy(stored) as Extract<ApprovalDecisionResult, { decided: true }>['plan'],
    };
  }

  async recordOutcome(
    planRequestId: string,
    executionRequestId: string,
    outcome: ActionOutcome,
  ): Promise<void> {
    const stored = this.#plans.get(planRequestId);
    if (stored?.execution?.requestId !== executionRequestId) return;
    stored.outcome = copy(outcome);
  }
}

function copy<T>(value: T): T {
  return structuredClone(value);
}
