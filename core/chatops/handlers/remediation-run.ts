import type { ActionOutcome } from '../../remediation/action.ts';
import type { ConfirmReference } from '../../slack-views/ids.ts';
import { buildRunResultModal } from '../../slack-views/remediation-run.ts';
import { type StoredPlan, storedOutcome } from '../plan-store.ts';
import type { QueuedRequest } from '../requests.ts';
import { type HandlerOutcome, recordFor, type WorkerDeps } from '../worker-context.ts';
import { actionFor, contextFor, planText, remediationOf } from './remediation-actions.ts';
import { type PlanRun, showOnAlert } from './remediation-outcome.ts';

/**
 * Running a stored plan, shared by the confirmation that runs it (remediation-execute.ts) and the
 * approval that runs it (remediation-approval.ts): the run itself, what the trail's outcome says,
 * the requester's modal and the answer to a command's channel.
 */

/**
 * Runs a plan whose execution `run` claimed: records the action (the plan, the reason, who asked and
 * who approved), executes exactly the stored plan and verifies it, keeps the outcome on the plan and
 * on the finding for its alert. A redelivered request whose run already ended gets that run's
 * outcome; it never runs twice. Shared by the confirmation and the approval that runs a plan.
 */
export async function runClaimedPlan(
  request: QueuedRequest,
  deps: WorkerDeps,
  claimed: StoredPlan,
  run: PlanRun,
): Promise<ActionOutcome> {
  if (claimed.outcome !== undefined) return claimed.outcome;
  const remediation = remediationOf(deps);
  await recordFor(deps, request, 'action', {
    ...factsOf(claimed),
    plan: planText(claimed.plan),
    reason: run.reason,
    ...(run.approvedBy === undefined
      ? {}
      : { detail: `requested by ${run.requestedBy}, approved by ${run.approvedBy}` }),
  });
  const runtime = await remediation.runtime.forCluster(claimed.cluster);
  const action = actionFor(claimed.action, remediation.runtime, runtime, deps.config);
  const context = { ...contextFor(runtime, deps, request), actor: `slack:${run.requestedBy}` };
  const outcome = storedOutcome(await action.execute(claimed.plan, context));
  await remediation.plans.recordOutcome(claimed.requestId, run.requestId, outcome);
  await showOnAlert(run, deps, claimed, outcome);
  return outcome;
}

/** What the outcome blocks show (the finding's alert gets them through delivery). */
export function outcomeInput(stored: StoredPlan, outcome: ActionOutcome, reason: string) {
  return {
    outcome,
    cluster: stored.cluster,
    reason,
    ...(stored.finding === undefined ? {} : { finding: { fingerprint: stored.finding } }),
  };
}

/** The trail's outcome of a run. */
export function outcomeFacts(stored: StoredPlan, outcome: ActionOutcome): HandlerOutcome {
  return { result: resultOf(outcome), detail: detailOf(outcome), ...factsOf(stored) };
}

export function factsOf(stored: StoredPlan): Pick<HandlerOutcome, 'cluster' | 'finding' | 'target'> {
  return {
    cluster: stored.cluster,
    target: stored.plan.target,
    ...(stored.finding === undefined ? {} : { finding: stored.finding }),
  };
}

function resultOf(outcome: ActionOutcome): HandlerOutcome['result'] {
  if (outcome.status === 'done') return 'done';
  return outcome.status === 'failed' ? 'failed' : 'unchanged';
}

function detailOf(outcome: ActionOutcome): string {
  if (outcome.status === 'done') return outcome.verification.summary;
  if (outcome.status === 'failed')
    return `${outcome.error.code}: ${outcome.error.message}; ${outcome.recovery}`;
  return `nothing done: ${outcome.reason}`;
}

/** Fills the confirmation modal `view` with `blocks`; a closed modal is logged, not an error. */
export async function showInModal(
  deps: WorkerDeps,
  view: string | undefined,
  reference: ConfirmReference,
  blocks: Parameters<typeof buildRunResultModal>[1],
  requestId: string,
): Promise<void> {
  if (view === undefined) return;
  try {
    await remediationOf(deps).views.update({ id: view }, buildRunResultModal(reference, blocks));
  } catch (error) {
    deps.log.warn('remediation modal not updated', {
      requestId,
      error: error instanceof Error ? error.name : 'unknown',
    });
  }
}

export async function answerPlanner(
  deps: WorkerDeps,
  stored: StoredPlan,
  message: { text: string; blocks: unknown[] },
): Promise<void> {
  try {
    await deps.replies.reply(
      { userId: stored.requestedBy, ...stored.reply },
      { text: message.text, blocks: message.blocks as never },
    );
  } catch (error) {
    deps.log.warn('remediation outcome not answered', {
      requestId: stored.requestId,
      error: error instanceof Error ? error.name : 'unknown',
    });
  }
}
