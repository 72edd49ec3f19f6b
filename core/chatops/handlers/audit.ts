import { clusterNotConfigured } from '../../config/schema.ts';
import { asKubeguardError, KubeguardError } from '../../errors.ts';
import type { SlackPostedMessage } from '../../ports.ts';
import { postureAuditOptions } from '../../posture/config-options.ts';
import { policiesOffered } from '../../posture/policy-offer.ts';
import { auditAndStore } from '../../posture/scheduled-audit.ts';
import {
  AUDIT_COLLECTORS,
  type AuditProgress,
  buildAuditProgressMessage,
  buildAuditResultMessage,
  type CollectorProgress,
} from '../../slack-views/audit-progress.ts';
import {
  auditDetailsPageCount,
  auditReportRef,
  buildAuditDetailsErrorView,
  buildAuditDetailsView,
  parseAuditReportRef,
} from '../../slack-views/audit-report.ts';
import type { SlackMessage } from '../../slack-views/blocks.ts';
import { EKS_CLUSTER_NAME } from '../../slack-views/ids.ts';
import type { AuditWorkerPorts } from '../audit-ports.ts';
import { namespaceName } from '../commands/args.ts';
import type { ViewTarget } from '../ports.ts';
import { denialReply, errorReply, textReply } from '../replies.ts';
import type { QueuedRequestOf } from '../requests.ts';
import {
  AccessDeniedError,
  type HandlerOutcome,
  requireRole,
  type WorkerDeps,
  type WorkerHandler,
} from '../worker-context.ts';

/**
 * `/k8s audit`, the alert's Run audit button and the audit summary's Show details (docs/slack-bot.md).
 *
 * An audit: the role is checked again, one audit per cluster runs at a time (a claim that lapses by
 * itself if a worker dies), a progress message is posted where it was asked (the alert's thread for
 * the button) and updated as each collector starts and ends, then the scheduled audit's own steps run
 * (auditAndStore: the same checks, exports and history) and the progress message becomes the
 * summary with Show details. A collector that fails is shown failed and its checks count as skipped;
 * an audit that cannot finish at all leaves the progress message saying why.
 *
 * Show details: the stored report is read back by its reference and one page is put into the modal
 * the ingress opened (or the one being paged).
 */

/** How long an audit of one cluster holds its claim: longer than any audit (the worker's timeout). */
export const AUDIT_RUN_SECONDS = 15 * 60;
const PURPOSE_AUDIT = 'run posture audits';
const PURPOSE_DETAILS = 'read posture audit reports';

function portsOf(deps: WorkerDeps): AuditWorkerPorts {
  if (deps.audit === undefined) {
    throw new KubeguardError('UNSUPPORTED', 'this worker is not set up to run posture audits');
  }
  return deps.audit;
}

export const auditHandler: WorkerHandler<'audit'> = async (request, deps) => {
  const { cluster } = request.args;
  requireRole(request, deps, 'viewer', cluster, PURPOSE_AUDIT);
  const clusterConfig = deps.config.clusters.find((candidate) => candidate.name === cluster);
  if (clusterConfig === undefined) throw clusterNotConfigured(cluster, deps.config);
  const ports = portsOf(deps);
  const namespace = request.args.namespace ?? (await findingNamespace(request, deps));
  const runKey = `audit-run:${cluster}`;
  if (!(await ports.claims.claim(runKey, Date.parse(deps.clock()), AUDIT_RUN_SECONDS))) {
    return {
      reply: textReply(
        `An audit of ${cluster} is already running; its progress message shows the result when it is done. Try again after it.`,
      ),
      result: 'unchanged',
      cluster,
      detail: 'an audit of this cluster was already running',
    };
  }
  try {
    return await runAudit(request, deps, ports, namespace);
  } finally {
    await ports.claims.release(runKey).catch((error: unknown) => {
      deps.log.warn('audit claim not released; it lapses by itself', {
        requestId: request.requestId,
        code: asKubeguardError(error).code,
      });
    });
  }
};

async function runAudit(
  request: QueuedRequestOf<'audit'>,
  deps: WorkerDeps,
  ports: AuditWorkerPorts,
  namespace: string | undefined,
): Promise<HandlerOutcome> {
  const { cluster } = request.args;
  const clusterConfig = deps.config.clusters.find((candidate) => candidate.name === cluster);
  if (clusterConfig === undefined) throw clusterNotConfigured(cluster, deps.config);
  const progress: AuditProgress = {
    cluster,
    ...(namespace === undefined ? {} : { namespace }),
    requestedBy: request.actor.userId,
    startedAt: deps.clock(),
    collectors: AUDIT_COLLECTORS.map((collector) => ({ collector, status: 'pending' as const })),
    requestId: request.requestId,
  };
  const message = new ProgressMessage(request, deps);
  await message.show(buildAuditProgressMessage(progress));
  const collectors = new Map<string, CollectorProgress>(progress.collectors.map((c) => [c.collector, c]));
  const onProgress = (update: CollectorProgress) => {
    collectors.set(update.collector, update);
    progress.collectors = [...collectors.values()];
    void message.show(buildAuditProgressMessage(progress));
  };
  let stored: Awaited<ReturnType<typeof auditAndStore>>;
  try {
    stored = await auditAndStore(cluster, {
      collect: () => ports.runner.collect(clusterConfig, onProgress),
      history: ports.history,
      exports: ports.exports,
      options: auditOptions(deps),
      ...(namespace === undefined ? {} : { namespace }),
    });
  } catch (error) {
    const failure = asKubeguardError(error);
    deps.log.error('posture audit failed', {
      requestId: request.requestId,
      cluster,
      code: failure.code,
      error: failure.message,
    });
    progress.failure = failure;
    await message.show(buildAuditProgressMessage(progress));
    await message.settled();
    return {
      ...(message.posted ? {} : { reply: errorReply(failure, request.requestId) }),
      result: 'failed',
      cluster,
      target: targetOf(cluster, namespace),
      detail: failure.message,
    };
  }
  const { report, previous, links } = stored;
  const summary = buildAuditResultMessage(report, progress.collectors, previous, {
    evidenceLinks: links,
    reportRef: auditReportRef(report),
    ...(namespace === undefined ? {} : { namespace }),
    // "Generate policies" needs somewhere to store them, and something the generator can express.
    policies:
      ports.policies !== undefined &&
      (await policiesOffered(report, deps.config.detection.allowedRegistries)),
  });
  await message.show(summary);
  await message.settled();
  const missing = progress.collectors.filter((c) => c.status === 'failed' || c.status === 'skipped');
  const detail = `score ${report.score}/100, ${report.summary.fail} failed, ${report.summary.skip} skipped${
    missing.length === 0 ? '' : `; not collected: ${missing.map((c) => c.collector).join(', ')}`
  }; report ${stored.reportId}`;
  return {
    ...(message.posted ? {} : { reply: { text: summary.text, blocks: summary.blocks } }),
    result: 'done',
    cluster,
    target: targetOf(cluster, namespace),
    detail,
    ...(request.args.finding === undefined ? {} : { finding: request.args.finding }),
  };
}

function targetOf(cluster: string, namespace: string | undefined): string {
  return namespace === undefined ? `cluster ${cluster}` : `namespace ${namespace} on ${cluster}`;
}

/** The check options of kubeguard.config.json, as the scheduled audit reads them. */
function auditOptions(deps: WorkerDeps) {
  return postureAuditOptions(deps.config);
}

/** Run audit on an alert: the audit keeps to the finding's namespace when it has a valid one. */
async function findingNamespace(
  request: QueuedRequestOf<'audit'>,
  deps: WorkerDeps,
): Promise<string | undefined> {
  if (request.args.finding === undefined) return undefined;
  const finding = await deps.findings.get(request.args.finding);
  const namespace = finding?.detection.namespace;
  if (namespace === undefined) return undefined;
  try {
    return namespaceName(namespace);
  } catch {
    return undefined;
  }
}

/**
 * The progress message: posted once in the channel (or the alert's thread), then updated in place.
 * Updates run one after another, in order; a failed update is logged and the next one tries again,
 * so a Slack hiccup never fails the audit.
 */
class ProgressMessage {
  posted = false;
  #at: SlackPostedMessage | undefined;
  #chain: Promise<void> = Promise.resolve();
  readonly #request: QueuedRequestOf<'audit'>;
  readonly #deps: WorkerDeps;

  constructor(request: QueuedRequestOf<'audit'>, deps: WorkerDeps) {
    this.#request = request;
    this.#deps = deps;
  }

  show(message: SlackMessage): Promise<void> {
    this.#chain = this.#chain.then(() => this.#send(message));
    return this.#chain;
  }

  settled(): Promise<void> {
    return this.#chain;
  }

  async #send(message: SlackMessage): Promise<void> {
    const messenger = this.#deps.messenger;
    const { thread } = this.#request.args;
    const channel = thread?.channel ?? this.#request.reply.channelId;
    if (messenger === undefined || channel === undefined) return;
    try {
      if (this.#at === undefined) {
        this.#at = await messenger.postMessage({
          channel,
          ...message,
          ...(thread === undefined ? {} : { threadTs: thread.ts }),
        });
        this.posted = true;
      } else {
        await messenger.updateMessage({ channel: this.#at.channel, ts: this.#at.ts, ...message });
      }
    } catch (error) {
      this.#deps.log.warn('audit progress not shown in slack', {
        requestId: this.#request.requestId,
        code: asKubeguardError(error).code,
      });
    }
  }
}

export const auditDetailsHandler: WorkerHandler<'audit-details'> = async (request, deps) => {
  const ports = portsOf(deps);
  const { ref, page, view } = request.args;
  const target: ViewTarget = 'externalId' in view ? { externalId: view.externalId } : { id: view.id };
  const where = parseAuditReportRef(ref);
  try {
    if (where === undefined || !EKS_CLUSTER_NAME.test(where.cluster)) {
      throw new KubeguardError(
        'INVALID_ARGUMENT',
        'this is not a reference to an audit report kubeguard stored',
      );
    }
    requireRole(request, deps, 'viewer', where.cluster, PURPOSE_DETAILS);
    const report = await ports.reports.read(where);
    if (report === undefined) {
      throw new KubeguardError(
        'NOT_FOUND',
        `no stored report of the audit of ${where.cluster} taken ${where.takenAt}: its evidence may have expired; run /k8s audit ${where.cluster}`,
      );
    }
    await ports.views.update(target, buildAuditDetailsView(report, page, { reportRef: ref }));
    const pages = auditDetailsPageCount(report);
    return {
      result: 'answered',
      cluster: where.cluster,
      target: `audit report ${ref}`,
      detail: `page ${Math.min(page, pages)} of ${pages}`,
    };
  } catch (error) {
    const text =
      error instanceof AccessDeniedError
        ? denialReply(error.decision, error.purpose, deps.config.authorization).text
        : errorReply(error, request.requestId).text;
    await ports.views.update(target, buildAuditDetailsErrorView(ref, text)).catch((failure: unknown) => {
      deps.log.warn('audit details modal not updated', {
        requestId: request.requestId,
        code: asKubeguardError(failure).code,
      });
    });
    throw error;
  }
};
