import type { PostureFactsStore } from '../digest/ports.ts';
import { postureFactsOf } from '../digest/posture-facts.ts';
import { asKubeguardError, KubeguardError } from '../errors.ts';
import { redactSnapshot } from '../evidence-pack/redact.ts';
import type { SlackMessenger } from '../ports.ts';
import { auditReportRef, buildAuditSummaryMessage } from '../slack-views/audit-report.ts';
import { type AuditOptions, runAudit } from './engine.ts';
import { type AuditHistoryEntry, type AuditHistoryStore, historyEntryOf, previousEntry } from './history.ts';
import { policiesOffered } from './policy-offer.ts';
import { type AuditReport, buildReport } from './report.ts';
import {
  type ReportExportLinks,
  type ReportExportStore,
  renderReportExports,
  reportExportId,
} from './report-exports.ts';
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
  /** Where the digests read the report's top risks and GuardDuty gaps (core/digest). @default none */
  facts?: { store: Pick<PostureFactsStore, 'put'>; ownerLabel: string };
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

/** What auditing and storing a cluster needs: the scheduled audit's ports without Slack. */
export type AuditStorePorts = Pick<
  ScheduledAuditPorts,
  'collect' | 'history' | 'exports' | 'options' | 'facts'
> & {
  /**
   * Keep only what concerns this namespace (an on-demand `/k8s audit --namespace`): its objects'
   * results and the checks that could not run at all. Such a report is stored as evidence but not
   * in the cluster's history, whose trend is of whole-cluster audits (docs/decisions.md, "On-demand audits").
   */
  namespace?: string;
};

/** An audit that was run and stored: what a Slack message about it is built from. */
export interface StoredAudit {
  report: AuditReport;
  snapshot: ClusterSnapshot;
  previous?: AuditHistoryEntry;
  reportId: string;
  links: ReportExportLinks;
}

/**
 * collect → audit → read the previous history entry → store the exports → store the new history
 * entry: every step of an audit before anything is said about it in Slack, shared by the scheduled
 * audit and `/k8s audit` (core/chatops/handlers/audit.ts). A failed step rejects, naming it.
 */
export async function auditAndStore(cluster: string, ports: AuditStorePorts): Promise<StoredAudit> {
  const snapshot = await step(cluster, 'collecting the snapshot', ports.collect);
  const whole = runAudit(snapshot, undefined, ports.options ?? {});
  const report = ports.namespace === undefined ? whole : namespaceReport(whole, ports.namespace);
  const previous =
    ports.namespace === undefined
      ? previousEntry(
          await step(cluster, 'reading the audit history', () =>
            ports.history.latest(cluster, HISTORY_LOOKBACK),
          ),
          report.takenAt,
        )
      : undefined;
  const reportId = reportExportId(report);
  const links = await step(cluster, 'storing the evidence exports', () =>
    ports.exports.putReportExports(
      reportId,
      renderReportExports(report),
      report.takenAt,
      // The configuration behind the report, secret and env values redacted: evidence packs hold it.
      `${JSON.stringify(redactSnapshot(snapshot))}\n`,
    ),
  );
  if (ports.namespace === undefined) {
    await step(cluster, 'storing the audit history', () =>
      ports.history.put(historyEntryOf(report, reportId)),
    );
    const { facts } = ports;
    if (facts !== undefined) {
      // The digests' top risks and GuardDuty gaps, with each namespace's owner label.
      const namespaces = snapshot.objects.filter((object) => object.kind === 'Namespace');
      await step(cluster, 'storing the digest facts', () =>
        facts.store.put(postureFactsOf(report, namespaces, facts.ownerLabel)),
      );
    }
  }
  return { report, snapshot, reportId, links, ...(previous === undefined ? {} : { previous }) };
}

/** The results about one namespace's objects, and the checks that could not run (cluster-wide skips). */
export function namespaceReport(report: AuditReport, namespace: string): AuditReport {
  const results = report.results.filter(
    (result) =>
      result.object.namespace === namespace ||
      (result.status === 'skip' && result.object.namespace === undefined),
  );
  return buildReport({ cluster: report.cluster, takenAt: report.takenAt }, report.checks, results);
}

/**
 * One audit of one cluster, in the order that keeps every Slack message backed by stored data:
 * auditAndStore, then post the summary (its evidence links and "Show details" reference what was
 * just stored). A failure of any step rejects, naming the step; nothing is posted then.
 */
export async function runScheduledAudit(
  cluster: string,
  ports: ScheduledAuditPorts,
): Promise<ScheduledAuditOutcome> {
  const { report, snapshot, previous, reportId, links } = await auditAndStore(cluster, ports);
  const message = buildAuditSummaryMessage(report, previous, {
    evidenceLinks: links,
    reportRef: auditReportRef(report),
    // The button is handled by the bot's worker, which stores the YAML beside these exports.
    policies: await policiesOffered(report, ports.options?.approvedRegistries),
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
