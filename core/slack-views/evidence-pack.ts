import type { EvidencePeriod, Framework } from '../evidence-pack/model.ts';
import type { StoredEvidencePack } from '../evidence-pack/ports.ts';
import { type Block, mrkdwn, plainText, type SlackMessage } from './blocks.ts';
import { codeSpan, escapeMrkdwn, safeMrkdwn, singleLine } from './mrkdwn.ts';

/**
 * The answer to `/k8s evidence` and the monthly pack's post (core/chatops/handlers/evidence.ts):
 * what the pack covers, one line per framework (controls with evidence, gaps, exceptions), the
 * archive's link with its expiry, both SHA-256s, the Object Lock retention, and how to verify.
 * Every value is escaped or in a code span: cluster names come from the configuration, ids and
 * hashes from the store, and none of them may format or link anything.
 */

export const FRAMEWORK_NAMES: Record<Framework, string> = {
  soc2: 'SOC 2 (2017 TSC)',
  pci: 'PCI DSS v4.0',
  iso27001: 'ISO/IEC 27001:2022 Annex A',
};

/** One framework's summary counts, as the pack's per-control summary gives them. */
export interface FrameworkCounts {
  framework: Framework;
  controls: number;
  withEvidence: number;
  gaps: number;
  exceptions: number;
}

export interface EvidencePackMessageInput {
  period: EvidencePeriod;
  clusters: readonly string[];
  frameworks: readonly FrameworkCounts[];
  stored: StoredEvidencePack;
  /** `<@U123>` is shown for a person; `schedule` for the monthly pack. */
  requestedBy: { userId: string } | 'schedule';
}

/** Clusters named in full up to this many; then the count. */
const CLUSTERS_SHOWN = 20;

/** `2026-11-01 to 2026-11-30`: the half-open period as the days it includes (UTC). */
export function periodDays(period: EvidencePeriod): string {
  const from = period.from.slice(0, 10);
  const lastMs = Date.parse(period.to) - 1;
  const to = Number.isNaN(lastMs) ? period.to : new Date(lastMs).toISOString().slice(0, 10);
  return `${from} to ${to}`;
}

/** One line, no backtick: a value inside a code span written by hand. */
function singleLineId(value: string): string {
  return singleLine(value).replace(/`/g, "'");
}

function plural(count: number, word: string, many = `${word}s`): string {
  return `${count} ${count === 1 ? word : many}`;
}

function clusterList(clusters: readonly string[]): string {
  const shown = clusters.slice(0, CLUSTERS_SHOWN).map((name) => codeSpan(name, 102));
  const more = clusters.length - shown.length;
  return `${shown.join(', ')}${more > 0 ? ` and ${more} more (listed in the manifest)` : ''}`;
}

/** A URL inside `<url|text>`: escaped, and without `|` (which would end it). */
function linkUrl(url: string): string {
  return escapeMrkdwn(url).replace(/\|/g, '%7C');
}

export function frameworkLine(counts: FrameworkCounts): string {
  return `*${FRAMEWORK_NAMES[counts.framework]}* — ${plural(counts.controls, 'control')}: ${counts.withEvidence} with evidence, ${plural(counts.gaps, 'gap')}, ${plural(counts.exceptions, 'exception')}`;
}

export function buildEvidencePackMessage(input: EvidencePackMessageInput): SlackMessage {
  const { stored } = input;
  const days = periodDays(input.period);
  // Inside code spans: one line, escaped, no backtick (a pack id is plain, but it comes from the store).
  const id = safeMrkdwn(singleLineId(stored.packId), 120);
  const who =
    input.requestedBy === 'schedule'
      ? 'the monthly schedule'
      : `<@${escapeMrkdwn(input.requestedBy.userId)}>`;
  const blocks: Block[] = [
    { type: 'header', text: plainText(`Evidence pack ${days}`) },
    {
      type: 'section',
      text: mrkdwn(
        [
          `*Period:* ${days} (UTC, both days included)`,
          `*Clusters:* ${clusterList(input.clusters)}`,
          `*Pack:* ${codeSpan(stored.packId, 120)}, asked by ${who}`,
        ].join('\n'),
      ),
    },
    {
      type: 'section',
      text: mrkdwn(
        input.frameworks.length === 0
          ? '_No framework summary in this pack._'
          : input.frameworks.map(frameworkLine).join('\n'),
      ),
    },
    {
      type: 'section',
      text: mrkdwn(
        [
          stored.url === undefined
            ? `*Archive:* ${codeSpan(stored.location, 500)} (${plural(stored.bytes, 'byte')})`
            : `*Archive:* <${linkUrl(stored.url)}|Download the archive> (${plural(stored.bytes, 'byte')})${stored.urlExpiresAt === undefined ? '' : ` — the link works until ${safeMrkdwn(stored.urlExpiresAt, 40)}`}; stored at ${codeSpan(stored.location, 500)}`,
          `*Archive SHA-256:* ${codeSpan(stored.archiveSha256, 70)}`,
          `*Manifest SHA-256:* ${codeSpan(stored.manifestSha256, 70)}`,
          stored.retainUntil === undefined
            ? '*Retention:* no Object Lock retention set by kubeguard'
            : `*Retention:* Object Lock until ${safeMrkdwn(stored.retainUntil, 40)}: this version cannot be deleted or overwritten before then`,
        ].join('\n'),
      ),
    },
    {
      type: 'context',
      elements: [
        mrkdwn(
          `*Verify:* \`sha256sum ${id}.tar.gz\` prints the archive SHA-256 above; unpack it (\`tar -xzf ${id}.tar.gz\`), then in \`${id}/\`: \`sha256sum manifest.json\` prints the manifest SHA-256 and \`sha256sum -c SHA256SUMS\` says OK for every file (the pack's README.md, "How to verify").`,
        ),
      ],
    },
  ];
  const text = `Evidence pack ${days} of ${plural(input.clusters.length, 'cluster')}: archive SHA-256 ${stored.archiveSha256}`;
  return { text: escapeMrkdwn(text), blocks };
}
