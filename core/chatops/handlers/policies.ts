import { asKubeguardError, KubeguardError } from '../../errors.ts';
import { canGenerate, generateFor } from '../../posture/policy-offer.ts';
import { reportExportId } from '../../posture/report-exports.ts';
import { parseAuditReportRef } from '../../slack-views/audit-report.ts';
import type { SlackMessage } from '../../slack-views/blocks.ts';
import { EKS_CLUSTER_NAME } from '../../slack-views/ids.ts';
import { buildPolicyResultMessage } from '../../slack-views/policy-result.ts';
import { DOUBLE_CLICK_SECONDS } from '../idempotency.ts';
import { POLICIES_PURPOSE, POLICIES_ROLE } from '../policy-ask.ts';
import { textReply } from '../replies.ts';
import { requireRole, type WorkerDeps, type WorkerHandler } from '../worker-context.ts';

/**
 * "Generate policies" (the audit summary's button, then its form; docs/slack-bot.md): the role again
 * on the report's cluster, the stored report read back by its reference (as Show details reads it),
 * the policy generator (core/policy-as-code/generate.ts) with the engine and mode chosen, the YAML
 * stored beside the report's exports, and the reply posted in the summary's thread — or, when it
 * cannot be posted there, answered to the person.
 *
 * Once per report, engine and mode for DOUBLE_CLICK_SECONDS: two submissions (a double click that
 * opened two forms, two people at once) generate and answer once. A failure gives the claim back so
 * the queue's retry (or the person) can run it again; the stored file is content-addressed, so a
 * second store of the same YAML links the first.
 */
export const policiesHandler: WorkerHandler<'policies'> = async (request, deps) => {
  const { ref, engine, mode, thread } = request.args;
  const where = parseAuditReportRef(ref);
  if (where === undefined || !EKS_CLUSTER_NAME.test(where.cluster)) {
    throw new KubeguardError(
      'INVALID_ARGUMENT',
      'this is not a reference to an audit report kubeguard stored',
    );
  }
  const { cluster } = where;
  requireRole(request, deps, POLICIES_ROLE, cluster, POLICIES_PURPOSE);
  const ports = deps.audit;
  if (ports?.policies === undefined) {
    throw new KubeguardError(
      'UNSUPPORTED',
      'this worker is not set up to store generated policies (it needs the evidence store audits use)',
    );
  }
  const target = `audit report ${ref}`;
  const once = `policies:${ref}:${engine}:${mode}`;
  if (!(await ports.claims.claim(once, Date.parse(deps.clock()), DOUBLE_CLICK_SECONDS))) {
    return {
      reply: textReply(
        `These policies (${engine}, ${mode}) were just generated from this audit; the reply is in the summary's thread.`,
      ),
      result: 'unchanged',
      cluster,
      target,
      detail: 'the same policies were generated moments ago',
    };
  }
  try {
    const report = await ports.reports.read(where);
    if (report === undefined) {
      throw new KubeguardError(
        'NOT_FOUND',
        `no stored report of the audit of ${cluster} taken ${where.takenAt}: its evidence may have expired; run /k8s audit ${cluster}`,
      );
    }
    const generated = await generateFor(report, { engine, mode }, deps.config.detection.allowedRegistries);
    if (!canGenerate(generated)) {
      const reasons = generated.notGenerated.map((entry) => `${entry.checkId}: ${entry.reason}`);
      return {
        reply: textReply(
          `No policy can be generated from this audit: no failed Pod Security or image check the generator can express${
            reasons.length === 0 ? '.' : ` (${reasons.slice(0, 5).join('; ')}).`
          }`,
        ),
        result: 'unchanged',
        cluster,
        target,
        detail: 'nothing to generate',
      };
    }
    const file = await ports.policies.putPolicyFile(
      reportExportId(where),
      { engine, mode, yaml: generated.yaml },
      deps.clock(),
    );
    const message = buildPolicyResultMessage({
      ref,
      engine,
      mode,
      generated,
      file,
      requestedBy: request.actor.userId,
    });
    const posted = await postInThread(message, thread, deps, request.requestId);
    return {
      ...(posted ? {} : { reply: { text: message.text, blocks: message.blocks } }),
      result: 'done',
      cluster,
      target,
      detail: `${generated.policies.length} policies (${engine}, ${mode}), ${generated.mustChange.length} workloads must change, ${generated.notGenerated.length} checks not generated; ${file}`,
    };
  } catch (error) {
    await ports.claims.release(once).catch(() => undefined);
    throw error;
  }
};

/** Posts the reply in the summary's thread; false (the person is answered instead) when it cannot. */
async function postInThread(
  message: SlackMessage,
  thread: { channel: string; ts: string } | undefined,
  deps: WorkerDeps,
  requestId: string,
): Promise<boolean> {
  if (thread === undefined || deps.messenger === undefined) return false;
  try {
    await deps.messenger.postMessage({
      channel: thread.channel,
      threadTs: thread.ts,
      ...message,
    });
    return true;
  } catch (error) {
    deps.log.warn('generated policies not posted in the audit thread; answered to the person', {
      requestId,
      code: asKubeguardError(error).code,
    });
    return false;
  }
}
