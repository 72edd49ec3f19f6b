import { actorLabel } from '../model/actor.ts';
import type { Detection } from '../model/detection.ts';
import type { Finding } from '../model/finding.ts';
import { SEVERITY_MARKER, safeMention, seenText, statusText, withPrefix } from './alert-parts.ts';
import {
  incidentGuideBlocks,
  incidentHeadline,
  type RuleGuide,
  type RuleGuideLookup,
} from './alert-rules.ts';
import {
  type ActionsBlock,
  type Block,
  type ButtonElement,
  type MrkdwnText,
  mrkdwn,
  plainText,
  type SectionBlock,
  type SlackMessage,
} from './blocks.ts';
import { plainSafe } from './format.ts';
import { ALERT_ACTION_IDS, EKS_CLUSTER_NAME } from './ids.ts';
import { buildImageAlertMessage, isImageAlert } from './image-alert.ts';
import { BLOCK_KIT_LIMITS } from './limits.ts';
import { codeSpan, safeMrkdwn, sentenceMrkdwn, singleLine, truncate } from './mrkdwn.ts';

export { guardDutyGuide } from '../guardduty/guide.ts';
export type { Block, SlackMessage } from './blocks.ts';
export { validateBlockKitMessage } from './blocks.ts';

/** Responder guidance shown on an alert; the caller takes it from rule metadata or the GuardDuty guide. */
export type AlertGuide = RuleGuide;

export interface AlertOptions {
  /** A user-group or user mention (`<!subteam^S…>`, `<@U…>`), from routing. Anything else is ignored. */
  mention?: string;
  /** The guide of each rule of an incident several rules reported (rule metadata, GuardDuty guide). */
  ruleGuide?: RuleGuideLookup;
  /**
   * How the alert names the detection's account: `prod (222233334444)` for a configured member
   * account (accountLabel, core/config/accounts.ts). @default the account id
   */
  account?: string;
  /**
   * How to name any account (`prod (222233334444)`): the image alert names the account of each
   * cluster running the image. @default the account id
   */
  accountLabel?: (account: string) => string;
}

/** The buttons an alert can carry (core/slack-views/ids.ts holds every action id). */
export { ALERT_ACTION_IDS };

/** What a button's value carries: a reference to the finding, never event data. */
export interface AlertButtonValue {
  /** Finding fingerprint. */
  fp: string;
  /** Cluster name, when it is a valid EKS cluster name. */
  c?: string;
}

/** Readable cap for one identifier (pod, image, IP…) inside a field; Slack allows more. */
const VALUE_CAP = 300;
const GUIDE_CAP = 1400;
const FALLBACK_TEXT_CAP = 3000;
const MAX_EXTRA_EVIDENCE = 8;
const L = BLOCK_KIT_LIMITS;

/** An alert message for a finding: header, what/who/where, evidence, guidance, counts and buttons. */
export function buildAlertMessage(
  finding: Finding,
  guide: AlertGuide,
  options: AlertOptions = {},
): SlackMessage {
  // An Amazon Inspector image alert has a layout (and buttons) of its own.
  if (isImageAlert(finding.detection)) {
    return buildImageAlertMessage(finding, {
      ...(options.mention === undefined ? {} : { mention: options.mention }),
      ...(options.accountLabel === undefined ? {} : { accountLabel: options.accountLabel }),
    });
  }
  // The incident's severity and headline ("… and 2 more"); the rest is the most severe detection's.
  const detection = incidentHeadline(finding);
  const mention = safeMention(options.mention);
  const blocks: Block[] = [
    {
      type: 'header',
      block_id: 'alert_header',
      text: plainText(plainSafe(headerText(detection), L.headerText)),
    },
    {
      type: 'section',
      block_id: 'alert_summary',
      text: mrkdwn(summaryText(detection, mention)),
    },
  ];
  pushFields(blocks, 'alert_who', whoFields(detection));
  pushFields(blocks, 'alert_where', whereFields(detection, options.account));
  blocks.push({ type: 'section', block_id: 'alert_evidence', text: mrkdwn(evidenceText(detection)) });
  const incidentGuide = incidentGuideBlocks(finding, guide, options.ruleGuide);
  if (incidentGuide !== undefined) blocks.push(...incidentGuide);
  else blocks.push({ type: 'section', block_id: 'alert_guide', text: mrkdwn(guideText(guide)) });
  const status = statusText(finding);
  if (status !== undefined) blocks.push({ type: 'section', block_id: 'alert_status', text: mrkdwn(status) });
  blocks.push({ type: 'context', block_id: 'alert_context', elements: contextElements(finding) });
  blocks.push(actionsBlock(finding));
  return { text: fallbackText(detection, mention), blocks };
}

function headerText(detection: Detection): string {
  const sample = detection.sample === true ? '[sample] ' : '';
  return `${sample}${SEVERITY_MARKER[detection.severity]} ${singleLine(detection.title)}`;
}

/** The notification text (shown in push notifications and by clients without blocks), escaped. */
function fallbackText(detection: Detection, mention: string | undefined): string {
  const body = `${headerText(detection).replace(/\.$/, '')} — ${singleLine(detection.summary)}`;
  return withPrefix(mention, body, FALLBACK_TEXT_CAP);
}

/**
 * The summary with every value from the event in a one-line code span (its sentence parts), so that
 * attacker text cannot format, link, mention or start a paragraph. A finding stored before
 * summaries had parts is shown as untrusted text throughout.
 */
function summaryText(detection: Detection, mention: string | undefined): string {
  const parts = detection.summaryParts;
  if (parts === undefined || parts.length === 0) return withPrefix(mention, detection.summary, L.sectionText);
  const prefix = mention === undefined ? '' : `${mention} `;
  return prefix + sentenceMrkdwn(parts, L.sectionText - prefix.length);
}

// ---- fields ----

interface Field {
  label: string;
  value: string | undefined;
}

function whoFields(d: Detection): Field[] {
  return [
    // The Kubernetes username and the IAM identity behind it (`kubernetes-admin · assumed-role/…/jdoe`).
    { label: 'Actor', value: actorLabel(d) },
    { label: 'Source IP', value: listText(d.sourceIps, 5) },
    { label: 'User agent', value: d.userAgent },
  ];
}

/** Where it happened; the account whenever the source said which (`prod (222233334444) eu-west-1`). */
function whereFields(d: Detection, accountName: string | undefined): Field[] {
  return [
    { label: 'Cluster', value: d.cluster },
    { label: 'Namespace', value: d.namespace },
    { label: 'Workload', value: d.workload },
    { label: 'Pod', value: d.pod },
    { label: 'Node', value: d.node },
    {
      label: 'Account',
      value: d.account === undefined ? undefined : `${accountName ?? d.account} ${d.region ?? ''}`.trim(),
    },
  ];
}

/** The first `max` items (each clipped), and how many more there are: lists can be attacker-sized. */
function listText(items: readonly string[], max: number): string | undefined {
  if (items.length === 0) return undefined;
  const shown = items.slice(0, max).map((item) => truncate(item, VALUE_CAP));
  return items.length > max ? `${shown.join(', ')} (+${items.length - max} more)` : shown.join(', ');
}

function pushFields(blocks: Block[], blockId: string, fields: Field[]): void {
  const present = fields.filter((f) => f.value !== undefined).slice(0, L.sectionFields);
  if (present.length === 0) return;
  const section: SectionBlock = {
    type: 'section',
    block_id: blockId,
    fields: present.map((f) =>
      mrkdwn(`*${f.label}*\n${codeSpan(f.value ?? '', Math.min(VALUE_CAP, L.fieldText))}`),
    ),
  };
  blocks.push(section);
}

// ---- evidence ----

/** Evidence keys rendered on their own line; the rest of detection.evidence follows as key: value. */
const SHOWN_EVIDENCE = new Set(['guardDutyType', 'requestUri', 'verb', 'statusCode', 'commandLine']);
/** Readable labels for the evidence keys normalizers produce; other keys are shown as they are. */
const EVIDENCE_LABEL: Record<string, string> = {
  resource: 'Resource',
  subresource: 'Subresource',
  resourceName: 'Object',
  parameters: 'Parameters',
  sourceCountry: 'Source country',
  sourceOrganization: 'Source network',
  roleRef: 'Role granted',
  threatNames: 'Threat',
  threatList: 'Threat list',
  serviceAccount: 'Service account',
  hostNetwork: 'Host network',
  containers: 'Containers',
  privilegedContainers: 'Privileged containers',
  instanceId: 'Instance',
  executableSha256: 'SHA-256',
  parentProcess: 'Parent process',
  filePath: 'File',
  modifyingProcess: 'Written by',
  mountSource: 'Mount source',
  mountTarget: 'Mount target',
  fileSystemType: 'File system',
  scriptPath: 'Script',
  libraryPath: 'Library',
  moduleName: 'Kernel module',
  targetProcess: 'Target process',
  auditId: 'Audit ID',
  command: 'Command',
  stage: 'Stage',
  socketPath: 'Socket',
  releaseAgentPath: 'Release agent',
  runcBinaryPath: 'runc binary',
  toolName: 'Tool',
  responseCode: 'Response code',
  userGroups: 'Groups',
};
const MAX_LINK_LENGTH = 500;
const CONSOLE_URL = /^https:\/\/[a-z0-9-]+\.console\.aws\.amazon\.com\/[^\s<>|]*$/;

function evidenceText(d: Detection): string {
  const lines = ['*Evidence*', sourceLine(d)];
  const request = d.evidence.requestUri;
  if (request !== undefined) {
    const verb = d.evidence.verb === undefined ? '' : `${codeSpan(d.evidence.verb, 40)} `;
    const status = d.evidence.statusCode === undefined ? '' : ` → ${codeSpan(d.evidence.statusCode, 20)}`;
    lines.push(`• Request: ${verb}${codeSpan(request, VALUE_CAP)}${status}`);
  }
  if (d.container !== undefined) lines.push(`• Container: ${codeSpan(d.container, VALUE_CAP)}`);
  if (d.image !== undefined) lines.push(`• Image: ${codeSpan(d.image, VALUE_CAP)}`);
  const processLine = processText(d);
  if (processLine !== undefined) lines.push(`• Process: ${processLine}`);
  if (d.secretNames !== undefined && d.secretNames.length > 0) {
    lines.push(
      `• Secrets: ${d.secretNames
        .slice(0, 5)
        .map((name) => codeSpan(name, 200))
        .join(', ')}`,
    );
  }
  // The request line already says which object was acted on.
  const implied = request === undefined ? [] : ['resource', 'subresource', 'resourceName'];
  // A rule's own copy of the container or image is not shown twice.
  const alreadyShown: Record<string, string | undefined> = { container: d.container, image: d.image };
  const extra = Object.entries(d.evidence).filter(
    ([key, value]) => !SHOWN_EVIDENCE.has(key) && !implied.includes(key) && alreadyShown[key] !== value,
  );
  for (const [key, value] of extra.slice(0, MAX_EXTRA_EVIDENCE)) {
    lines.push(`• ${safeMrkdwn(EVIDENCE_LABEL[key] ?? key, 60)}: ${codeSpan(value, VALUE_CAP)}`);
  }
  return joinWithin(lines, L.sectionText);
}

/** Where the detection came from: the GuardDuty type linked to the console, or the catalog rule. */
function sourceLine(d: Detection): string {
  if (d.findingType === undefined) return `• Rule: ${codeSpan(d.ruleId, 100)}`;
  const type = safeMrkdwn(d.findingType, 200).replace(/\|/g, '¦');
  const url = d.consoleUrl;
  const linkable = url !== undefined && url.length <= MAX_LINK_LENGTH && CONSOLE_URL.test(url);
  const linked = linkable ? `<${url}|${type}>` : type;
  const rule = d.ruleId === d.findingType ? '' : ` (${codeSpan(d.ruleId, 40)})`;
  return `• GuardDuty: ${linked}${rule}`;
}

function processText(d: Detection): string | undefined {
  const p = d.process;
  if (p === undefined) return undefined;
  const what = p.commandLine ?? p.executablePath ?? p.name;
  if (what === undefined) return undefined;
  const who = [
    p.user === undefined ? '' : `user ${codeSpan(p.user, 60)}`,
    p.pid === undefined ? '' : `pid ${p.pid}`,
  ]
    .filter((part) => part !== '')
    .join(', ');
  return `${codeSpan(what, VALUE_CAP * 2)}${who === '' ? '' : ` (${who})`}`;
}

/** Joins the whole lines that fit, so a limit never cuts an escape sequence or a code span in half. */
function joinWithin(lines: string[], max: number): string {
  let result = '';
  for (const line of lines) {
    const next = result === '' ? line : `${result}\n${line}`;
    if (next.length <= max) result = next;
  }
  return result;
}

function guideText(guide: AlertGuide): string {
  return [
    `*Why it matters*\n${safeMrkdwn(guide.whyItMatters, GUIDE_CAP)}`,
    `*First response*\n${safeMrkdwn(guide.firstResponse, GUIDE_CAP)}`,
  ].join('\n');
}

// ---- status, counts ----

function contextElements(finding: Finding): MrkdwnText[] {
  const d = finding.detection;
  const elements = [seenText(finding)];
  const reference = [
    safeMrkdwn(d.ruleId, 200),
    d.mitre.length > 0 ? `MITRE ${safeMrkdwn(d.mitre.join(', '), 200)}` : '',
  ]
    .filter((part) => part !== '')
    .join(' · ');
  elements.push(mrkdwn(reference));
  return elements;
}

// ---- buttons ----

function buttonValue(finding: Finding): string {
  const value: AlertButtonValue = { fp: finding.fingerprint };
  const cluster = finding.detection.cluster;
  if (cluster !== undefined && EKS_CLUSTER_NAME.test(cluster)) value.c = cluster;
  return JSON.stringify(value);
}

function actionsBlock(finding: Finding): ActionsBlock {
  const d = finding.detection;
  const value = buttonValue(finding);
  const active = finding.status !== 'resolved';
  const elements: ButtonElement[] = [];
  // Once the pod is quarantined the alert offers Release (core/slack-views/outcome.ts), not Isolate.
  const last = finding.remediation?.outcome;
  const quarantined = last?.action === 'isolate-pod' && last.status === 'done';
  if (active && d.pod !== undefined && !quarantined) elements.push(isolateButton(d, value));
  if (active && d.secretNames !== undefined && d.secretNames.length > 0) {
    elements.push({
      type: 'button',
      action_id: ALERT_ACTION_IDS.rotateSecret,
      text: plainText('Rotate secret'),
      value,
    });
  }
  elements.push({
    type: 'button',
    action_id: ALERT_ACTION_IDS.runAudit,
    text: plainText('Run audit'),
    value,
  });
  if (finding.status === 'open') {
    elements.push({
      type: 'button',
      action_id: ALERT_ACTION_IDS.acknowledge,
      text: plainText('Acknowledge'),
      style: 'primary',
      value,
    });
  }
  if (finding.status === 'open' || finding.status === 'acknowledged') {
    elements.push({
      type: 'button',
      action_id: ALERT_ACTION_IDS.suppress,
      text: plainText('Suppress…'),
      value,
    });
  }
  return { type: 'actions', block_id: 'alert_actions', elements };
}

function isolateButton(d: Detection, value: string): ButtonElement {
  // plain_text is never parsed by Slack, so the pod name needs truncation here, not escaping.
  const target = singleLine(d.namespace === undefined ? (d.pod ?? '') : `${d.namespace}/${d.pod ?? ''}`);
  const where = d.cluster === undefined ? '' : ` on ${singleLine(d.cluster)}`;
  const question = `Isolate pod ${truncate(target, 150)}${truncate(where, 60)}?`;
  const plan = ' The next step shows the plan (policies and labels to change) before anything is applied.';
  return {
    type: 'button',
    action_id: ALERT_ACTION_IDS.isolatePod,
    text: plainText('Isolate pod'),
    style: 'danger',
    value,
    confirm: {
      title: plainText('Isolate this pod?'),
      text: plainText(plainSafe(question + plan, L.confirmText)),
      confirm: plainText('Show the plan'),
      deny: plainText('Cancel'),
      style: 'danger',
    },
  };
}
