import { OPEN_STATUSES } from '../../findings/list.ts';
import type { DetectionSource } from '../../model/detection.ts';
import { SEVERITIES, type Severity } from '../../model/severity.ts';
import { findingsList, type LastAction, statusReply } from '../../slack-views/bot-replies.ts';
import type { WorkerDeps, WorkerHandler } from '../worker-context.ts';

/** Findings an answer lists at most. */
const LIST_LIMIT = 20;
/** Findings `/k8s status` reads to find the last one per source and cluster, and pending ones it counts. */
const STATUS_SAMPLE = 500;
/** Every pending delivery, due or not. */
const ANY_TIME = '9999-12-31T23:59:59.999Z';

export const findingsHandler: WorkerHandler<'findings'> = async (request, deps) => {
  const { scope, cluster, severity } = request.args;
  const listing = await deps.findings.listFindings({
    ...(scope === 'open' ? { statuses: OPEN_STATUSES } : {}),
    ...(cluster === undefined ? {} : { cluster }),
    ...(severity === undefined ? {} : { minSeverity: severity }),
    limit: LIST_LIMIT,
  });
  const heading = [
    scope === 'open' ? 'Open findings' : 'All findings',
    cluster === undefined ? '' : ` on ${cluster}`,
    severity === undefined ? '' : `, ${severity} and above`,
  ].join('');
  const lastActions = await lastActionsOf(
    deps,
    listing.findings.map((finding) => finding.fingerprint),
  );
  return {
    reply: findingsList(listing.findings, { heading, truncated: listing.truncated, lastActions }),
    result: 'done',
    detail: `listed ${listing.findings.length}${listing.truncated ? '+' : ''} findings`,
    ...(cluster === undefined ? {} : { cluster }),
  };
};

/**
 * The newest audit-trail record of each listed finding (acknowledged, suppressed, denied, failed …),
 * one query per finding, all at once: the trail shown where the findings are listed.
 */
async function lastActionsOf(
  deps: Pick<WorkerDeps, 'trail'>,
  fingerprints: readonly string[],
): Promise<Map<string, LastAction>> {
  const newest = await Promise.all(
    fingerprints.map(async (fingerprint) => (await deps.trail.byFinding(fingerprint, 1)).at(-1)),
  );
  const actions = new Map<string, LastAction>();
  fingerprints.forEach((fingerprint, index) => {
    const record = newest[index];
    if (record !== undefined) actions.set(fingerprint, record);
  });
  return actions;
}

export const statusHandler: WorkerHandler<'status'> = async (_request, deps) => {
  const pendingList = await deps.findings.listPendingDeliveries(ANY_TIME, STATUS_SAMPLE);
  const pending = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const entry of pendingList) {
    const severity = SEVERITIES[SEVERITIES.length - 1 - entry.rank];
    if (severity !== undefined) pending[severity] += 1;
  }
  const { findings } = await deps.findings.listFindings({ limit: STATUS_SAMPLE });
  // Most recent first: the first finding of each source and cluster is its last.
  const last = new Map<string, { source: DetectionSource; cluster: string | undefined; lastSeen: string }>();
  for (const finding of findings) {
    const { source, cluster } = finding.detection;
    const key = `${source}\u0000${cluster ?? ''}`;
    if (!last.has(key)) last.set(key, { source, cluster, lastSeen: finding.lastSeen });
  }
  const seen = new Set([...last.values()].map((entry) => entry.cluster));
  return {
    reply: statusReply({
      pending,
      pendingTruncated: pendingList.length >= STATUS_SAMPLE,
      lastFindings: [...last.values()],
      quietClusters: deps.config.clusters.map((c) => c.name).filter((name) => !seen.has(name)),
    }),
    result: 'done',
    detail: `${pendingList.length} pending deliveries`,
  };
};
