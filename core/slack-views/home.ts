import { SEVERITIES, type Severity } from '../model/severity.ts';
import { type AuditHistoryEntry, newestFirst } from '../posture/history.ts';
import { scoreChange } from './audit-report.ts';
import {
  type Block,
  type HomeView,
  mrkdwn,
  plainText,
  type SectionBlock,
  type SlackMessage,
} from './blocks.ts';
import { linesWithin, personText, slackDate } from './format.ts';
import { DIGEST_ACTION_IDS, SLACK_CALLBACK_IDS } from './ids.ts';
import { BLOCK_KIT_LIMITS } from './limits.ts';
import { codeSpan, untrustedText } from './mrkdwn.ts';

/**
 * The App Home tab (views.publish): each cluster's posture score from its audit history
 * (core/posture/history.ts) with the change since the audit before, its failed checks and open
 * findings by severity, the open findings of all clusters, and the viewer's digest subscriptions.
 */

export interface HomeCluster {
  name: string;
  /** The cluster's audit history entries, any order; the newest two are used. */
  audits: readonly AuditHistoryEntry[];
  /** Open findings on the cluster, per severity. */
  openFindings: Readonly<Record<Severity, number>>;
}

/** One digest subscription as the digest feature lists it. */
export interface DigestSubscriptionSummary {
  /** What the digest is called (`Weekly posture`). */
  name: string;
  /** When it is sent, in words (`Mondays 09:00 UTC`). */
  schedule: string;
  /** The clusters it covers; absent = every cluster. */
  clusters?: readonly string[];
  /** Where it is posted: a channel id (`C…`) is linked, a DM says so. */
  channel?: string;
  /** The subscription's id: with it the tab offers an Unsubscribe button. */
  id?: string;
}

export interface HomeInput {
  /** The Slack user the tab is published for. */
  userId: string;
  clusters: readonly HomeCluster[];
  /** The viewer's digest subscriptions. */
  digests: readonly DigestSubscriptionSummary[];
  /** Offer "Subscribe me weekly" (digests are set up). */
  offerDigest?: boolean;
  /** ISO-8601: when the figures were read. */
  updatedAt: string;
}

const L = BLOCK_KIT_LIMITS;
/** Blocks besides the clusters' sections: header, context, headings, dividers, findings, digests, "more". */
const FIXED_BLOCKS = 10;
/** Subscriptions shown each with its Unsubscribe button; more are counted (`/k8s digest list` has all). */
const MAX_DIGEST_TOGGLES = 10;
const SEVERITY_ORDER: readonly Severity[] = [...SEVERITIES].reverse();

export function buildHomeView(input: HomeInput): HomeView {
  const clusters = [...input.clusters].sort((a, b) => a.name.localeCompare(b.name));
  const digestBlocks = digestSection(input);
  // The digest toggles take their blocks from the clusters' share, so the tab stays within 100.
  const MAX_CLUSTERS = L.blocksPerView - FIXED_BLOCKS - (digestBlocks.length - 1);
  const blocks: Block[] = [
    { type: 'header', block_id: 'home_header', text: plainText('kubeguard') },
    {
      type: 'context',
      block_id: 'home_updated',
      elements: [mrkdwn(`For ${personText(input.userId)} · updated ${slackDate(input.updatedAt)}`)],
    },
    section('home_posture', '*Posture by cluster*'),
  ];
  if (clusters.length === 0) {
    blocks.push(section('home_no_clusters', 'No cluster is configured yet.'));
  }
  clusters.slice(0, MAX_CLUSTERS).forEach((cluster, index) => {
    blocks.push(clusterSection(cluster, index));
  });
  if (clusters.length > MAX_CLUSTERS) {
    blocks.push({
      type: 'context',
      block_id: 'home_more_clusters',
      elements: [mrkdwn(`…and ${clusters.length - MAX_CLUSTERS} more clusters`)],
    });
  }
  blocks.push({ type: 'divider', block_id: 'home_divider_findings' });
  blocks.push(
    section('home_findings', `*Open findings, all clusters*\n${severityCounts(totalOpen(clusters))}`),
  );
  blocks.push({ type: 'divider', block_id: 'home_divider_digests' });
  blocks.push(...digestBlocks);
  return { type: 'home', callback_id: SLACK_CALLBACK_IDS.home, blocks };
}

/**
 * The Home tab of someone who holds no role: the denial every other request gets (which role, whom
 * to ask; core/slack-views/errors.ts denialMessage) and nothing else — no cluster, score or count.
 */
export function buildNoAccessHomeView(input: { userId: string; denial: SlackMessage }): HomeView {
  return {
    type: 'home',
    callback_id: SLACK_CALLBACK_IDS.home,
    blocks: [
      { type: 'header', block_id: 'home_header', text: plainText('kubeguard') },
      {
        type: 'context',
        block_id: 'home_no_access',
        elements: [mrkdwn(`For ${personText(input.userId)} · no access`)],
      },
      ...input.denial.blocks,
    ],
  };
}

function clusterSection(cluster: HomeCluster, index: number): SectionBlock {
  const [latest, previous] = newestFirst(cluster.audits);
  const name = `*${codeSpan(cluster.name, 120)}*`;
  const posture =
    latest === undefined
      ? `${name} · no audit yet`
      : `${name} · score *${latest.score}/100* · ${scoreChange(latest.score, previous)} · audited ${slackDate(latest.takenAt)}`;
  return {
    type: 'section',
    block_id: `home_cluster_${index + 1}`,
    text: mrkdwn(posture),
    fields: [
      mrkdwn(`*Failed checks*\n${latest === undefined ? '—' : severityCounts(latest.failures)}`),
      mrkdwn(`*Open findings*\n${severityCounts(cluster.openFindings)}`),
    ],
  };
}

/** `1 critical · 3 high · 0 medium · 2 low` (most severe first), or `none`. */
function severityCounts(counts: Readonly<Record<Severity, number>>): string {
  const values = SEVERITY_ORDER.map((severity) => [severity, safeCount(counts[severity])] as const);
  if (values.every(([, count]) => count === 0)) return 'none';
  return values.map(([severity, count]) => `${count.toLocaleString('en-US')} ${severity}`).join(' · ');
}

function safeCount(value: number | undefined): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

function totalOpen(clusters: readonly HomeCluster[]): Record<Severity, number> {
  const total = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const cluster of clusters) {
    for (const severity of SEVERITIES) total[severity] += safeCount(cluster.openFindings[severity]);
  }
  return total;
}

const CHANNEL_ID = /^[CGD][A-Z0-9]{2,30}$/;
const SUBSCRIPTION_ID = /^[0-9a-f]{6,24}$/;

/**
 * The digest subscriptions: as text, or — when each carries its id — one section per subscription
 * with an Unsubscribe button, and "Subscribe me weekly" when digests are set up.
 */
function digestSection(input: HomeInput): Block[] {
  const { digests } = input;
  const toggles =
    digests.length > 0 && digests.every((d) => d.id !== undefined && SUBSCRIPTION_ID.test(d.id));
  const blocks: Block[] = [];
  if (!toggles) {
    blocks.push(section('home_digests', digestsText(digests)));
  } else {
    blocks.push(section('home_digests', '*Your digest subscriptions*'));
    digests.slice(0, MAX_DIGEST_TOGGLES).forEach((digest, index) => {
      blocks.push({
        type: 'section',
        block_id: `home_digest_${index + 1}`,
        text: mrkdwn(digestLine(digest)),
        accessory: {
          type: 'button',
          text: plainText('Unsubscribe'),
          action_id: DIGEST_ACTION_IDS.unsubscribe,
          value: digest.id ?? '',
        },
      });
    });
    if (digests.length > MAX_DIGEST_TOGGLES) {
      blocks.push({
        type: 'context',
        block_id: 'home_more_digests',
        elements: [mrkdwn(`…and ${digests.length - MAX_DIGEST_TOGGLES} more: \`/k8s digest list\``)],
      });
    }
  }
  if (input.offerDigest === true) {
    blocks.push({
      type: 'actions',
      block_id: 'home_digest_actions',
      elements: [
        {
          type: 'button',
          text: plainText('Subscribe me weekly (every cluster)'),
          action_id: DIGEST_ACTION_IDS.subscribeWeekly,
          value: 'weekly',
        },
      ],
    });
  }
  return blocks;
}

function digestsText(digests: readonly DigestSubscriptionSummary[]): string {
  if (digests.length === 0) return '*Your digest subscriptions*\nNo digest subscriptions.';
  const lines = digests.map(digestLine);
  return linesWithin(['*Your digest subscriptions*', ...lines], L.sectionText);
}

function digestLine(digest: DigestSubscriptionSummary): string {
  const clusters =
    digest.clusters === undefined || digest.clusters.length === 0
      ? 'every cluster'
      : digest.clusters
          .slice(0, 5)
          .map((c) => codeSpan(c, 120))
          .join(', ') + (digest.clusters.length > 5 ? ` and ${digest.clusters.length - 5} more` : '');
  const where =
    digest.channel === undefined
      ? ''
      : CHANNEL_ID.test(digest.channel)
        ? digest.channel.startsWith('D')
          ? ' · by direct message'
          : ` · in <#${digest.channel}>`
        : ` · in ${codeSpan(digest.channel, 120)}`;
  return `• *${untrustedText(digest.name, 120)}* · ${untrustedText(digest.schedule, 120)} · ${clusters}${where}`;
}

function section(blockId: string, text: string): SectionBlock {
  return { type: 'section', block_id: blockId, text: mrkdwn(text) };
}
