import { approvalRequirement } from '../../authz/approval.ts';
import { KubeguardError } from '../../errors.ts';
import { personText, slackDate } from '../../slack-views/format.ts';
import type { ConfirmReference } from '../../slack-views/ids.ts';
import { buildOutcomeBlocks, buildOutcomeMessage } from '../../slack-views/outcome.ts';
import { buildRunErrorModal, type buildRunResultModal } from '../../slack-views/remediation-run.ts';
import { PLAN_TTL_MINUTES } from '../plan-store.ts';
import { REMEDIATION_PURPOSE, REMEDIATION_ROLE } from '../remediation-ask.ts';
import { textReply } from '../replies.ts';
import type { QueuedRequestOf } from '../requests.ts';
import { type HandlerOutcome, requireRole, type WorkerDeps, type WorkerHandler } from '../worker-context.ts';
import { remediationOf } from './remediation-actions.ts';
import { askForApproval } from './remediation-approval.ts';
import type { PlanRun } from './remediation-outcome.ts';
import {
  answerPlanner,
  factsOf,
  outcomeFacts,
  outcomeInput,
  runClaimedPlan,
  showInModal,
} from './remediation-run.ts';

/**
 * The second half of a remediation: the confirmation names the stored plan. Only the person who
 * planned it may confirm it, only before it expires, and only once (the plan store's conditional
 * claim); the role is checked again on its cluster. An action the configuration puts under
 * two-person approval is not run here: it waits for a second person (remediation-approval.ts).
 * The action is recorded with the plan and the reason before anything runs, then exactly the stored
 * plan is executed and verified, and the outcome is recorded, kept on the finding for its alert,
 * noted in the thread and shown in the modal (remediation-run.ts).
 */
export const executeHandler: WorkerHandler<'execute'> = async (request, deps) => {
  const remediation = remediationOf(deps);
  const { args } = request;
  const reference: ConfirmReference = { r: args.plan, a: args.action };
  try {
    return await execute(request, deps, reference);
  } catch (error) {
    if (args.view !== undefined) {
      await remediation.views
        .update({ id: args.view }, buildRunErrorModal(reference, error))
        .catch(() => undefined);
    }
    throw error;
  }
};

async function execute(
  request: QueuedRequestOf<'execute'>,
  deps: WorkerDeps,
  reference: ConfirmReference,
): Promise<HandlerOutcome> {
  const remediation = remediationOf(deps);
  const { args } = request;
  const at = deps.clock();
  const stored = await remediation.plans.get(args.plan);
  if (stored === undefined) {
    throw new KubeguardError(
      'NOT_FOUND',
      `the plan ${args.plan} is not kept any more (plans last ${PLAN_TTL_MINUTES} minutes): start again from the alert or the command to make a new one`,
    );
  }
  Object.assign(reference, { c: stored.cluster, t: stored.plan.target });
  if (stored.action !== args.action) {
    throw new KubeguardError(
      'INVALID_ARGUMENT',
      `plan ${args.plan} is for ${stored.action}, not ${args.action}`,
    );
  }
  if (stored.requestedBy !== request.actor.userId) {
    throw new KubeguardError(
      'FORBIDDEN',
      `only the person who made plan ${args.plan} may confirm it; start the action yourself to see and confirm your own plan`,
    );
  }
  requireRole(request, deps, REMEDIATION_ROLE, stored.cluster, REMEDIATION_PURPOSE[stored.action]);
  // A second person must approve first: nothing runs now (core/chatops/handlers/remediation-approval.ts).
  const need = approvalRequirement(deps.config.authorization, stored.action, stored.cluster);
  if (need !== undefined || stored.approval !== undefined) {
    return askForApproval(request, deps, stored, need, reference);
  }
  const claim = await remediation.plans.claimExecution(stored.requestId, {
    requestId: request.requestId,
    by: request.actor.userId,
    at,
    reason: args.reason,
  });
  const facts = factsOf(stored);
  if (!claim.claimed && claim.why === 'taken') {
    const by = claim.plan.execution;
    const text = `This plan was already confirmed${by === undefined ? '' : ` by ${personText(by.by)} ${slackDate(by.at)}`}; it runs once.`;
    await showResult(request, deps, reference, [{ type: 'section', text: { type: 'mrkdwn', text } }]);
    return { reply: textReply(text), result: 'unchanged', detail: 'already confirmed', ...facts };
  }
  if (!claim.claimed && claim.why === 'unapproved') {
    return askForApproval(request, deps, claim.plan, need, reference);
  }
  if (!claim.claimed) {
    throw new KubeguardError(
      'PRECONDITION_FAILED',
      `the plan expired ${slackDate(stored.expiresAt)} (plans last ${PLAN_TTL_MINUTES} minutes, the cluster moves on): start again from the alert or the command to plan again`,
    );
  }
  const run: PlanRun = {
    requestId: request.requestId,
    requestedBy: request.actor.userId,
    reason: args.reason,
  };
  const outcome = await runClaimedPlan(request, deps, claim.plan, run);
  const input = outcomeInput(stored, outcome, args.reason);
  await showResult(request, deps, reference, buildOutcomeBlocks(input));
  // Without an alert, the channel the command came from gets the outcome (and its Release button).
  if (stored.finding === undefined) await answerPlanner(deps, stored, buildOutcomeMessage(input));
  return outcomeFacts(stored, outcome);
}

async function showResult(
  request: QueuedRequestOf<'execute'>,
  deps: WorkerDeps,
  reference: ConfirmReference,
  blocks: Parameters<typeof buildRunResultModal>[1],
): Promise<void> {
  await showInModal(deps, request.args.view, reference, blocks, request.requestId);
}
