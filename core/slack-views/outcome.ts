import { describeRef } from '../model/kube-object.ts';
import type { ActionOutcome, Verification } from '../remediation/action.ts';
import { isolationStateOf } from '../remediation/isolate-state.ts';
import * as z from '../zod.ts';
import { ACTION_WORDS, objectText } from './actions.ts';
import { type ActionsBlock, type Block, mrkdwn, plainText, type SlackMessage } from './blocks.ts';
import { describeError } from './errors.ts';
import { linesWithin, personText, slackDate } from './format.ts';
import {
  EKS_CLUSTER_NAME,
  encodeReleaseValue,
  isFingerprint,
  OUTCOME_ACTION_IDS,
  type ReleaseButtonValue,
} from './ids.ts';
import { BLOCK_KIT_LIMITS } from './limits.ts';
import { codeSpan, untrustedText } from './mrkdwn.ts';

/**
 * What an executed action left, as the alert shows it afterwards: the verified outcome
 * ("isolation complete", "partial: …", "not verified: …"; a rotation's new version, refreshed
 * ExternalSecrets and each restarted workload's rollout), who ran it, who approved it and when, and
 * a Release button after an isolation.
 *
 * The verdicts are rendered from the structured reports in `verification.details` (validated, since
 * an outcome may come back from the store), never by re-reading the summary sentence: every policy
 * name, peer selector, port and pod — cluster-supplied; AdminNetworkPolicy selector keys are not even
 * validated by their CRD — is its own code span. Text kubeguard cannot take apart (an older
 * outcome's summary, a failure's recovery) is shown as untrusted text.
 */

export interface OutcomeInput {
  outcome: ActionOutcome;
  /** The alert's finding: the Release button refers to it as the alert's buttons do. */
  finding?: { fingerprint: string };
  /** The cluster the action ran on. */
  cluster?: string;
  /** The second person who approved it, when approval was required. */
  approvedBy?: string;
  /** The reason given in the confirmation modal. */
  reason?: string;
}

/** Block ids of the outcome; `withOutcome` replaces blocks with these ids. */
export const OUTCOME_BLOCK_IDS = {
  result: 'outcome_result',
  meta: 'outcome_meta',
  actions: 'outcome_actions',
} as const;

const L = BLOCK_KIT_LIMITS;
const VALUE_CAP = 200;
const TEXT_CAP = 1200;

/** The outcome's blocks: the verdict, who and when, and the Release button when it applies. */
export function buildOutcomeBlocks(input: OutcomeInput): Block[] {
  const blocks: Block[] = [
    { type: 'section', block_id: OUTCOME_BLOCK_IDS.result, text: mrkdwn(resultText(input)) },
    { type: 'context', block_id: OUTCOME_BLOCK_IDS.meta, elements: [mrkdwn(metaText(input))] },
  ];
  const release = releaseButton(input);
  if (release !== undefined) blocks.push(release);
  return blocks;
}

/** A message of its own (the answer to `/k8s isolate`, a thread reply). */
export function buildOutcomeMessage(input: OutcomeInput): SlackMessage {
  return { text: fallbackText(input), blocks: buildOutcomeBlocks(input) };
}

/**
 * The alert with the outcome in place of any earlier one, just before the alert's own buttons,
 * for chat.update. The alert's notification text stays.
 */
export function withOutcome(alert: SlackMessage, outcome: readonly Block[]): SlackMessage {
  const ids = new Set<string>(Object.values(OUTCOME_BLOCK_IDS));
  const kept = alert.blocks.filter((block) => block.block_id === undefined || !ids.has(block.block_id));
  const at = kept.findIndex((block) => block.block_id === 'alert_actions');
  const index = at === -1 ? kept.length : at;
  const blocks = [...kept.slice(0, index), ...outcome, ...kept.slice(index)];
  // Alerts stay well under 50 blocks; should one not, its guidance goes before the outcome does.
  while (blocks.length > L.blocksPerMessage) {
    const drop = blocks.findIndex((block) => block.block_id?.startsWith('alert_rule_'));
    blocks.splice(drop === -1 ? 0 : drop, 1);
  }
  return { text: alert.text, blocks };
}

// ---- the verdict ----

function resultText(input: OutcomeInput): string {
  const { outcome } = input;
  const words = ACTION_WORDS[outcome.action];
  const where = input.cluster === undefined ? '' : ` on ${codeSpan(input.cluster, 120)}`;
  const target = `${objectText(outcome.target)}${where}`;
  switch (outcome.status) {
    case 'done': {
      const mark = outcome.verification.complete ? '✅' : '⚠️';
      const lines = [
        `${mark} *${words.title}* ${target}`,
        ...verdictLines(outcome.action, outcome.verification),
      ];
      return linesWithin(lines, L.sectionText);
    }
    case 'failed': {
      const lines = [
        `❌ *${words.title} failed* ${target}`,
        describeError(outcome.error),
        `*What is left, and how to finish:* ${untrustedText(outcome.recovery, TEXT_CAP)}`,
      ];
      if (outcome.applied.length > 0) {
        lines.push(`*Applied before the failure* (${outcome.applied.length}):`);
        for (const applied of outcome.applied) {
          const step = applied.step;
          const described = step.op === 'create' ? describeCreated(step.object) : describeRef(step);
          lines.push(`• ${step.op} ${objectText(described)}`);
        }
      }
      return linesWithin(lines, L.sectionText);
    }
    case 'skipped': {
      const lines = [`➖ *${words.title}: nothing done* ${target}`, untrustedText(outcome.reason, TEXT_CAP)];
      if (outcome.recommendation !== undefined) {
        lines.push(`*Instead:* ${untrustedText(outcome.recommendation, TEXT_CAP)}`);
      }
      return linesWithin(lines, L.sectionText);
    }
  }
}

function verdictLines(action: ActionOutcome['action'], verification: Verification): string[] {
  if (action === 'isolate-pod') {
    const report = isolationSchema.safeParse(verification.details?.isolation);
    if (report.success) return isolationLines(report.data, verification);
  }
  if (action === 'rotate-secret') {
    const report = rotationSchema.safeParse(verification.details);
    if (report.success) return rotationLines(report.data);
  }
  return [untrustedText(verification.summary, TEXT_CAP)];
}

// ---- isolation (core/netpol/isolation.ts IsolationReport) ----

const directionEnum = z.enum(['ingress', 'egress']);
const allowanceSchema = z.object({
  policy: z.string(),
  direction: directionEnum,
  peers: z.array(z.string()),
  ports: z.array(z.string()),
  matchingPods: z.array(z.string()),
  admitsIpAddresses: z.boolean(),
});
const directionSchema = z.object({
  direction: directionEnum,
  status: z.enum(['open', 'partial', 'isolated']),
  allowances: z.array(allowanceSchema),
});
const isolationSchema = z.object({
  pod: z.string(),
  complete: z.boolean(),
  summary: z.string(),
  ingress: directionSchema,
  egress: directionSchema,
  notVerified: z.array(z.string()),
});
type Isolation = z.infer<typeof isolationSchema>;
type Allowance = z.infer<typeof allowanceSchema>;

const PODS_NAMED = 3;

function isolationLines(report: Isolation, verification: Verification): string[] {
  const lines: string[] = [];
  const open = [report.ingress, report.egress].flatMap((direction) => {
    const missing =
      direction.status === 'open'
        ? [
            `• ${direction.direction} not isolated: no NetworkPolicy selects ${codeSpan(report.pod, VALUE_CAP)} for ${direction.direction}`,
          ]
        : [];
    return [...missing, ...direction.allowances.map(allowanceLine)];
  });
  if (report.complete) {
    lines.push(
      verification.complete
        ? '*Isolation complete:* no rule lets traffic in or out of the pod.'
        : '*Isolation not complete:* the policies isolate the pod, but see below.',
    );
  }
  if (report.notVerified.length > 0) {
    lines.push('*Not verified:* these policies may apply to the pod but could not be evaluated:');
    lines.push(...report.notVerified.map((entry) => `• ${codeSpan(entry, VALUE_CAP * 2)}`));
  }
  if (open.length > 0) {
    lines.push('*Partial:* these rules still let traffic through:', ...open);
  }
  const gaps = gapsOf(report, verification);
  if (gaps !== '') lines.push(`*Also:* ${untrustedText(gaps, TEXT_CAP)}`);
  return lines;
}

/** `shop/allow-dns` still allows egress to `all pods in namespaces …` (today: `kube-system/coredns-…`) on `UDP/53`. */
function allowanceLine(allowance: Allowance): string {
  const preposition = allowance.direction === 'ingress' ? 'from' : 'to';
  const peers = allowance.peers.slice(0, 5).map((peer) => codeSpan(peer, VALUE_CAP));
  const morePeers = allowance.peers.length > 5 ? ` or ${allowance.peers.length - 5} more` : '';
  const ports = allowance.ports.slice(0, 8).map((port) => codeSpan(port, 60));
  const pods = allowance.matchingPods;
  const today =
    pods.length === 0
      ? allowance.admitsIpAddresses
        ? ''
        : ' (no known pod matches today)'
      : ` (today: ${pods
          .slice(0, PODS_NAMED)
          .map((pod) => codeSpan(pod, VALUE_CAP))
          .join(', ')}${pods.length > PODS_NAMED ? ` and ${pods.length - PODS_NAMED} more` : ''})`;
  return `• ${codeSpan(allowance.policy, VALUE_CAP)} still allows ${allowance.direction} ${preposition} ${peers.join(' or ')}${morePeers}${today} on ${ports.join(', ')}`;
}

/** What verification found beyond the policies (core/remediation/isolate-verify.ts appends it). */
function gapsOf(report: Isolation, verification: Verification): string {
  const prefix = `${report.summary}; `;
  return verification.summary.startsWith(prefix) ? verification.summary.slice(prefix.length) : '';
}

// ---- rotation (core/remediation/rotate-secret-verify.ts RotationReport) ----

const rotationSchema = z.object({
  secret: z.object({
    name: z.string(),
    versionBefore: z.optional(z.string()),
    versionAfter: z.optional(z.string()),
    rotated: z.boolean(),
  }),
  externalSecrets: z.array(z.object({ object: z.string(), refreshed: z.boolean(), detail: z.string() })),
  workloads: z.array(
    z.object({
      object: z.string(),
      restarted: z.boolean(),
      rollout: z.optional(z.enum(['done', 'rolling', 'failed'])),
      detail: z.string(),
    }),
  ),
  notRestartable: z.array(z.object({ object: z.string(), reason: z.string() })),
});
type Rotation = z.infer<typeof rotationSchema>;

function rotationLines(report: Rotation): string[] {
  const { secret } = report;
  const version = (id: string | undefined) => (id === undefined ? '(none)' : codeSpan(id, 100));
  const lines = [
    secret.rotated
      ? `*New version:* ${version(secret.versionAfter)} is current (was ${version(secret.versionBefore)})`
      : `*Not rotated:* the current version is still ${version(secret.versionAfter)}`,
  ];
  const refreshed = report.externalSecrets.filter((es) => es.refreshed).length;
  if (report.externalSecrets.length > 0) {
    lines.push(`*ExternalSecrets refreshed:* ${refreshed} of ${report.externalSecrets.length}`);
    for (const es of report.externalSecrets.filter((item) => !item.refreshed)) {
      lines.push(`• ${objectText(es.object)}: ${untrustedText(es.detail, 300)}`);
    }
  }
  const restarted = report.workloads.filter((w) => w.restarted);
  const count = (rollout: string) => restarted.filter((w) => w.rollout === rollout).length;
  if (report.workloads.length > 0) {
    const rollouts = [
      `${count('done')} rolled out`,
      ...(count('rolling') > 0 ? [`${count('rolling')} still rolling`] : []),
      ...(count('failed') > 0 ? [`${count('failed')} failed`] : []),
    ].join(', ');
    lines.push(`*Consumers restarted:* ${restarted.length} of ${report.workloads.length} (${rollouts})`);
    for (const workload of report.workloads) {
      lines.push(`• ${objectText(workload.object)}: ${untrustedText(workload.detail, 300)}`);
    }
  } else {
    lines.push('*Consumers restarted:* none use the secret in the cluster');
  }
  for (const item of report.notRestartable) {
    lines.push(`• ${objectText(item.object)} keeps the old value: ${untrustedText(item.reason, 300)}`);
  }
  return lines;
}

// ---- who, when, release ----

function metaText(input: OutcomeInput): string {
  const { outcome } = input;
  const parts = [`Run by ${personText(outcome.actor)} ${slackDate(outcome.at)}`];
  if (input.approvedBy !== undefined) parts.push(`approved by ${personText(input.approvedBy)}`);
  if (input.reason !== undefined && input.reason.trim() !== '') {
    parts.push(`reason: ${untrustedText(input.reason, 500)}`);
  }
  const evidence = outcome.status === 'skipped' ? undefined : outcome.evidence;
  if (evidence !== undefined) parts.push(`forensic bundle ${codeSpan(evidence.bundleId, 300)}`);
  return parts.join(' · ');
}

/** Release after an isolation that changed something (also a failed one: release undoes what was applied). */
function releaseButton(input: OutcomeInput): ActionsBlock | undefined {
  const { outcome } = input;
  if (outcome.action !== 'isolate-pod' || outcome.status === 'skipped') return undefined;
  if (outcome.status === 'failed' && outcome.applied.length === 0) return undefined;
  if (outcome.plan === undefined) return undefined;
  let state: ReturnType<typeof isolationStateOf>;
  try {
    state = isolationStateOf(outcome.plan);
  } catch {
    return undefined;
  }
  const value: ReleaseButtonValue = { ns: state.namespace, p: state.pod, q: state.quarantineId };
  if (input.finding !== undefined && isFingerprint(input.finding.fingerprint)) {
    value.fp = input.finding.fingerprint;
  }
  if (input.cluster !== undefined && EKS_CLUSTER_NAME.test(input.cluster)) value.c = input.cluster;
  return {
    type: 'actions',
    block_id: OUTCOME_BLOCK_IDS.actions,
    elements: [
      {
        type: 'button',
        action_id: OUTCOME_ACTION_IDS.releasePod,
        text: plainText('Release pod'),
        value: encodeReleaseValue(value),
      },
    ],
  };
}

function fallbackText(input: OutcomeInput): string {
  const { outcome } = input;
  const words = ACTION_WORDS[outcome.action];
  const verdict =
    outcome.status === 'done'
      ? outcome.verification.summary
      : outcome.status === 'failed'
        ? `failed (${outcome.error.code})`
        : `nothing done: ${outcome.reason}`;
  return untrustedText(`${words.title} ${outcome.target}: ${verdict}`, 1000);
}

function describeCreated(object: { kind?: string; metadata: { name: string; namespace?: string } }): string {
  return describeRef({
    kind: object.kind ?? 'object',
    name: object.metadata.name,
    ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}),
  });
}
