import type { Context } from 'aws-lambda';
import type { ClusterConfig, KubeguardConfig } from '../../core/config/schema.ts';
import type { PostureFactsStore } from '../../core/digest/ports.ts';
import { asKubeguardError, KubeguardError } from '../../core/errors.ts';
import type { SlackMessenger } from '../../core/ports.ts';
import { postureAuditOptions } from '../../core/posture/config-options.ts';
import type { AuditHistoryStore } from '../../core/posture/history.ts';
import type { ReportExportStore } from '../../core/posture/report-exports.ts';
import type { ScheduledAuditOutcome } from '../../core/posture/scheduled-audit.ts';
import type { ClusterSnapshot } from '../../core/posture/snapshot.ts';
import { channelForCluster } from '../../core/routing.ts';
import type { FunctionLogger } from '../shared/logger.ts';
import { observeInvocation } from '../shared/observability.ts';
import { composePostureAudit } from './composition.ts';
import { decodePostureAuditEvent } from './decode.ts';

export interface PostureAuditDeps {
  config: KubeguardConfig;
  logger: FunctionLogger;
  messenger: Pick<SlackMessenger, 'postMessage'>;
  /** Collects one configured cluster (AWS side and Kubernetes side). */
  collect: (cluster: ClusterConfig) => Promise<ClusterSnapshot>;
  history: AuditHistoryStore;
  exports: ReportExportStore;
  /** The digests' posture facts (top risks, GuardDuty gaps). @default not stored */
  facts?: Pick<PostureFactsStore, 'put'>;
}

export interface PostureAuditResult {
  audited: ScheduledAuditOutcome[];
  failed: { cluster: string; code: string; error: string }[];
}

/**
 * Daily schedule (or one requested cluster) → for each cluster, one after the other: collect, audit,
 * store exports and history, post the summary to the cluster's channel. A failing cluster is logged
 * and the others go on; when any failed, the invocation fails at the end (after every cluster was
 * tried) so the errors alarm fires and the event lands in the dead-letter queue — the function is
 * not retried, which would post the clusters that succeeded twice.
 */
export function createPostureAuditHandler(
  deps: PostureAuditDeps,
): (event: unknown) => Promise<PostureAuditResult> {
  return async (event) => {
    const clusters = decode(event, deps);
    const result: PostureAuditResult = { audited: [], failed: [] };
    // The audit (its 87 checks and the YAML parser two of them use) is evaluated when an event names
    // a cluster, not when the bundle loads (D56).
    const { runScheduledAudit } = await import('../../core/posture/scheduled-audit.ts');
    for (const cluster of clusters) {
      try {
        const outcome = await runScheduledAudit(cluster.name, {
          collect: () => deps.collect(cluster),
          history: deps.history,
          exports: deps.exports,
          messenger: deps.messenger,
          channel: channelForCluster(cluster.name, deps.config.slack),
          options: auditOptions(deps.config),
          ...(deps.facts === undefined
            ? {}
            : { facts: { store: deps.facts, ownerLabel: deps.config.digest.ownerLabel } }),
        });
        result.audited.push(outcome);
        deps.logger.info('posture audit posted', {
          cluster: outcome.cluster,
          score: outcome.score,
          previousScore: outcome.previousScore,
          ...outcome.summary,
          reportId: outcome.reportId,
          channel: outcome.posted.channel,
          unavailable: outcome.unavailable,
        });
      } catch (error) {
        const failure = asKubeguardError(error);
        result.failed.push({ cluster: cluster.name, code: failure.code, error: failure.message });
        deps.logger.error('posture audit failed', {
          cluster: cluster.name,
          code: failure.code,
          error: failure.message,
          details: failure.details,
        });
      }
    }
    if (result.failed.length > 0) {
      throw new KubeguardError(
        'UPSTREAM',
        `posture audit failed for ${result.failed.map((f) => f.cluster).join(', ')} (${result.audited.length} of ${clusters.length} clusters audited); see the function's log for each cause`,
        { details: { ...result } },
      );
    }
    return result;
  };
}

function decode(event: unknown, deps: PostureAuditDeps): readonly ClusterConfig[] {
  try {
    return decodePostureAuditEvent(event, deps.config);
  } catch (error) {
    const failure = asKubeguardError(error);
    deps.logger.error('posture audit event rejected', { code: failure.code, error: failure.message });
    throw failure;
  }
}

/** The check options of kubeguard.config.json, as `/k8s audit` reads them. */
function auditOptions(config: KubeguardConfig) {
  return postureAuditOptions(config);
}

let composed: ((event: unknown) => Promise<PostureAuditResult>) | undefined;

/** Lambda entry point (EventBridge schedule, daily): context on the log lines, AWS and Slack traced. */
export async function handler(event: unknown, context?: Partial<Context>): Promise<PostureAuditResult> {
  const deps = await composePostureAudit();
  composed ??= createPostureAuditHandler(deps);
  const run = composed;
  return observeInvocation(deps.observability, context, () => run(event));
}
