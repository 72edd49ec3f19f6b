import type { DigestContent } from '../digest/content.ts';
import type { SeverityCounts } from '../digest/findings-summary.ts';
import type { ClusterTrend, Headline } from '../digest/trend.ts';
import { SEVERITIES, type Severity } from '../model/severity.ts';
import { type Block, mrkdwn, plainText, type SectionBlock, type SlackMessage } from './blocks.ts';
import { linesWithin, personText, slackDate } from './format.ts';
import { BLOCK_KIT_LIMITS } from './limits.ts';
import { codeSpan, untrustedText } from './mrkdwn.ts';

/**
 * The digest as one Slack message a manager reads at a glance: safer or not, each cluster's score
 * and change, then what needs attention. Every value from a cluster, a finding or a person is a code
 * span or escaped text; every section is cut by whole lines within Block Kit's limits, so 50 clusters
 * with 100-character names still fit (the chart is shared beside it, see core/digest/send.ts).
 */
export interface DigestViewOptions {
  /** The chart is shared as an image right after the message. */
  chart?: boolean;
}

const L = BLOCK_KIT_LIMITS;
const MOST_SEVERE_FIRST: readonly Severity[] = [...SEVERITIES].reverse();
const NAME_CAP = 60;

export function buildDigestMessage(digest: DigestContent, options: DigestViewOptions = {}): SlackMessage {
  const title = digest.period.frequency === 'weekly' ? 'Weekly posture digest' : 'Daily posture digest';
  const blocks: Block[] = [
    { type: 'header', block_id: 'digest_header', text: plainText(title) },
    {
      type: 'context',
      block_id: 'digest_period',
      elements: [
        mrkdwn(
          `${slackDate(digest.period.from, '{date_short}')} – ${slackDate(digest.period.to, '{date_short} {time}')} · ${count(digest.clusters.length, 'cluster')}`,
        ),
      ],
    },
    section('digest_headline', headlineText(digest.headline, digest.period.frequency)),
    section(
      'digest_clusters',
      linesWithin(['*Posture by cluster*', ...digest.clusters.map(clusterLine)], L.sectionText),
    ),
  ];
  if (options.chart === true) {
    blocks.push({
      type: 'context',
      block_id: 'digest_chart_note',
      elements: [
        mrkdwn(':chart_with_upwards_trend: The 12-week score trend per cluster follows as an image.'),
      ],
    });
  }
  blocks.push({ type: 'divider', block_id: 'digest_divider_findings' });
  blocks.push({
    type: 'section',
    block_id: 'digest_findings',
    fields: [
      mrkdwn(`*Findings opened*\n${severityCounts(digest.findings.opened)}`),
      mrkdwn(`*Findings closed*\n${severityCounts(digest.findings.closed)}`),
    ],
  });
  const quiet = digest.findings.quietLow;
  if (quiet.findings > 0) {
    const rules = quiet.topRules.map((rule) => `${codeSpan(rule.ruleId, 40)} (${rule.findings})`).join(', ');
    blocks.push(
      section(
        'digest_quiet_low',
        `*Low findings that paged nobody:* ${count(quiet.findings, 'finding')}, ${count(quiet.occurrences, 'occurrence')} — mostly ${rules}`,
      ),
    );
  }
  blocks.push(section('digest_response', responseText(digest)));
  blocks.push(section('digest_risks', risksText(digest)));
  blocks.push(section('digest_guardduty', guardDutyText(digest)));
  if (digest.vulnerableImagesNotRunning !== undefined) {
    blocks.push(
      section('digest_images_not_running', imagesNotRunningText(digest.vulnerableImagesNotRunning)),
    );
  }
  blocks.push(section('digest_suppressions', suppressionsText(digest)));
  if (digest.noisyRules.length > 0) blocks.push(section('digest_noisy', noisyText(digest)));
  if (digest.findingsTruncated) {
    blocks.push({
      type: 'context',
      block_id: 'digest_partial',
      elements: [mrkdwn('Finding counts are partial: a cluster held more findings than one digest reads.')],
    });
  }
  return { text: fallbackText(title, digest.headline), blocks };
}

function headlineText(headline: Headline, frequency: 'weekly' | 'daily'): string {
  const period = frequency === 'weekly' ? 'this week' : 'since a week ago';
  const parts: string[] = [];
  switch (headline.verdict) {
    case 'safer':
      parts.push(
        `:large_green_circle: *Safer ${period}* — scores ${arrow(headline.meanChange ?? 0)} on average`,
      );
      break;
    case 'less-safe':
      parts.push(`:red_circle: *Less safe ${period}* — scores ${arrow(headline.meanChange ?? 0)} on average`);
      break;
    case 'steady':
      parts.push(`:white_circle: *No change ${period}* — scores held steady`);
      break;
    case 'no-comparison':
      parts.push(`:white_circle: *Nothing to compare yet* — no cluster has an audit from a week ago`);
      break;
    case 'no-audit':
      return ':hourglass: *No audit yet* — no covered cluster has been audited; the first scheduled audit fills this in.';
  }
  const counts = [
    headline.improved > 0 ? `${headline.improved} improved` : '',
    headline.worsened > 0 ? `${headline.worsened} worsened` : '',
    headline.unchanged > 0 ? `${headline.unchanged} unchanged` : '',
    headline.withoutAudit > 0 ? `${headline.withoutAudit} without an audit yet` : '',
  ].filter((part) => part !== '');
  return counts.length === 0 ? parts.join('') : `${parts.join('')}\n${counts.join(' · ')}`;
}

function fallbackText(title: string, headline: Headline): string {
  const verdict: Record<Headline['verdict'], string> = {
    safer: 'safer',
    'less-safe': 'less safe',
    steady: 'no change',
    'no-comparison': 'nothing to compare yet',
    'no-audit': 'no audit yet',
  };
  return `${title}: ${verdict[headline.verdict]}`;
}

function clusterLine(trend: ClusterTrend): string {
  const name = codeSpan(trend.cluster, NAME_CAP);
  if (trend.latest === undefined) return `• ${name} · no audit yet`;
  const change = trend.change === undefined ? 'first week' : arrow(trend.change);
  return `• ${name} · *${trend.latest.score}/100* · ${change}`;
}

/** `▲ 1.5`, `▼ 2`, `= 0`. */
function arrow(change: number): string {
  if (change === 0) return '= 0';
  return `${change > 0 ? '▲' : '▼'} ${Math.abs(change)}`;
}

function responseText(digest: DigestContent): string {
  const { response, actions } = digest;
  const lines = [
    `*Response* · time to acknowledge ${duration(response.meanMinutesToAcknowledge)} (${count(response.acknowledged, 'finding')}) · time to remediate ${duration(response.meanMinutesToRemediate)} (${count(response.remediated, 'finding')}) · ${response.stillOpen} still unacknowledged`,
  ];
  if (actions.total === 0) lines.push('No actions were taken through kubeguard.');
  else {
    lines.push(`${count(actions.total, 'action')} taken:`);
    for (const actor of actions.byActor) {
      const kinds = Object.entries(actor.kinds)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([kind, n]) => `${untrustedText(kind, 30)} ${n}`)
        .join(', ');
      lines.push(`• ${personText(actor.actor)} — ${kinds}`);
    }
  }
  return linesWithin(lines, L.sectionText);
}

function risksText(digest: DigestContent): string {
  if (digest.risks.length === 0) return '*Top risks*\nNo failed checks in the latest audits.';
  const lines = digest.risks.map((risk) => {
    const object = `${risk.object.kind}/${risk.object.namespace === undefined ? '' : `${risk.object.namespace}/`}${risk.object.name}`;
    const owner = risk.owner === undefined ? 'no owner label' : `owner ${codeSpan(risk.owner, NAME_CAP)}`;
    return `• *${risk.severity}* ${codeSpan(risk.checkId, 12)} ${untrustedText(risk.title, 120)} · ${codeSpan(risk.cluster, NAME_CAP)} ${codeSpan(object, 120)} · ${owner}`;
  });
  return linesWithin(['*Top risks*', ...lines], L.sectionText);
}

function guardDutyText(digest: DigestContent): string {
  if (digest.guardDutyGaps.length === 0) {
    const audited = digest.clusters.some((cluster) => cluster.latest !== undefined);
    return `*GuardDuty coverage*\n${audited ? 'No gaps in the latest audits.' : 'No audit yet.'}`;
  }
  const lines = digest.guardDutyGaps.map(
    (gap) =>
      `• ${codeSpan(gap.cluster, NAME_CAP)} ${codeSpan(gap.checkId, 12)} ${untrustedText(gap.title, 120)}${gap.status === 'skip' ? ' (could not be checked)' : ''}`,
  );
  return linesWithin(['*GuardDuty coverage gaps*', ...lines], L.sectionText);
}

/** Images Inspector found vulnerable that no cluster runs: no alert, but a count to keep in view. */
function imagesNotRunningText(images: number): string {
  return images === 0
    ? '*Vulnerable images not running*\nNone this period.'
    : `*Vulnerable images not running* · ${count(images, 'image')} with active Inspector findings ran in no configured cluster: no alert until a pod starts one.`;
}

function suppressionsText(digest: DigestContent): string {
  if (digest.suppressions.length === 0) return '*Suppressions*\nNone in force.';
  const expiring = digest.suppressions.filter((s) => s.expiring).length;
  const lines = digest.suppressions.map((s) => {
    const scope = [s.ruleId, s.cluster, s.namespace, s.principal]
      .filter((part): part is string => part !== undefined)
      .map((part) => codeSpan(part, NAME_CAP))
      .join(' ');
    const what =
      s.source === 'finding' ? `finding ${codeSpan((s.finding ?? '').slice(0, 8), 12)}` : 'configured';
    return `• ${s.expiring ? ':hourglass_flowing_sand: ends ' : 'until '}${slackDate(s.until, '{date_short}')} · ${what} ${scope}`;
  });
  return linesWithin(
    [
      `*Suppressions* · ${digest.suppressions.length} in force, ${expiring} ending before the next digest`,
      ...lines,
    ],
    L.sectionText,
  );
}

function noisyText(digest: DigestContent): string {
  const lines = digest.noisyRules.map(
    (rule) =>
      `• ${codeSpan(rule.ruleId, 40)} ${untrustedText(rule.title, 100)} — ${count(rule.occurrences, 'occurrence')} in ${count(rule.findings, 'finding')}. To silence it for 30 days, add to \`detection.suppressions\`: ${codeSpan(JSON.stringify(rule.suggestion), 900)}`,
  );
  return linesWithin(['*Noisiest rules*', ...lines], L.sectionText);
}

function severityCounts(counts: SeverityCounts): string {
  const values = MOST_SEVERE_FIRST.map((severity) => [severity, counts[severity]] as const);
  if (values.every(([, n]) => n === 0)) return 'none';
  return values.map(([severity, n]) => `${n.toLocaleString('en-US')} ${severity}`).join(' · ');
}

/** `45 min`, `2.5 h`, `3.2 days`; `—` when there is nothing to measure. */
export function duration(minutes: number | undefined): string {
  if (minutes === undefined || !Number.isFinite(minutes)) return '—';
  if (minutes < 90) return `${Math.round(minutes)} min`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 6) / 10} h`;
  return `${Math.round(minutes / 144) / 10} days`;
}

function count(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
}

function section(blockId: string, text: string): SectionBlock {
  return { type: 'section', block_id: blockId, text: mrkdwn(text) };
}
