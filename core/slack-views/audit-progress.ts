import type { AuditReport } from '../posture/report.ts';
import { type AuditSummaryOptions, buildAuditSummaryMessage, type PreviousAudit } from './audit-report.ts';
import { type Block, type ContextBlock, mrkdwn, plainText, type SlackMessage } from './blocks.ts';
import { describeError } from './errors.ts';
import { personText, plainSafe, slackDate } from './format.ts';
import { BLOCK_KIT_LIMITS } from './limits.ts';
import { untrustedText } from './mrkdwn.ts';

/**
 * `/k8s audit` in Slack: a progress message updated (chat.update) as each collector finishes —
 * EKS, GuardDuty, Secrets Manager, the cluster's objects — each done, failed or skipped with its
 * reason; then the same message replaced by the posture summary of core/slack-views/audit-report.ts,
 * with a line naming the collectors that did not deliver (their checks were skipped). When the
 * audit itself fails, the progress message says so through the one error mapping.
 */

export const AUDIT_COLLECTORS = ['eks', 'guardduty', 'secretsmanager', 'cluster'] as const;
export type AuditCollector = (typeof AUDIT_COLLECTORS)[number];

export type CollectorStatus = 'pending' | 'running' | 'done' | 'failed' | 'skipped';

export interface CollectorProgress {
  collector: AuditCollector;
  status: CollectorStatus;
  /** Why it failed or was skipped, or what it read (`214 objects`); from the collector. */
  detail?: string;
}

export interface AuditProgress {
  cluster: string;
  /** `--namespace`, when the audit is limited to one. */
  namespace?: string;
  /** Slack user id of who ran `/k8s audit`. */
  requestedBy: string;
  /** ISO-8601. */
  startedAt: string;
  collectors: readonly CollectorProgress[];
  /** Set when the audit failed as a whole: the message ends with the error. */
  failure?: unknown;
  /** The request id, shown with a failure so an admin can find the logs. */
  requestId?: string;
}

const COLLECTOR_LABEL: Record<AuditCollector, string> = {
  eks: 'EKS',
  guardduty: 'GuardDuty',
  secretsmanager: 'Secrets Manager',
  cluster: 'Cluster objects (Kubernetes API)',
};

const STATUS_MARK: Record<CollectorStatus, string> = {
  pending: '○ waiting',
  running: ':hourglass_flowing_sand: running',
  done: '✅ done',
  failed: '❌ failed',
  skipped: '➖ skipped',
};

const FINISHED: ReadonlySet<CollectorStatus> = new Set(['done', 'failed', 'skipped']);
const L = BLOCK_KIT_LIMITS;
const DETAIL_CAP = 400;

/** The progress message: posted when the audit starts, updated as each collector finishes. */
export function buildAuditProgressMessage(progress: AuditProgress): SlackMessage {
  const scope = progress.namespace === undefined ? '' : ` (namespace ${progress.namespace})`;
  const collectors = ordered(progress.collectors);
  const finished = collectors.filter((c) => FINISHED.has(c.status)).length;
  const state =
    progress.failure !== undefined
      ? 'failed'
      : collectors.length > 0 && finished === collectors.length
        ? 'evaluating the checks'
        : `collecting (${finished} of ${collectors.length} done)`;
  const blocks: Block[] = [
    {
      type: 'header',
      block_id: 'audit_progress_header',
      text: plainText(plainSafe(`Posture audit: ${progress.cluster}${scope}`, L.headerText)),
    },
    collectors.length === 0
      ? { type: 'section', block_id: 'audit_progress_collectors', text: mrkdwn('Starting the collectors…') }
      : {
          type: 'section',
          block_id: 'audit_progress_collectors',
          fields: collectors.map((c) => mrkdwn(collectorField(c))),
        },
  ];
  if (progress.failure !== undefined) {
    blocks.push({
      type: 'section',
      block_id: 'audit_progress_failure',
      text: mrkdwn(
        `*The audit did not finish; no report was stored.*\n${describeError(progress.failure, progress.requestId === undefined ? {} : { requestId: progress.requestId })}`,
      ),
    });
  }
  blocks.push({
    type: 'context',
    block_id: 'audit_progress_context',
    elements: [
      mrkdwn(`Requested by ${personText(progress.requestedBy)} ${slackDate(progress.startedAt)} · ${state}`),
    ],
  });
  return {
    text: untrustedText(`Posture audit of ${progress.cluster}${scope}: ${state}`, 500),
    blocks,
  };
}

/**
 * The finished audit: the posture summary (audit-report.ts) with, before its buttons, a line
 * naming each collector that failed or was skipped and why (their checks count as skipped).
 */
export function buildAuditResultMessage(
  report: AuditReport,
  collectors: readonly CollectorProgress[],
  previous?: PreviousAudit,
  options: AuditSummaryOptions = {},
): SlackMessage {
  const summary = buildAuditSummaryMessage(report, previous, options);
  const missing = ordered(collectors).filter((c) => c.status === 'failed' || c.status === 'skipped');
  if (missing.length === 0) return summary;
  const line: ContextBlock = {
    type: 'context',
    block_id: 'audit_collectors',
    elements: [
      mrkdwn(
        `Not collected (their checks are skipped): ${missing
          .map(
            (c) =>
              `${COLLECTOR_LABEL[c.collector]} ${c.status}${c.detail === undefined ? '' : `: ${untrustedText(c.detail, DETAIL_CAP)}`}`,
          )
          .join(' · ')}`,
      ),
    ],
  };
  const actions = summary.blocks.findIndex((block) => block.type === 'actions');
  const at = actions === -1 ? summary.blocks.length : actions;
  return { text: summary.text, blocks: [...summary.blocks.slice(0, at), line, ...summary.blocks.slice(at)] };
}

function collectorField(progress: CollectorProgress): string {
  const detail =
    progress.detail === undefined || progress.detail.trim() === ''
      ? ''
      : `\n${untrustedText(progress.detail, DETAIL_CAP)}`;
  return `*${COLLECTOR_LABEL[progress.collector]}*\n${STATUS_MARK[progress.status]}${detail}`;
}

/** One entry per collector, in the fixed order; a collector reported twice shows its last report. */
function ordered(collectors: readonly CollectorProgress[]): CollectorProgress[] {
  const last = new Map<AuditCollector, CollectorProgress>();
  for (const progress of collectors) last.set(progress.collector, progress);
  return AUDIT_COLLECTORS.flatMap((collector) => {
    const progress = last.get(collector);
    return progress === undefined ? [] : [progress];
  });
}
