import { KubeguardError } from '../../errors.ts';
import type { ActionOutcome } from '../../remediation/action.ts';
import { personText, slackDate } from '../../slack-views/format.ts';
import type { ConfirmReference } from '../../slack-views/ids.ts';
import { buildOutcomeBlocks, buildOutcomeMessage } from '../../slack-views/outcome.ts';
import { buildRunErrorModal, buildRunResultModal } from '../../slack-views/remediation-run.ts';
import { PLAN_TTL_MINUTES, type StoredPlan, storedOutcome } from '../plan-store.ts';
import { REMEDIATION_PURPOSE, REMEDIATION_ROLE } from '../remediation-ask.ts';
import { textReply } from '../replies.ts';
import type { QueuedRequestOf } from '../requests.ts';
import {
  type HandlerOutcome,
  recordFor,
  requireRole,
  type WorkerDeps,
  type WorkerHandler,
} from '../worker-context.ts';
import { actionFor, contextFor, planText, remediationOf } from './remediation-actions.ts';
import { showOnAlert } from './remediation-outcome.ts';

/**
 * The second half of a remediation: the confirmation names the stored plan. Only the person who
 * planned it may confirm it, only before it expires, and only once (the plan store's conditional
 * claim); the role is checked again on its cluster. The action is recorded with the plan and the
 * reason before anything runs, then exactly the stored plan is executed and verified, and the
 * outcome is recorded, kept on the finding for its alert, noted in the thread and shown in the modal.
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
  if (!claim.claimed) {
    throw new KubeguardError(
      'PRECONDITION_FAILED',
      `the plan expired ${slackDate(stored.expiresAt)} (plans last ${PLAN_TTL_MINUTES} minutes, the cluster moves on): start again from the alert or the command to plan again`,
    );
  }
  let outcome = claim.plan.outcome;
  // A redelivered confirmation whose run already ended shows that run; it never runs twice.
  if (outcome === undefined) {
    await recordFor(deps, request, 'action', {
      ...facts,
      plan: planText(stored.plan),
      reason: args.reason,
    });
    const runtime = await remediation.runtime.forCluster(stored.cluster);
    const action = actionFor(stored.action, remediation.runtime, runtime, deps.config);
    outcome = storedOutcome(await action.execute(stored.plan, contextFor(runtime, deps, request)));
    await remediation.plans.recordOutcome(stored.requestId, request.requestId, outcome);
    await showOnAlert(request, deps, stored, outcome);
  }
  const input = {
    outcome,
    cluster: stored.cluster,
    reason: args.reason,
    ...(stored.finding === undefined ? {} : { finding: { fingerprint: stored.finding } }),
  };
  await showResult(request, deps, reference, buildOutcomeBlocks(input));
  // Without an alert, the channel the command came from gets the outcome (and its Release button).
  if (stored.finding === undefined) await answerPlanner(deps, stored, buildOutcomeMessage(input));
  return { result: resultOf(outcome), detail: detailOf(outcome), ...facts };
}

function factsOf(stored: StoredPlan): Pick<HandlerOutcome, 'cluster' | 'finding' | 'target'> {
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

async function showResult(
  request: QueuedRequestOf<'execute'>,
  deps: WorkerDeps,
  reference: ConfirmReference,
  blocks: Parameters<typeof buildRunResultModal>[1],
): Promise<void> {
  if (request.args.view === undefined) return;
  try {
    await remediationOf(deps).views.update({ id: request.args.view }, buildRunResultModal(reference, blocks));
  } catch (error) {
    deps.log.warn('remediation modal not updated', {
      requestId: request.requestId,
      error: error instanceof Error ? error.name : 'unknown',
    });
  }
}

async function answerPlanner(
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
