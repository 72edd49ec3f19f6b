import { approvalRequirement } from '../../authz/approval.ts';
import { asKubeguardError } from '../../errors.ts';
import type { StoredFinding } from '../../findings/stored-finding.ts';
import type { PreflightResult } from '../../remediation/action.ts';
import type { ModalView } from '../../slack-views/blocks.ts';
import { buildConfirmModal, buildPlanningErrorModal } from '../../slack-views/confirm-modal.ts';
import type { ConfirmReference } from '../../slack-views/ids.ts';
import { planExpiry } from '../plan-store.ts';
import { REMEDIATION_PURPOSE, REMEDIATION_ROLE } from '../remediation-ask.ts';
import { textReply } from '../replies.ts';
import type { QueuedRequestOf } from '../requests.ts';
import { type HandlerOutcome, requireRole, type WorkerDeps, type WorkerHandler } from '../worker-context.ts';
import { actionFor, actionRequest, clusterOf, contextFor, remediationOf } from './remediation-actions.ts';
import { resolveFinding } from './resolve.ts';

/**
 * The first half of a remediation: the worker checks the role again on the cluster the action acts
 * on, runs the action's preflight (reads only), stores the plan under this request's id and replaces
 * the planning modal with the confirmation — or with why nothing would run, or why no plan could be
 * made. A redelivered request shows the plan stored the first time.
 */
export const planHandler: WorkerHandler<'plan'> = async (request, deps) => {
  const remediation = remediationOf(deps);
  const { args } = request;
  const finding = args.finding === undefined ? undefined : await resolveFinding(deps.findings, args.finding);
  const cluster = clusterOf(args.cluster, finding, deps.config);
  requireRole(request, deps, REMEDIATION_ROLE, cluster, REMEDIATION_PURPOSE[args.action]);
  const reference: ConfirmReference = {
    r: request.requestId,
    a: args.action,
    c: cluster,
    ...(finding === undefined ? {} : { fp: finding.fingerprint }),
  };
  const facts = factsOf(cluster, finding);
  let result: PreflightResult;
  try {
    const runtime = await remediation.runtime.forCluster(cluster);
    const context = contextFor(runtime, deps, request);
    const { input, target } = await actionRequest(request, finding, runtime, context);
    reference.t = target;
    result = await actionFor(args.action, remediation.runtime, runtime, deps.config).preflight(
      input,
      context,
    );
  } catch (error) {
    const failure = asKubeguardError(error);
    deps.log.warn('remediation plan failed', { requestId: request.requestId, code: failure.code });
    const shown = await show(request, deps, buildPlanningErrorModal(reference, failure));
    return {
      ...(shown ? {} : { reply: textReply(`No plan could be made: ${failure.message}`) }),
      result: 'failed',
      detail: `no plan: ${failure.code}: ${failure.message}`,
      ...facts,
    };
  }
  if (result.status === 'skipped') {
    const shown = await show(request, deps, buildConfirmModal({ preflight: result, reference, cluster }));
    return {
      ...(shown ? {} : { reply: textReply(`Nothing to run: ${result.reason}`) }),
      result: 'unchanged',
      detail: `nothing to run: ${result.reason}`,
      target: result.target,
      ...facts,
    };
  }
  const plannedAt = result.plan.plannedAt;
  const stored = await remediation.plans.putIfAbsent({
    requestId: request.requestId,
    action: args.action,
    cluster,
    ...(finding === undefined ? {} : { finding: finding.fingerprint }),
    requestedBy: request.actor.userId,
    plannedAt,
    expiresAt: planExpiry(plannedAt),
    reply: request.reply,
    plan: result.plan,
  });
  // The confirmation says when a second person must approve before anything runs.
  const need = approvalRequirement(deps.config.authorization, args.action, cluster);
  const shown = await show(
    request,
    deps,
    buildConfirmModal({
      preflight: { status: 'ready', plan: stored.plan },
      reference,
      cluster,
      ...(need === undefined
        ? {}
        : { approval: { role: need.approverRole, withinMinutes: need.withinMinutes } }),
    }),
  );
  return {
    ...(shown
      ? {}
      : {
          reply: textReply(
            'The plan is ready, but its modal was closed: start again from the alert or the command to see it.',
          ),
        }),
    result: 'done',
    detail: `planned: ${stored.plan.summary}`,
    target: stored.plan.target,
    ...facts,
  };
};

function factsOf(
  cluster: string,
  finding: StoredFinding | undefined,
): Pick<HandlerOutcome, 'cluster' | 'finding'> {
  return { cluster, ...(finding === undefined ? {} : { finding: finding.fingerprint }) };
}

/** Replaces the planning modal; false when Slack no longer has it (closed by the person). */
async function show(request: QueuedRequestOf<'plan'>, deps: WorkerDeps, view: ModalView): Promise<boolean> {
  const remediation = remediationOf(deps);
  try {
    await remediation.views.update(
      { externalId: request.args.view },
      { ...view, external_id: request.args.view },
    );
    return true;
  } catch (error) {
    deps.log.warn('planning modal not updated', {
      requestId: request.requestId,
      code: asKubeguardError(error).code,
    });
    return false;
  }
}
