import { asKubeguardError, KubeguardError } from '../errors.ts';
import type { SlackMessenger } from '../ports.ts';
import { auditReportRef, buildAuditSummaryMessage } from '../slack-views/audit-report.ts';
import { type AuditOptions, runAudit } from './engine.ts';
import { type AuditHistoryStore, historyEntryOf, previousEntry } from './history.ts';
import { type ReportExportStore, renderReportExports, reportExportId } from './report-exports.ts';
import type { ClusterSnapshot } from './snapshot.ts';

/** What one scheduled (or requested) audit of a cluster needs from the outside. */
export interface ScheduledAuditPorts {
  /** Collects the cluster's snapshot (AWS side and Kubernetes side). */
  collect: () => Promise<ClusterSnapshot>;
  history: AuditHistoryStore;
  exports: ReportExportStore;
  messenger: Pick<SlackMessenger, 'postMessage'>;
  /** Where the summary goes (routing's channelForCluster). */
  channel: string;
  options?: AuditOptions;
}

export interface ScheduledAuditOutcome {
  cluster: string;
  takenAt: string;
  score: number;
  previousScore?: number;
  summary: { pass: number; fail: number; skip: number };
  reportId: string;
  /** Resource types that could not be read (their checks were skipped), with the reasons. */
  unavailable: Record<string, string>;
  posted: { channel: string; ts: string };
}

/** Entries read to find the previous audit; more than one in case a clock went backwards. */
const HISTORY_LOOKBACK = 5;

/**
 * One audit of one cluster, in the order that keeps every Slack message backed by stored data:
 * collect → audit → read the previous history entry → store the exports → store the new history
 * entry → post the summary (its evidence links and "Show details" reference what was just stored).
 * A failure of any step rejects, naming the step; nothing is posted then.
 */
export async function runScheduledAudit(
  cluster: string,
  ports: ScheduledAuditPorts,
): Promise<ScheduledAuditOutcome> {
  const snapshot = await step(cluster, 'collecting the snapshot', ports.collect);
  const report = runAudit(snapshot, undefined, ports.options ?? {});
  const previous = previousEntry(
    await step(cluster, 'reading the audit history', () => ports.history.latest(cluster, HISTORY_LOOKBACK)),
    report.takenAt,
  );
  const reportId = reportExportId(report);
  const links = await step(cluster, 'storing the evidence exports', () =>
    ports.exports.putReportExports(reportId, renderReportExports(report), report.takenAt),
  );
  await step(cluster, 'storing the audit history', () => ports.history.put(historyEntryOf(report, reportId)));
  const message = buildAuditSummaryMessage(report, previous, {
    evidenceLinks: links,
    reportRef: auditReportRef(report),
  });
  const posted = await step(cluster, 'posting the summary to Slack', () =>
    ports.messenger.postMessage({ channel: ports.channel, ...message }),
  );
  const outcome: ScheduledAuditOutcome = {
    cluster,
    takenAt: report.takenAt,
    score: report.score,
    summary: report.summary,
    reportId,
    unavailable: Object.fromEntries(
      Object.entries(snapshot.unavailable).filter(
        (entry): entry is [string, string] => entry[1] !== undefined,
      ),
    ),
    posted,
  };
  if (previous !== undefined) outcome.previousScore = previous.score;
  return outcome;
}

/**
 * A failed step as a KubeguardError: the cause's code (UPSTREAM for anything untyped), a message
 * naming the cluster and the step, and `details.step` for logs.
 */
async function step<T>(cluster: string, name: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const cause = asKubeguardError(error);
    const code = error instanceof KubeguardError ? cause.code : 'UPSTREAM';
    throw new KubeguardError(code, `audit of ${cluster}: ${name} failed: ${cause.message}`, {
      cause: error,
      details: { cluster, step: name },
    });
  }
}
