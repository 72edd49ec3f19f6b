import type { AuditRecord } from '../audit-trail/record.ts';
import type { DetectionSource } from '../model/detection.ts';
import { type Finding, incidentSeverity } from '../model/finding.ts';
import type { Severity } from '../model/severity.ts';
import { type Block, mrkdwn } from './blocks.ts';
import { personText, slackDate } from './format.ts';
import { BLOCK_KIT_LIMITS } from './limits.ts';
import { codeSpan, untrustedText } from './mrkdwn.ts';

/**
 * The bot's answers that show findings: `/k8s findings` and `/k8s status`. Titles come from rules but
 * may quote event values, and every name (cluster, namespace, target) is attacker-influenced: titles
 * are untrusted text, names code spans.
 */

const SEVERITY_MARKER: Record<Severity, string> = {
  critical: '[CRITICAL]',
  high: '[HIGH]',
  medium: '[MEDIUM]',
  low: '[LOW]',
};

/** How many characters of a fingerprint lists show (and `/k8s ack` accepts from 8 on). */
export const SHORT_ID_LENGTH = 12;

function findingLine(finding: Finding): string {
  const d = finding.detection;
  const where = [d.cluster, d.namespace].filter((part) => part !== undefined).join('/');
  const parts = [
    `${SEVERITY_MARKER[incidentSeverity(finding)]} ${codeSpan(finding.fingerprint.slice(0, SHORT_ID_LENGTH), 14)}`,
    `*${untrustedText(d.title, 150)}*`,
    where === '' ? '' : codeSpan(where, 120),
    `_${finding.status}_ · ${finding.occurrences === 1 ? 'once' : `${finding.occurrences}×`} · last ${slackDate(finding.lastSeen)}`,
  ];
  return parts.filter((part) => part !== '').join(' ');
}

export interface FindingsListOptions {
  /** What was asked, e.g. "open findings on prod-cluster, high and above". */
  heading: string;
  truncated: boolean;
  /** Per fingerprint, the newest audit-trail record about the finding (who did what, when). */
  lastActions?: ReadonlyMap<string, LastAction>;
}

/** What the list shows of a finding's newest audit record. */
export type LastAction = Pick<AuditRecord, 'actor' | 'kind' | 'type' | 'result' | 'at'>;

/** `Last: @ana ack — done, <date>`; a denial reads `ack — denied`. */
function lastActionLine(action: LastAction): string {
  const what = `${codeSpan(action.kind, 40)} — ${action.result ?? action.type}`;
  return `Last: ${personText(action.actor)} ${what}, ${slackDate(action.at)}`;
}

/** The `/k8s findings` answer: one line per finding, most recent first. */
export function findingsList(
  findings: readonly Finding[],
  options: FindingsListOptions,
): { text: string; blocks: Block[] } {
  const heading = `*${untrustedText(options.heading, 200)}*`;
  if (findings.length === 0) {
    const text = `${heading}\nNone.`;
    return { text, blocks: [{ type: 'section', block_id: 'findings_none', text: mrkdwn(text) }] };
  }
  const blocks: Block[] = [{ type: 'section', block_id: 'findings_heading', text: mrkdwn(heading) }];
  // One section per finding keeps each under Slack's 3,000 characters whatever the titles hold.
  findings.slice(0, BLOCK_KIT_LIMITS.blocksPerMessage - 2).forEach((finding, index) => {
    const last = options.lastActions?.get(finding.fingerprint);
    const text =
      last === undefined ? findingLine(finding) : `${findingLine(finding)}\n${lastActionLine(last)}`;
    blocks.push({ type: 'section', block_id: `finding_${index}`, text: mrkdwn(text) });
  });
  if (options.truncated) {
    blocks.push({
      type: 'context',
      block_id: 'findings_more',
      elements: [mrkdwn('More match: narrow the list with `--cluster` or `--severity`.')],
    });
  }
  return { text: `${heading} (${findings.length}${options.truncated ? '+' : ''})`, blocks };
}

export interface StatusSummary {
  /** Findings waiting for Slack, by severity. */
  pending: Readonly<Record<Severity, number>>;
  /** More were pending than counted. */
  pendingTruncated: boolean;
  /** The most recent finding per source and cluster. */
  lastFindings: readonly { source: DetectionSource; cluster: string | undefined; lastSeen: string }[];
  /** Configured clusters with no finding among those read. */
  quietClusters: readonly string[];
}

const SOURCE_LABEL: Record<DetectionSource, string> = {
  'audit-log': 'EKS audit log',
  guardduty: 'GuardDuty',
  inspector: 'Amazon Inspector',
};

/** The `/k8s status` answer. */
export function statusReply(summary: StatusSummary): { text: string; blocks: Block[] } {
  const pendingTotal = Object.values(summary.pending).reduce((sum, count) => sum + count, 0);
  const pendingLine =
    pendingTotal === 0
      ? 'Alerts waiting for Slack: none.'
      : `Alerts waiting for Slack: ${pendingTotal}${summary.pendingTruncated ? '+' : ''} (${(
          ['critical', 'high', 'medium', 'low'] as const
        )
          .filter((severity) => summary.pending[severity] > 0)
          .map((severity) => `${summary.pending[severity]} ${severity}`)
          .join(', ')}).`;
  const sources =
    summary.lastFindings.length === 0
      ? ['No findings recorded yet.']
      : summary.lastFindings.map(
          (entry) =>
            `• ${SOURCE_LABEL[entry.source]} on ${entry.cluster === undefined ? 'an unnamed cluster' : codeSpan(entry.cluster, 102)}: last finding ${slackDate(entry.lastSeen)}`,
        );
  const quiet =
    summary.quietClusters.length === 0
      ? []
      : [`No findings yet from ${summary.quietClusters.map((name) => codeSpan(name, 102)).join(', ')}.`];
  const text = ['*kubeguard status*', pendingLine, ...sources, ...quiet].join('\n');
  return {
    text,
    blocks: [
      { type: 'section', block_id: 'status', text: mrkdwn(text.slice(0, BLOCK_KIT_LIMITS.sectionText)) },
    ],
  };
}
