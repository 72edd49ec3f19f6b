import type {
  GeneratedPolicies,
  PolicyEngine,
  PolicyMode,
  WorkloadToChange,
} from '../policy-as-code/generate.ts';
import { parseAuditReportRef } from './audit-report.ts';
import {
  type Block,
  type InputBlock,
  type ModalView,
  mrkdwn,
  type OptionObject,
  plainText,
  type SectionBlock,
  type SlackMessage,
} from './blocks.ts';
import { personText, slackDate } from './format.ts';
import { EKS_CLUSTER_NAME } from './ids.ts';
import { BLOCK_KIT_LIMITS } from './limits.ts';
import { codeSpan, escapeMrkdwn, untrustedText } from './mrkdwn.ts';

/**
 * "Generate policies" on an audit summary (docs/slack-bot.md): the form it opens (engine and mode,
 * defaulting to ValidatingAdmissionPolicy and warn) and the reply the worker posts in the summary's
 * thread — how many policies, each check with its references and the namespaces its binding covers,
 * the workloads that must change first, what could not be generated and why, and the link to the
 * stored YAML.
 *
 * The button's value and the form's private_metadata carry the report's reference and where to
 * answer, never report data. Namespaces, workload names and messages come from the cluster: every
 * name is a one-line code span, every message one line of untrusted text, lists are bounded with a
 * count of what was left out (the file holds everything).
 */

/** What the Generate policies button's value holds (JSON `{r}`): the report reference. */
export interface PolicyButtonValue {
  ref: string;
}

/** The form's private_metadata (JSON): the report, and the summary message it answers in the thread of. */
export interface PolicyFormReference {
  /** Report reference (`<cluster>/<takenAt>`, auditReportRef). */
  r: string;
  /** Channel of the summary message. */
  ch?: string;
  /** The thread to answer in: the summary's own ts, or its thread's when the summary is a reply. */
  ts?: string;
}

export const POLICY_FORM = {
  callbackId: 'audit_policies',
  engine: { blockId: 'policies_engine', actionId: 'engine' },
  mode: { blockId: 'policies_mode', actionId: 'mode' },
} as const;

export const POLICY_ENGINES: readonly PolicyEngine[] = ['vap', 'kyverno'];
export const POLICY_MODES: readonly PolicyMode[] = ['warn', 'deny'];

const ENGINE_LABEL: Record<PolicyEngine, string> = {
  vap: 'ValidatingAdmissionPolicy',
  kyverno: 'Kyverno ClusterPolicy',
};
const ENGINE_PLURAL: Record<PolicyEngine, [string, string]> = {
  vap: ['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicies'],
  kyverno: ['Kyverno ClusterPolicy', 'Kyverno ClusterPolicies'],
};
const MODE_LABEL: Record<PolicyMode, string> = {
  warn: 'warn: admitted with a warning (VAP Warn + Audit, Kyverno Audit)',
  deny: 'deny: refused (VAP Deny, Kyverno Enforce)',
};

const L = BLOCK_KIT_LIMITS;
const MAX_REF = 300;
const CHANNEL = /^[CGD][A-Z0-9]{2,30}$/;
const MESSAGE_TS = /^\d{1,12}\.\d{1,8}$/;

function validRef(ref: unknown): ref is string {
  if (typeof ref !== 'string' || ref === '' || ref.length > MAX_REF) return false;
  const where = parseAuditReportRef(ref);
  return where !== undefined && EKS_CLUSTER_NAME.test(where.cluster);
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export function policyButtonValue(ref: string): string {
  return JSON.stringify({ r: ref });
}

/** The report the button names; undefined when the value is not one kubeguard wrote. */
export function parsePolicyButtonValue(value: string): PolicyButtonValue | undefined {
  const r = parseJson(value)?.r;
  return validRef(r) ? { ref: r } : undefined;
}

/** The form's reference, or undefined when private_metadata is not one kubeguard wrote. */
export function parsePolicyForm(privateMetadata: string): PolicyFormReference | undefined {
  const value = parseJson(privateMetadata);
  if (value === undefined || !validRef(value.r)) return undefined;
  const { ch, ts } = value;
  // The channel alone still says where to answer the person when the thread is unknown.
  const channel = typeof ch === 'string' && CHANNEL.test(ch);
  const thread = channel && typeof ts === 'string' && MESSAGE_TS.test(ts);
  return {
    r: value.r,
    ...(channel ? { ch: ch as string } : {}),
    ...(thread ? { ts: ts as string } : {}),
  };
}

function option(value: string, text: string): OptionObject {
  return { text: plainText(text), value };
}

const ENGINE_OPTIONS = POLICY_ENGINES.map((engine) => option(engine, ENGINE_LABEL[engine]));
const MODE_OPTIONS: OptionObject[] = [option('warn', 'Warn (recommended first)'), option('deny', 'Deny')];

/** The form the button opens: engine and mode, defaulting to the safer ValidatingAdmissionPolicy + warn. */
export function buildPolicyForm(reference: PolicyFormReference): ModalView {
  const where = parseAuditReportRef(reference.r);
  const what =
    where === undefined
      ? 'the audit'
      : `the audit of ${codeSpan(where.cluster, 102)} taken ${slackDate(where.takenAt)}`;
  const engine: InputBlock = {
    type: 'input',
    block_id: POLICY_FORM.engine.blockId,
    label: plainText('Policy engine'),
    hint: plainText('ValidatingAdmissionPolicy is built into Kubernetes 1.30+; Kyverno must be installed.'),
    element: {
      type: 'radio_buttons',
      action_id: POLICY_FORM.engine.actionId,
      options: ENGINE_OPTIONS,
      initial_option: ENGINE_OPTIONS[0] as OptionObject,
    },
  };
  const mode: InputBlock = {
    type: 'input',
    block_id: POLICY_FORM.mode.blockId,
    label: plainText('Mode'),
    hint: plainText(
      'Warn admits everything and says what would be refused: apply it first, then switch to deny.',
    ),
    element: {
      type: 'radio_buttons',
      action_id: POLICY_FORM.mode.actionId,
      options: MODE_OPTIONS,
      initial_option: MODE_OPTIONS[0] as OptionObject,
    },
  };
  return {
    type: 'modal',
    callback_id: POLICY_FORM.callbackId,
    title: plainText('Generate policies'),
    submit: plainText('Generate'),
    close: plainText('Cancel'),
    private_metadata: JSON.stringify(reference),
    blocks: [
      {
        type: 'section',
        block_id: 'policies_what',
        text: mrkdwn(
          `Admission policies from the failed Pod Security and image checks of ${what}. Each binds only the namespaces where its check passed, so applying it breaks nothing running today; the reply in the summary's thread lists the workloads that must change first and links the YAML file.`,
        ),
      },
      engine,
      mode,
    ],
  };
}

/** view.state.values as a form submission carries them: radio buttons answer `selected_option`. */
export type PolicyFormValues = Readonly<
  Record<string, Readonly<Record<string, { selected_option?: { value?: string } | null }>>>
>;

/** The engine and mode chosen; undefined fields were not chosen (or not one of the options). */
export function readPolicyChoice(values: PolicyFormValues): { engine?: PolicyEngine; mode?: PolicyMode } {
  const chosen = (field: { blockId: string; actionId: string }) =>
    values[field.blockId]?.[field.actionId]?.selected_option?.value ?? '';
  const engine = POLICY_ENGINES.find((candidate) => candidate === chosen(POLICY_FORM.engine));
  const mode = POLICY_MODES.find((candidate) => candidate === chosen(POLICY_FORM.mode));
  return { ...(engine === undefined ? {} : { engine }), ...(mode === undefined ? {} : { mode }) };
}

// ---- the reply ----

export interface PolicyResult {
  /** Report reference (`<cluster>/<takenAt>`). */
  ref: string;
  engine: PolicyEngine;
  mode: PolicyMode;
  generated: Pick<GeneratedPolicies, 'policies' | 'mustChange' | 'notGenerated'>;
  /** Where the YAML file is: an https URL (S3 console) is linked, a local path shown as code. */
  file: string;
  /** Slack user id of who asked. */
  requestedBy: string;
}

/** Policy lines shown; the rest are counted (the file holds them all). */
const POLICY_LINES = 30;
/** References shown per policy (CIS, PSS): the file carries them all. */
const REFERENCES = 4;
/** Namespaces named per policy; the rest are counted. */
const NAMESPACES_PER_POLICY = 8;
/** Workloads that must change, shown. */
const WORKLOAD_LINES = 15;
/** Checks that could not be generated, shown. */
const NOT_GENERATED_LINES = 10;
/** Lines per section: short sections read better and keep well within the section limit. */
const LINES_PER_SECTION = 10;
const LINKABLE = /^https:\/\/[^\s<>|]+$/;

/** The reply posted in the summary's thread once the policies are generated and stored. */
export function buildPolicyResultMessage(result: PolicyResult): SlackMessage {
  const { policies, mustChange, notGenerated } = result.generated;
  const where = parseAuditReportRef(result.ref);
  const cluster = where?.cluster ?? result.ref;
  const [one, many] = ENGINE_PLURAL[result.engine];
  const kind = policies.length === 1 ? one : many;
  const blocks: Block[] = [
    section(
      'policies_summary',
      `*${count(policies.length)} ${kind}* (${result.mode}) generated from the audit of ${codeSpan(cluster, 102)}${
        where === undefined ? '' : ` taken ${slackDate(where.takenAt)}`
      }, for ${personText(result.requestedBy)}\n${untrustedText(MODE_LABEL[result.mode], 200)}`,
    ),
  ];
  if (policies.length > 0) {
    const lines = policies.slice(0, POLICY_LINES).map(policyLine);
    blocks.push(...sections('policies_list', lines));
    if (policies.length > POLICY_LINES) {
      blocks.push(
        context('policies_more', `…and ${count(policies.length - POLICY_LINES)} more policies in the file`),
      );
    }
  }
  if (mustChange.length > 0) {
    const heading = `*Workloads that must change first (${count(mustChange.length)})*: each fails a check a policy was generated for, so its namespace is left out of that policy's binding until it is fixed.`;
    const shown = mustChange.slice(0, WORKLOAD_LINES).map(workloadLine);
    const more =
      mustChange.length > WORKLOAD_LINES ? [`…and ${count(mustChange.length - WORKLOAD_LINES)} more`] : [];
    blocks.push(...sections('policies_must_change', [heading, ...shown, ...more]));
  }
  if (notGenerated.length > 0) {
    const heading = `*Not generated (${count(notGenerated.length)})*`;
    const shown = notGenerated
      .slice(0, NOT_GENERATED_LINES)
      .map((entry) => `• ${escapeMrkdwn(entry.checkId)}: ${untrustedText(entry.reason, 300)}`);
    const more =
      notGenerated.length > NOT_GENERATED_LINES
        ? [`…and ${count(notGenerated.length - NOT_GENERATED_LINES)} more`]
        : [];
    blocks.push(...sections('policies_not_generated', [heading, ...shown, ...more]));
  }
  blocks.push(context('policies_file', fileText(result.file, result.engine, result.mode)));
  return {
    text: untrustedText(
      `${count(policies.length)} ${kind} (${result.mode}) generated from the audit of ${cluster}; ${count(mustChange.length)} workloads must change first`,
      1000,
    ),
    blocks: blocks.slice(0, L.blocksPerMessage),
  };
}

/** `• KP-060 CIS 4.2.1 · PSS baseline: … → binds \`a\`, \`b\` (+3 more)`. */
function policyLine(policy: GeneratedPolicies['policies'][number]): string {
  const references =
    policy.references.length === 0
      ? ''
      : ` (${policy.references
          .slice(0, REFERENCES)
          .map((reference) => untrustedText(reference, 80))
          .join(' · ')})`;
  const name = codeSpan(policy.name, 80);
  const shown = policy.namespaces.slice(0, NAMESPACES_PER_POLICY).map((namespace) => codeSpan(namespace, 65));
  const more =
    policy.namespaces.length > NAMESPACES_PER_POLICY
      ? ` and ${count(policy.namespaces.length - NAMESPACES_PER_POLICY)} more`
      : '';
  const binds =
    policy.namespaces.length === 0
      ? 'binds no namespace yet: none passes the check'
      : `binds ${count(policy.namespaces.length)} ${policy.namespaces.length === 1 ? 'namespace' : 'namespaces'}: ${shown.join(', ')}${more}`;
  return `• *${escapeMrkdwn(policy.checkId)}*${references} ${name} · ${binds}`;
}

function workloadLine(workload: WorkloadToChange): string {
  const { kind, namespace, name } = workload.object;
  const where = namespace === undefined ? name : `${namespace}/${name}`;
  return `• ${escapeMrkdwn(workload.checkId)} ${untrustedText(kind, 60)} ${codeSpan(where, 200)}: ${untrustedText(workload.message, 200)}`;
}

function fileText(file: string, engine: PolicyEngine, mode: PolicyMode): string {
  const label = `policies-${engine}-${mode}.yaml`;
  const where =
    LINKABLE.test(file) && file.length <= 900 ? `<${file}|${label}>` : `${label} ${codeSpan(file, 600)}`;
  return `YAML: ${where} · review it, then apply it with \`kubectl apply -f\``;
}

function section(blockId: string, text: string): SectionBlock {
  return { type: 'section', block_id: blockId, text: mrkdwn(text) };
}

function context(blockId: string, text: string): Block {
  return { type: 'context', block_id: blockId, elements: [mrkdwn(text)] };
}

/**
 * Lines packed into sections of at most LINES_PER_SECTION lines and the section limit; each line is
 * bounded by construction (capped values, at most REFERENCES references and NAMESPACES_PER_POLICY
 * names), far below the limit, so no line is ever cut.
 */
function sections(blockId: string, lines: readonly string[]): SectionBlock[] {
  const chunks: string[][] = [];
  let current: string[] = [];
  let length = 0;
  for (const line of lines) {
    if (
      current.length === LINES_PER_SECTION ||
      (current.length > 0 && length + 1 + line.length > L.sectionText)
    ) {
      chunks.push(current);
      current = [];
      length = 0;
    }
    current.push(line);
    length += (current.length > 1 ? 1 : 0) + line.length;
  }
  if (current.length > 0) chunks.push(current);
  return chunks.map((chunk, index) =>
    section(index === 0 ? blockId : `${blockId}_${index + 1}`, chunk.join('\n')),
  );
}

function count(value: number): string {
  return value.toLocaleString('en-US');
}
