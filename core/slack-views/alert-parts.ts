import type { Finding, FindingHistoryEntry, FindingStatus } from '../model/finding.ts';
import type { Severity } from '../model/severity.ts';
import { type MrkdwnText, mrkdwn } from './blocks.ts';
import { codeSpan, untrustedText } from './mrkdwn.ts';

/**
 * Pieces every alert layout shares — the detection alert (alert.ts) and the image alert
 * (image-alert.ts): the severity marker, the routed mention, the status line and the "seen" context.
 */

export const SEVERITY_MARKER: Record<Severity, string> = {
  critical: '[CRITICAL]',
  high: '[HIGH]',
  medium: '[MEDIUM]',
  low: '[LOW]',
};

const MENTION = /^<(!subteam\^S[A-Z0-9]{2,30}|@[UW][A-Z0-9]{2,30})>$/;

/** A user-group or user mention from routing; anything else is dropped. */
export function safeMention(mention: string | undefined): string | undefined {
  return mention !== undefined && MENTION.test(mention) ? mention : undefined;
}

/** Untrusted text after the mention: one line, formatting characters neutralized, escaped. */
export function withPrefix(mention: string | undefined, untrusted: string, max: number): string {
  const prefix = mention === undefined ? '' : `${mention} `;
  return prefix + untrustedText(untrusted, max - prefix.length);
}

const STATUS_LABEL: Record<FindingStatus, string> = {
  open: 'Open',
  acknowledged: 'Acknowledged',
  suppressed: 'Suppressed',
  remediated: 'Remediated',
  resolved: 'Resolved',
};

/** Who changed the finding's status and when; nothing while it is open. */
export function statusText(finding: Finding): string | undefined {
  if (finding.status === 'open') return undefined;
  const entry: FindingHistoryEntry | undefined = finding.history.findLast((h) => h.status === finding.status);
  let line = `*${STATUS_LABEL[finding.status]}*`;
  if (entry !== undefined) {
    line += ` by ${actorText(entry.actor)} ${slackDate(entry.at)}`;
    if (entry.reason !== undefined) line += `: ${untrustedText(entry.reason, 500)}`;
  }
  return line;
}

const SLACK_USER_ID = /^[UW][A-Z0-9]{2,30}$/;

function actorText(actor: string): string {
  return SLACK_USER_ID.test(actor) ? `<@${actor}>` : codeSpan(actor, 100);
}

/** Slack's date token renders in each reader's time zone; the fallback is the canonical ISO time. */
export function slackDate(iso: string): string {
  const millis = Date.parse(iso);
  if (Number.isNaN(millis)) return untrustedText(iso, 40);
  const canonical = new Date(millis).toISOString();
  return `<!date^${Math.floor(millis / 1000)}^{date_short_pretty} {time}|${canonical}>`;
}

/** `Seen 3 times · first … · last …`. */
export function seenText(finding: Finding): MrkdwnText {
  const times = finding.occurrences === 1 ? 'once' : `${finding.occurrences} times`;
  return mrkdwn(
    `Seen ${times} · first ${slackDate(finding.firstSeen)} · last ${slackDate(finding.lastSeen)}`,
  );
}
