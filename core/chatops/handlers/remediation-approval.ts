import { type ApprovalNeed, approvalRequirement, stricterRole } from '../../authz/approval.ts';
import { KubeguardError } from '../../errors.ts';
import { type ApprovalState, buildApprovalMessage } from '../../slack-views/approval.ts';
import type { Block } from '../../slack-views/blocks.ts';
import { personText, slackDate } from '../../slack-views/format.ts';
import type { ConfirmReference } from '../../slack-views/ids.ts';
import { buildOutcomeBlocks, buildOutcomeMessage } from '../../slack-views/outcome.ts';
import { approvalExpired, PLAN_TTL_MINUTES, type PlanApproval, type StoredPlan } from '../plan-store.ts';
import { REMEDIATION_PURPOSE } from '../remediation-ask.ts';
import { textReply } from '../replies.ts';
import type { QueuedRequestOf } from '../requests.ts';
import {
  type HandlerOutcome,
  recordFor,
  requireRole,
  type WorkerDeps,
  type WorkerHandler,
} from '../worker-context.ts';
import { planText, remediationOf } from './remediation-actions.ts';
import {
  answerPlanner,
  factsOf,
  outcomeFacts,
  outcomeInput,
  runClaimedPlan,
  showInModal,
} from './remediation-run.ts';
import { resolveFinding } from './resolve.ts';

/**
 * Two-person approval (docs/slack-bot.md "Two-person approval"). A confirmation of an action the
 * configuration puts under approval (core/authz/approval.ts) does not run it: the plan store marks
 * the plan as waiting (one conditional write; the plan's expiry extended to cover the window), the
 * trail records `approval-requested`, and the approval message with Approve and Deny goes to the
 * alert's thread or the command's channel. Approve / Deny are checked again here — the role on the
 * plan's cluster, never the requester — and decide once (pending → approved | denied, only before
 * it expires); an approval runs exactly the stored plan through the confirmation's own run.
 */

type PlanWithApproval = StoredPlan & { approval: PlanApproval };

/** The execute handler's branch for an action that needs a second person: ask, post, wait. */
export async function askForApproval(
  request: QueuedRequestOf<'execute'>,
  deps: WorkerDeps,
  stored: StoredPlan,
  need: ApprovalNeed | undefined,
  reference: ConfirmReference,
): Promise<HandlerOutcome> {
  const remediation = remediationOf(deps);
  const facts = factsOf(stored);
  let plan: PlanWithApproval;
  if (stored.approval !== undefined) {
    if (stored.approval.requestId !== request.requestId)
      return alreadyAsked(request, deps, stored, reference);
    plan = stored as PlanWithApproval;
  } else {
    if (need === undefined) throw new KubeguardError('INTERNAL', 'no approval to ask for');
    const at = deps.clock();
    const asked = await remediation.plans.requestApproval(stored.requestId, {
      requestId: request.requestId,
      requestedBy: request.actor.userId,
      requestedAt: at,
      expiresAt: new Date(Date.parse(at) + need.withinMinutes * 60_000).toISOString(),
      reason: request.args.reason,
      approverRole: need.approverRole,
      ...(request.args.view === undefined ? {} : { view: request.args.view }),
    });
    if (!asked.asked && asked.why === 'missing') throw planGone(stored.requestId);
    if (!asked.asked && asked.why === 'expired') {
      throw new KubeguardError(
        'PRECONDITION_FAILED',
        `the plan expired ${slackDate(stored.expiresAt)} (plans last ${PLAN_TTL_MINUTES} minutes, the cluster moves on): start again from the alert or the command to plan again`,
      );
    }
    if (!asked.asked) return alreadyAsked(request, deps, asked.plan, reference);
    plan = asked.plan;
  }
  const { approval } = plan;
  const waits = `waits for a second person with the ${approval.approverRole} role until ${approval.expiresAt}`;
  await recordFor(deps, request, 'approval-requested', {
    ...facts,
    plan: planText(plan.plan),
    reason: approval.reason,
    role: approval.approverRole,
    detail: waits,
  });
  // A redelivered confirmation whose message was posted does not post a second one.
  const message = approval.message ?? (await postApprovalMessage(request, deps, plan));
  await showInModal(
    deps,
    request.args.view,
    reference,
    [
      section(
        'approval_waiting',
        `:hourglass_flowing_sand: *Waiting for approval.* Someone other than you with the ${approval.approverRole} role must approve within the time shown in the request posted in <#${message.channel}>; it expires ${slackDate(approval.expiresAt)}. Nothing runs before that, and this modal shows what came of it.`,
      ),
    ],
    request.requestId,
  );
  return { result: 'accepted', detail: waits, ...facts };
}

/** A second confirmation of a plan that already waits for (or got) a decision runs nothing. */
async function alreadyAsked(
  request: QueuedRequestOf<'execute'>,
  deps: WorkerDeps,
  stored: StoredPlan,
  reference: ConfirmReference,
): Promise<HandlerOutcome> {
  const facts = factsOf(stored);
  if (stored.approval === undefined) {
    // Confirmed and run before an approval was configured: it ran once.
    const by = stored.execution;
    const text = `This plan was already confirmed${by === undefined ? '' : ` by ${personText(by.by)} ${slackDate(by.at)}`}; it runs once.`;
    await showInModal(deps, request.args.view, reference, [section('run_status', text)], request.requestId);
    return { reply: textReply(text), result: 'unchanged', detail: 'already confirmed', ...facts };
  }
  const text = `This plan already ${stateSentence(stored.approval, deps.clock())}; it runs at most once.`;
  await showInModal(deps, request.args.view, reference, [section('run_status', text)], request.requestId);
  return { reply: textReply(text), result: 'unchanged', detail: 'approval already requested', ...facts };
}

/** Where the request goes: the alert's thread, else the channel of the command. */
async function postApprovalMessage(
  request: QueuedRequestOf<'execute'>,
  deps: WorkerDeps,
  plan: PlanWithApproval,
): Promise<{ channel: string; ts: string }> {
  if (deps.messenger === undefined) {
    throw new KubeguardError(
      'UNSUPPORTED',
      'this worker cannot post to Slack, so it cannot ask for an approval; run the action worker of the deployed stack or bot/local.ts',
    );
  }
  const finding = plan.finding === undefined ? undefined : await resolveFinding(deps.findings, plan.finding);
  const thread = finding?.slack;
  const channel = thread?.channel ?? plan.reply.channelId;
  if (channel === undefined) {
    throw new KubeguardError(
      'PRECONDITION_FAILED',
      'there is no channel to ask a second person in: run the command in a channel the approvers read',
    );
  }
  const message = buildApprovalMessage(approvalRequestOf(plan));
  const posted = await deps.messenger.postMessage({
    channel,
    text: message.text,
    blocks: message.blocks,
    ...(thread === undefined ? {} : { threadTs: thread.ts }),
  });
  await remediationOf(deps).plans.recordApprovalMessage(plan.requestId, request.requestId, posted);
  return posted;
}

export const approveHandler: WorkerHandler<'approve'> = (request, deps) => decide(request, deps);
export const denyHandler: WorkerHandler<'deny'> = (request, deps) => decide(request, deps);

async function decide(
  request: QueuedRequestOf<'approve' | 'deny'>,
  deps: WorkerDeps,
): Promise<HandlerOutcome> {
  const remediation = remediationOf(deps);
  const at = deps.clock();
  const stored = await remediation.plans.get(request.args.plan);
  if (stored === undefined) throw planGone(request.args.plan);
  const approval = stored.approval;
  if (approval === undefined) {
    throw new KubeguardError('INVALID_ARGUMENT', `plan ${stored.requestId} does not wait for an approval`);
  }
  const facts = factsOf(stored);
  // The role the request named, or a stricter one configured since.
  const configured = approvalRequirement(deps.config.authorization, stored.action, stored.cluster);
  const role =
    configured === undefined
      ? approval.approverRole
      : stricterRole(approval.approverRole, configured.approverRole);
  const purpose = `decide on requests to ${REMEDIATION_PURPOSE[stored.action]}`;
  requireRole(request, deps, role, stored.cluster, purpose, stored.finding);
  if (request.actor.userId === approval.requestedBy) {
    const detail = 'the requester may not approve or deny their own request';
    await recordFor(deps, request, 'denial', { result: 'denied', role, detail, ...facts });
    return { reply: textReply(SELF_APPROVAL), result: 'denied', detail, ...facts };
  }
  const status = request.kind === 'approve' ? 'approved' : 'denied';
  const decided = await remediation.plans.decideApproval(stored.requestId, {
    status,
    by: request.actor.userId,
    at,
    requestId: request.requestId,
  });
  if (!decided.decided && decided.why === 'missing') throw planGone(stored.requestId);
  if (!decided.decided && decided.why === 'not-asked') {
    throw new KubeguardError('INVALID_ARGUMENT', `plan ${stored.requestId} does not wait for an approval`);
  }
  if (!decided.decided && decided.why === 'expired') {
    await recordFor(deps, request, 'approval', {
      ...facts,
      result: 'unchanged',
      detail: `expired ${approval.expiresAt} without an approval; requested by ${approval.requestedBy}; nothing ran`,
    });
    await showState(request, deps, stored as PlanWithApproval, { status: 'expired', at: approval.expiresAt });
    return {
      reply: textReply(
        `This request expired ${slackDate(approval.expiresAt)} without an approval, so nothing ran. ${personText(approval.requestedBy)} can start again from the alert or the command.`,
      ),
      result: 'unchanged',
      detail: 'approval expired',
      ...facts,
    };
  }
  if (!decided.decided) {
    const text = `This request ${stateSentence(approval, at)}; nothing more happens.`;
    return { reply: textReply(text), result: 'unchanged', detail: 'already decided', ...facts };
  }
  const plan = decided.plan;
  const decision = plan.approval.decision;
  await recordFor(deps, request, 'approval', {
    ...facts,
    result: status === 'approved' ? 'done' : 'denied',
    reason: approval.reason,
    detail: `${status} by ${decision.by}; requested by ${approval.requestedBy} (request ${approval.requestId})`,
  });
  await showState(request, deps, plan, { status, by: decision.by, at: decision.at });
  if (status === 'denied') {
    const text = `Denied by ${personText(decision.by)} ${slackDate(decision.at)}. Nothing was run.`;
    await showInModal(
      deps,
      approval.view,
      referenceOf(plan),
      [section('approval_state', text)],
      request.requestId,
    );
    return {
      reply: textReply(`You denied ${personText(approval.requestedBy)}'s request; nothing runs.`),
      result: 'done',
      detail: `denied by ${decision.by}: nothing runs`,
      ...facts,
    };
  }
  return runApproved(request, deps, plan, decision.by);
}

/** An approval runs exactly the stored plan, once, recorded under the approval's request. */
async function runApproved(
  request: QueuedRequestOf<'approve' | 'deny'>,
  deps: WorkerDeps,
  plan: PlanWithApproval,
  approvedBy: string,
): Promise<HandlerOutcome> {
  const { approval } = plan;
  const claim = await remediationOf(deps).plans.claimExecution(plan.requestId, {
    requestId: request.requestId,
    by: approval.requestedBy,
    at: deps.clock(),
    reason: approval.reason,
    approvedBy,
  });
  if (!claim.claimed) {
    const text =
      claim.why === 'taken'
        ? 'This plan already ran; it runs once.'
        : `The plan could not be run (${claim.why}); ${personText(approval.requestedBy)} can start again from the alert or the command.`;
    return { reply: textReply(text), result: 'unchanged', detail: `not run: ${claim.why}`, ...factsOf(plan) };
  }
  const outcome = await runClaimedPlan(request, deps, claim.plan, {
    requestId: request.requestId,
    requestedBy: approval.requestedBy,
    reason: approval.reason,
    approvedBy,
  });
  const input = outcomeInput(plan, outcome, approval.reason);
  const blocks = buildOutcomeBlocks(input);
  await showInModal(deps, approval.view, referenceOf(plan), blocks, request.requestId);
  // Without an alert, the requester's channel gets the outcome (and its Release button), as without approval.
  if (plan.finding === undefined) await answerPlanner(deps, plan, buildOutcomeMessage(input));
  const message = buildOutcomeMessage(input);
  return { ...outcomeFacts(plan, outcome), reply: { text: message.text, blocks: message.blocks as Block[] } };
}

/** chat.update of the approval message to its final state (approved, denied, expired). */
async function showState(
  request: QueuedRequestOf<'approve' | 'deny'>,
  deps: WorkerDeps,
  plan: PlanWithApproval,
  state: Exclude<ApprovalState, { status: 'pending' }>,
): Promise<void> {
  const where = plan.approval.message;
  if (where === undefined || deps.messenger === undefined) return;
  const message = buildApprovalMessage(approvalRequestOf(plan), state);
  try {
    await deps.messenger.updateMessage({ ...where, text: message.text, blocks: message.blocks });
  } catch (error) {
    deps.log.warn('approval message not updated', {
      requestId: request.requestId,
      error: error instanceof Error ? error.name : 'unknown',
    });
  }
}

const SELF_APPROVAL =
  'You asked for this action, so you cannot approve or deny it: a second person must. It stays waiting until someone else decides or it expires.';

function approvalRequestOf(plan: PlanWithApproval) {
  const { approval } = plan;
  return {
    requestId: plan.requestId,
    action: plan.action,
    target: plan.plan.target,
    cluster: plan.cluster,
    requestedBy: approval.requestedBy,
    reason: approval.reason,
    requestedAt: approval.requestedAt,
    expiresAt: approval.expiresAt,
    approverRole: approval.approverRole,
  };
}

function referenceOf(plan: StoredPlan): ConfirmReference {
  return {
    r: plan.requestId,
    a: plan.action,
    c: plan.cluster,
    t: plan.plan.target,
    ...(plan.finding === undefined ? {} : { fp: plan.finding }),
  };
}

/** "waits for approval until …", "was approved by <@U…> …", "was denied …", "expired …". */
function stateSentence(approval: PlanApproval, at: string): string {
  const { decision } = approval;
  if (decision !== undefined) {
    return `was ${decision.status} by ${personText(decision.by)} ${slackDate(decision.at)}`;
  }
  if (approvalExpired(approval, at)) return `expired ${slackDate(approval.expiresAt)} without an approval`;
  return `waits for a second person's approval (asked by ${personText(approval.requestedBy)}, until ${slackDate(approval.expiresAt)})`;
}

function planGone(planRequestId: string): KubeguardError {
  return new KubeguardError(
    'NOT_FOUND',
    `the plan ${planRequestId} is not kept any more: start again from the alert or the command to make a new one`,
  );
}

function section(blockId: string, text: string): Block {
  return { type: 'section', block_id: blockId, text: { type: 'mrkdwn', text } };
}
