import type { Severity } from '../model/severity.ts';
import type { CheckCategory, CheckResult } from '../posture/check.ts';
import type { AuditReport, StatusCounts } from '../posture/report.ts';
import {
  type ActionsBlock,
  type Block,
  type ButtonElement,
  type ModalView,
  mrkdwn,
  plainText,
  type SectionBlock,
  type SlackMessage,
} from './blocks.ts';
import { BLOCK_KIT_LIMITS } from './limits.ts';
import { codeSpan, escapeMrkdwn, safeMrkdwn, singleLine, truncate, untrustedText } from './mrkdwn.ts';

/**
 * Slack views of a posture audit: the summary posted after each audit (score, change since the last
 * audit, counts, top risks, evidence links, "Show details") and the paged details modal it opens.
 *
 * Object names, namespaces, messages and file paths come from the cluster or its manifests and are
 * attacker-influenced: every name is a one-line code span, every message one line of untrusted text
 * (escaped, bold/italic/strike/code characters neutralized), plain_text defanged, all capped. Buttons and
 * private_metadata carry a report reference, never report data; the listener loads the stored report
 * by that reference and calls buildAuditDetailsView again for the page asked for.
 */

export const AUDIT_ACTION_IDS = {
  details: 'audit_details',
  previousPage: 'audit_details_prev',
  nextPage: 'audit_details_next',
  /** "Generate policies": opens the engine and mode form (core/slack-views/policy-result.ts). */
  generatePolicies: 'audit_generate_policies',
} as const;

/** callback_id of the details modal. */
export const AUDIT_DETAILS_CALLBACK_ID = 'audit_details';

/** The audit before this one, from the history store. */
export interface PreviousAudit {
  score: number;
  summary: StatusCounts;
  /** ISO-8601. */
  takenAt: string;
}

/** Where the evidence exports are: https URLs are linked, anything else (a local path) is shown as code. */
export interface EvidenceLinks {
  json?: string;
  markdown?: string;
  csv?: string;
}

export interface AuditSummaryOptions {
  evidenceLinks?: EvidenceLinks;
  /** The reference the "Show details" button carries. @default auditReportRef(report) */
  reportRef?: string;
  /** The namespace an on-demand audit kept to: named in the header, never compared with history. */
  namespace?: string;
  /**
   * Offer "Generate policies": the policy generator can express at least one failure of the report
   * (core/posture/policy-offer.ts policiesOffered). @default false
   */
  policies?: boolean;
}

export interface AuditDetailsOptions {
  /** The reference private_metadata and the page buttons carry. @default auditReportRef(report) */
  reportRef?: string;
}

/** What the page buttons' value and the modal's private_metadata hold (JSON, `{r, p}`). */
export interface AuditDetailsPage {
  /** Report reference. */
  ref: string;
  /** 1-based page. */
  page: number;
}

const L = BLOCK_KIT_LIMITS;
/** A reference stays short: it travels in button values and private_metadata. */
const MAX_REF = 300;
const TOP_RISKS = 5;

/**
 * `<cluster>/<takenAt>`: enough to find the stored report (history sort key, export key). Cluster
 * names cannot hold `/` (EKS: letters, digits, `-`, `_`), so the last `/` separates the parts.
 */
export function auditReportRef(report: Pick<AuditReport, 'cluster' | 'takenAt'>): string {
  return truncate(`${report.cluster}/${report.takenAt}`, MAX_REF);
}

export function parseAuditReportRef(ref: string): { cluster: string; takenAt: string } | undefined {
  const at = ref.lastIndexOf('/');
  if (at <= 0 || at === ref.length - 1) return undefined;
  return { cluster: ref.slice(0, at), takenAt: ref.slice(at + 1) };
}

/** The page a button value or private_metadata names; undefined when it is not one of ours. */
export function parseAuditDetailsPage(text: string): AuditDetailsPage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const { r, p } = (value ?? {}) as { r?: unknown; p?: unknown };
  if (typeof r !== 'string' || r === '' || r.length > MAX_REF) return undefined;
  if (typeof p !== 'number' || !Number.isInteger(p) || p < 1) return undefined;
  return { ref: r, page: p };
}

function pageValue(ref: string, page: number): string {
  return JSON.stringify({ r: ref, p: page });
}

// ---- summary message ----

const SEVERITY_MARKER: Record<Severity, string> = {
  critical: '[CRITICAL]',
  high: '[HIGH]',
  medium: '[MEDIUM]',
  low: '[LOW]',
};

const CATEGORY_LABEL: Record<CheckCategory, string> = {
  aws: 'AWS (EKS, GuardDuty, Secrets Manager)',
  node: 'Nodes (kubelet)',
  rbac: 'RBAC',
  workload: 'Workloads (Pod Security)',
  network: 'Network',
};
const CATEGORY_ORDER: readonly CheckCategory[] = ['aws', 'node', 'rbac', 'workload', 'network'];

/** The summary posted after an audit. */
export function buildAuditSummaryMessage(
  report: AuditReport,
  previous?: PreviousAudit,
  options: AuditSummaryOptions = {},
): SlackMessage {
  const ref = options.reportRef ?? auditReportRef(report);
  const blocks: Block[] = [
    {
      type: 'header',
      block_id: 'audit_header',
      text: plainText(
        truncate(
          plainSafe(
            `Posture audit: ${report.cluster}${options.namespace === undefined ? '' : ` (namespace ${options.namespace})`}`,
          ),
          L.headerText,
        ),
      ),
    },
    {
      type: 'section',
      block_id: 'audit_score',
      text: mrkdwn(
        options.namespace === undefined
          ? scoreText(report, previous)
          : `*Score ${report.score}/100* · one namespace: not compared with the cluster's audits`,
      ),
      fields: [
        mrkdwn(`*Failed*\n${count(report.summary.fail)}`),
        mrkdwn(`*Passed*\n${count(report.summary.pass)}`),
        mrkdwn(`*Skipped*\n${count(report.summary.skip)}`),
        mrkdwn(`*Checks run*\n${count(report.checks.length)}`),
      ],
    },
  ];
  const categories = categoryFields(report);
  if (categories.length > 0) {
    blocks.push({ type: 'section', block_id: 'audit_categories', fields: categories });
  }
  blocks.push({ type: 'section', block_id: 'audit_top_risks', text: mrkdwn(topRisksText(report)) });
  const evidence = evidenceText(options.evidenceLinks);
  const context = [mrkdwn(`Taken ${slackDate(report.takenAt)}${cisText(report)}`)];
  if (evidence !== undefined) context.push(mrkdwn(evidence));
  blocks.push({ type: 'context', block_id: 'audit_context', elements: context });
  blocks.push({
    type: 'actions',
    block_id: 'audit_actions',
    elements: [
      {
        type: 'button',
        text: plainText('Show details'),
        action_id: AUDIT_ACTION_IDS.details,
        value: pageValue(ref, 1),
      },
      ...(options.policies === true
        ? [
            {
              type: 'button' as const,
              text: plainText('Generate policies'),
              action_id: AUDIT_ACTION_IDS.generatePolicies,
              // The reference only, as Show details: policy-result.ts parsePolicyButtonValue reads it.
              value: JSON.stringify({ r: ref }),
            },
          ]
        : []),
    ],
  });
  return { text: fallbackText(report, previous), blocks };
}

function count(value: number): string {
  return value.toLocaleString('en-US');
}

/** `▲ 4 since the last audit`, `▼ 2 …`, `no change …`, or `first audit` when there is none. */
export function scoreChange(score: number, previous?: PreviousAudit): string {
  if (previous === undefined) return 'first audit';
  const delta = score - previous.score;
  if (delta === 0) return 'no change since the last audit';
  return `${delta > 0 ? '▲' : '▼'} ${Math.abs(delta)} since the last audit`;
}

function scoreText(report: AuditReport, previous?: PreviousAudit): string {
  const change = scoreChange(report.score, previous);
  const lines = [`*Score ${report.score}/100* · ${change}`];
  if (previous !== undefined) {
    const failDelta = report.summary.fail - previous.summary.fail;
    const failChange =
      failDelta === 0
        ? 'the same number of failures'
        : `${count(Math.abs(failDelta))} ${failDelta > 0 ? 'more' : 'fewer'} failures`;
    lines.push(
      `Last audit ${slackDate(previous.takenAt)}: score ${previous.score}/100, ${count(previous.summary.fail)} failures (now ${failChange})`,
    );
  }
  return lines.join('\n');
}

function fallbackText(report: AuditReport, previous?: PreviousAudit): string {
  const text = `Posture audit of ${report.cluster}: score ${report.score}/100 (${scoreChange(report.score, previous)}), ${count(report.summary.fail)} failures`;
  return untrustedText(text, 1000);
}

function categoryFields(report: AuditReport) {
  return CATEGORY_ORDER.flatMap((category) => {
    const counts = report.categories[category];
    if (counts === undefined) return [];
    const failed = counts.fail === 0 ? 'no failures' : `*${count(counts.fail)} failed*`;
    const rest = `${count(counts.pass)} passed${counts.skip > 0 ? `, ${count(counts.skip)} skipped` : ''}`;
    return [mrkdwn(`*${CATEGORY_LABEL[category]}*\n${failed} · ${rest}`)];
  });
}

/** Characters one top-risk entry may use: five of them and the heading stay within a section. */
const RISK_ENTRY_CAP = Math.floor((L.sectionText - 100) / TOP_RISKS);

/**
 * The five most severe failing checks (report order: severity, core checks, id), each with how many
 * objects fail it and the first of them — five failures of one check would hide the other risks.
 */
function topRisksText(report: AuditReport): string {
  const byCheck = new Map<string, { first: CheckResult; failures: number }>();
  for (const result of report.results) {
    if (result.status !== 'fail') continue;
    const entry = byCheck.get(result.checkId);
    if (entry !== undefined) entry.failures += 1;
    else byCheck.set(result.checkId, { first: result, failures: 1 });
  }
  if (byCheck.size === 0) return '*Top risks*\nNo failures: every check that ran passed.';
  const titles = new Map(report.checks.map((check) => [check.id, check.title]));
  const entries = [...byCheck.values()].slice(0, TOP_RISKS).map(({ first, failures }, index) => {
    const objects = failures === 1 ? '1 object' : `${count(failures)} objects, first`;
    const head = `${index + 1}. *${SEVERITY_MARKER[first.severity]}* ${escapeMrkdwn(first.checkId)} ${safeMrkdwn(titles.get(first.checkId) ?? '', 120)} · ${objects}: ${objectText(first, 200)}`;
    const room = Math.max(50, RISK_ENTRY_CAP - head.length - 8);
    return `${head}\n      ${untrustedText(first.message, room)}`;
  });
  const more =
    byCheck.size > TOP_RISKS ? `\n…and ${byCheck.size - TOP_RISKS} more failing checks in the details` : '';
  return `*Top risks*\n${entries.join('\n')}${more}`;
}

function cisText(report: AuditReport): string {
  const failing = Object.entries(report.cisSections)
    .filter(([, counts]) => counts.fail > 0)
    .map(([section]) => section);
  if (failing.length === 0) return '';
  const shown = failing.slice(0, 12).join(', ');
  const more = failing.length > 12 ? ` and ${failing.length - 12} more` : '';
  return ` · CIS EKS sections with failures: ${escapeMrkdwn(shown)}${more}`;
}

const LINKABLE = /^https:\/\/[^\s<>|]+$/;
const EVIDENCE_LABELS: readonly [keyof EvidenceLinks, string][] = [
  ['json', 'JSON'],
  ['markdown', 'Markdown'],
  ['csv', 'CSV'],
];

function evidenceText(links: EvidenceLinks | undefined): string | undefined {
  if (links === undefined) return undefined;
  const parts = EVIDENCE_LABELS.flatMap(([key, label]) => {
    const link = links[key];
    if (link === undefined || link === '') return [];
    // https URLs (S3 console) become links; a local path is shown as text, never as a link.
    if (LINKABLE.test(link) && link.length <= 900) return [`<${link}|${label}>`];
    return [`${label} ${codeSpan(link, 600)}`];
  });
  return parts.length === 0 ? undefined : `Evidence: ${parts.join(' · ')}`;
}

// ---- details modal ----

/** Blocks of content per page, leaving room for the page heading and the navigation. */
const MAX_CONTENT_BLOCKS = 90;
/** Characters of content per page: keeps a page quick to open and to read (Slack allows more). */
const PAGE_CHAR_BUDGET = 24_000;
/** Failure lines per section; also bounded by the section text limit. */
const LINES_PER_SECTION = 10;
const MESSAGE_CAP = 220;
const REMEDIATION_CAP = 900;

interface Item {
  block: SectionBlock;
  chars: number;
  /** Heading of the group this item belongs to, repeated when a page starts inside the group. */
  continued: string;
  /** Failures this item lists (0 for a heading). */
  failures: number;
}

interface Page {
  blocks: Block[];
  firstFailure: number;
  failures: number;
}

/** The number of pages of the details modal. */
export function auditDetailsPageCount(report: AuditReport): number {
  return layoutPages(report).length;
}

/**
 * Page `page` (1-based, clamped) of the details modal: failures grouped by check (severity order),
 * each with its object and message, the check's remediation, then the skipped checks with reasons.
 */
export function buildAuditDetailsView(
  report: AuditReport,
  page: number,
  options: AuditDetailsOptions = {},
): ModalView {
  const ref = options.reportRef ?? auditReportRef(report);
  const pages = layoutPages(report);
  const number = Math.min(Math.max(1, Math.floor(Number.isFinite(page) ? page : 1)), pages.length);
  const current = pages[number - 1] as Page;
  const blocks: Block[] = [
    { type: 'context', block_id: 'audit_details_heading', elements: [mrkdwn(pageHeading(report, current))] },
    ...current.blocks,
  ];
  const navigation = navigationBlock(ref, number, pages.length);
  if (navigation !== undefined) blocks.push(navigation);
  return {
    type: 'modal',
    callback_id: AUDIT_DETAILS_CALLBACK_ID,
    title: plainText(truncate(`Audit ${number}/${pages.length}`, L.modalTitle)),
    close: plainText('Close'),
    private_metadata: pageValue(ref, number),
    blocks,
  };
}

/**
 * The modal opened at once when "Show details" is clicked (the trigger id lives 3 seconds; reading
 * the stored report does not fit in them): the worker replaces it, found by `externalId`.
 */
export function buildAuditDetailsLoadingView(ref: string, page: number, externalId: string): ModalView {
  const where = parseAuditReportRef(ref);
  const what = where === undefined ? 'the audit report' : `the audit of ${where.cluster}`;
  return {
    type: 'modal',
    callback_id: AUDIT_DETAILS_CALLBACK_ID,
    external_id: truncate(externalId, L.idLength),
    title: plainText('Audit details'),
    close: plainText('Close'),
    private_metadata: pageValue(ref, page),
    blocks: [
      {
        type: 'section',
        block_id: 'audit_details_loading',
        text: mrkdwn(`:hourglass_flowing_sand: Loading ${untrustedText(what, 200)}…`),
      },
    ],
  };
}

/** What replaces the loading modal when the report cannot be shown; `text` is kubeguard's (errors.ts). */
export function buildAuditDetailsErrorView(ref: string, text: string): ModalView {
  return {
    type: 'modal',
    callback_id: AUDIT_DETAILS_CALLBACK_ID,
    title: plainText('Audit details'),
    close: plainText('Close'),
    private_metadata: pageValue(ref, 1),
    blocks: [
      { type: 'section', block_id: 'audit_details_error', text: mrkdwn(truncate(text, L.sectionText)) },
    ],
  };
}

function pageHeading(report: AuditReport, page: Page): string {
  const range =
    page.failures === 0
      ? ''
      : ` · failures ${count(page.firstFailure + 1)}–${count(page.firstFailure + page.failures)}`;
  return `*${untrustedText(report.cluster, 200)}* · score ${report.score}/100 · ${count(report.summary.fail)} failures${range}`;
}

function navigationBlock(ref: string, page: number, pages: number): ActionsBlock | undefined {
  const elements: ButtonElement[] = [];
  if (page > 1) {
    elements.push({
      type: 'button',
      text: plainText(`◀ Page ${page - 1}`),
      action_id: AUDIT_ACTION_IDS.previousPage,
      value: pageValue(ref, page - 1),
    });
  }
  if (page < pages) {
    elements.push({
      type: 'button',
      text: plainText(`Page ${page + 1} ▶`),
      action_id: AUDIT_ACTION_IDS.nextPage,
      value: pageValue(ref, page + 1),
    });
  }
  return elements.length === 0 ? undefined : { type: 'actions', block_id: 'audit_details_pages', elements };
}

/** Layout per report: paging through a report (or counting its pages) lays it out once. */
const layouts = new WeakMap<AuditReport, Page[]>();

function layoutPages(report: AuditReport): Page[] {
  const cached = layouts.get(report);
  if (cached !== undefined) return cached;
  const pages = paginate(report);
  layouts.set(report, pages);
  return pages;
}

/** Pages filled greedily in report order; a page never ends on a heading without its first lines. */
function paginate(report: AuditReport): Page[] {
  const items = contentItems(report);
  const pages: Page[] = [];
  let current: Page = { blocks: [], firstFailure: 0, failures: 0 };
  let chars = 0;
  let seen = 0;
  items.forEach((item, index) => {
    const next = items[index + 1];
    const needs = item.failures === 0 && next !== undefined ? [item, next] : [item];
    const blocksNeeded = needs.length;
    const charsNeeded = needs.reduce((sum, entry) => sum + entry.chars, 0);
    const full =
      current.blocks.length + blocksNeeded > MAX_CONTENT_BLOCKS || chars + charsNeeded > PAGE_CHAR_BUDGET;
    if (current.blocks.length > 0 && full) {
      pages.push(current);
      current = { blocks: [], firstFailure: seen, failures: 0 };
      chars = 0;
      if (item.failures > 0) {
        const heading = section(item.continued);
        current.blocks.push(heading);
        chars += item.continued.length;
      }
    }
    current.blocks.push(item.block);
    current.failures += item.failures;
    chars += item.chars;
    seen += item.failures;
  });
  if (current.blocks.length === 0) {
    current.blocks.push(section('*No failures*: every check that ran passed, and no check was skipped.'));
  }
  pages.push(current);
  return pages;
}

function section(text: string): SectionBlock {
  return { type: 'section', text: mrkdwn(text) };
}

function contentItems(report: AuditReport): Item[] {
  const checks = new Map(report.checks.map((check) => [check.id, check]));
  const groups = new Map<string, CheckResult[]>();
  const skipped: CheckResult[] = [];
  for (const result of report.results) {
    if (result.status === 'skip') skipped.push(result);
    if (result.status !== 'fail') continue;
    const group = groups.get(result.checkId);
    if (group === undefined) groups.set(result.checkId, [result]);
    else group.push(result);
  }
  const items: Item[] = [];
  for (const [checkId, failures] of groups) {
    const check = checks.get(checkId);
    const first = failures[0] as CheckResult;
    const name = `*${escapeMrkdwn(checkId)} ${safeMrkdwn(check?.title ?? '', 150)}*`;
    const remediation = untrustedText(check?.remediation ?? first.remediation, REMEDIATION_CAP);
    const heading = `${name} · ${first.severity} · ${count(failures.length)} ${failures.length === 1 ? 'failure' : 'failures'}\n*Fix:* ${remediation}`;
    const continued = `${name} (continued)`;
    items.push({ block: section(heading), chars: heading.length, continued, failures: 0 });
    for (const chunk of chunkLines(failures.map(failureLine))) {
      items.push({ block: section(chunk.text), chars: chunk.text.length, continued, failures: chunk.lines });
    }
  }
  if (skipped.length > 0) {
    const heading = `*Skipped* · ${count(skipped.length)} ${skipped.length === 1 ? 'check' : 'checks'} could not run`;
    const continued = '*Skipped* (continued)';
    items.push({ block: section(heading), chars: heading.length, continued, failures: 0 });
    for (const chunk of chunkLines(skipped.map(skipLine))) {
      items.push({ block: section(chunk.text), chars: chunk.text.length, continued, failures: 0 });
    }
  }
  return items;
}

/** Lines packed into section texts of at most LINES_PER_SECTION lines and the section limit. */
function chunkLines(lines: readonly string[]): { text: string; lines: number }[] {
  const chunks: { text: string; lines: number }[] = [];
  let current: string[] = [];
  let length = 0;
  for (const line of lines) {
    if (
      current.length > 0 &&
      (current.length === LINES_PER_SECTION || length + 1 + line.length > L.sectionText)
    ) {
      chunks.push({ text: current.join('\n'), lines: current.length });
      current = [];
      length = 0;
    }
    current.push(line);
    length += line.length + 1;
  }
  if (current.length > 0) chunks.push({ text: current.join('\n'), lines: current.length });
  return chunks;
}

function failureLine(result: CheckResult): string {
  return `• ${objectText(result, 200)}: ${untrustedText(result.message, MESSAGE_CAP)}`;
}

function skipLine(result: CheckResult): string {
  return `• ${escapeMrkdwn(result.checkId)}: ${untrustedText(result.message, MESSAGE_CAP)}`;
}

/** `Pod \`team-a/web\`` (+ `` `file:line` `` for offline audits), every part escaped and capped. */
function objectText(result: CheckResult, cap: number): string {
  const { kind, namespace, name } = result.object;
  const where = namespace === undefined ? name : `${namespace}/${name}`;
  const object = `${untrustedText(kind, 60)} ${codeSpan(where, cap)}`;
  if (result.file === undefined) return object;
  const file = result.line === undefined ? result.file : `${result.file}:${result.line}`;
  return `${object} in ${codeSpan(file, cap)}`;
}

/**
 * plain_text is not parsed by Slack, but a value copied from it should still never carry
 * `<!channel>` or a link: angle brackets become look-alikes.
 */
function plainSafe(value: string): string {
  return singleLine(value).replace(/</g, '‹').replace(/>/g, '›');
}

/** Slack's date token renders in each reader's time zone; the fallback is the ISO time as stored. */
function slackDate(iso: string): string {
  const millis = Date.parse(iso);
  const fallback = safeMrkdwn(singleLine(iso), 40).replace(/[|^]/g, '');
  if (Number.isNaN(millis)) return fallback;
  return `<!date^${Math.floor(millis / 1000)}^{date_short_pretty} {time}|${fallback}>`;
}
