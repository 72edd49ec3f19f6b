import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { KubeguardError } from '#core/errors.ts';
import { normalizeGuardDutyEvent } from '#core/guardduty/normalize.ts';
import { openFinding } from '#core/model/finding.ts';
import { runAudit } from '#core/posture/engine.ts';
import { historyEntryOf } from '#core/posture/history.ts';
import type { ActionOutcome, PlannedStep, RemediationPlan } from '#core/remediation/action.ts';
import { isolatePod } from '#core/remediation/isolate-pod.ts';
import { buildAlertMessage } from '#core/slack-views/alert.ts';
import { buildApprovalMessage } from '#core/slack-views/approval.ts';
import { buildAuditProgressMessage, buildAuditResultMessage } from '#core/slack-views/audit-progress.ts';
import { validateBlockKitMessage, validateBlockKitView } from '#core/slack-views/blocks.ts';
import {
  buildConfirmModal,
  buildPlanningErrorModal,
  buildPlanningModal,
} from '#core/slack-views/confirm-modal.ts';
import { denialMessage, errorReply } from '#core/slack-views/errors.ts';
import { buildHelpMessage } from '#core/slack-views/help.ts';
import { buildHomeView } from '#core/slack-views/home.ts';
import { buildOutcomeBlocks, buildOutcomeMessage, withOutcome } from '#core/slack-views/outcome.ts';
import { loadFixture } from '#test/support/fixtures.ts';
import { actionContext, dnsEgressPolicy } from '#test/support/remediation-cluster.ts';
import { corpusSnapshot } from '../posture/support.ts';
import { isolationPreflight, outsideCodeSpans, ready, shop } from './views-support.ts';

/**
 * Every bot view with maximal hostile input — names, reasons, selectors, messages made of channel
 * mentions, links, backticks, formatting characters, line breaks and tens of thousands of
 * characters — must pass Slack's Block Kit limits and never let the input mention, link, format or
 * close a code span early.
 */

const PIECES = [
  '<!channel>',
  '<!here>',
  '<https://evil.example|click>',
  '<@U0EVIL123>',
  '`',
  '```',
  '*RESOLVED*',
  '_',
  '~',
  '\n',
  '\n\n> ',
  '\u2028',
  '&',
  '|',
  '^',
  'é',
  '😀',
];
const hostile = fc.oneof(
  fc
    .array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 40 })), { maxLength: 40 })
    .map((p) => p.join('')),
  fc.string({ maxLength: 400 }),
  fc.integer({ min: 2_000, max: 20_000 }).map((n) =>
    PIECES.join('x')
      .repeat(Math.ceil(n / 60))
      .slice(0, n),
  ),
);
const nonEmpty = hostile.map((text) => (text === '' ? '<!channel>' : text));
const RUNS = { numRuns: 25 };

/** Every mrkdwn and plain_text string in a message or view. */
function textObjects(value: unknown): { type: string; text: string }[] {
  if (Array.isArray(value)) return value.flatMap(textObjects);
  if (typeof value !== 'object' || value === null) return [];
  const object = value as Record<string, unknown>;
  const own =
    (object.type === 'mrkdwn' || object.type === 'plain_text') && typeof object.text === 'string'
      ? [{ type: object.type, text: object.text }]
      : [];
  return [...own, ...Object.values(object).flatMap(textObjects)];
}

/** Tokens kubeguard itself writes: dates, mentions of validated ids, channel links. */
const OWN_TOKENS = /<!date\^-?\d+\^[^|>]+\|[^>]*>|<@[UW][A-Z0-9]+>|<#C[A-Z0-9]+>|<!subteam\^S[A-Z0-9]+>/g;

function expectSafe(value: unknown, fallback?: string): void {
  for (const { type, text } of textObjects(value)) {
    if (type === 'plain_text') {
      expect(text).not.toMatch(/[<>]/);
      continue;
    }
    // Code spans are kubeguard's: they open and close in pairs on one line.
    for (const line of text.split('\n')) expect((line.match(/`/g) ?? []).length % 2).toBe(0);
    const outside = outsideCodeSpans(text).replace(OWN_TOKENS, '');
    expect(outside).not.toMatch(/[<>]/);
    expect(outside).not.toContain('RESOLVED*');
  }
  if (fallback !== undefined) {
    expect(fallback.replace(OWN_TOKENS, '')).not.toMatch(/[<>]/);
  }
}

let plan: RemediationPlan;
let done: Extract<ActionOutcome, { status: 'done' }>;

beforeAll(async () => {
  const kube = shop((objects) => [...objects, dnsEgressPolicy()]);
  plan = ready(await isolationPreflight(kube));
  const outcome = await isolatePod.execute(plan, actionContext(kube));
  if (outcome.status !== 'done') throw new Error('expected the isolation to run');
  done = outcome;
});

function hostilePlan(text: string, steps: number): RemediationPlan {
  const writes: PlannedStep[] = Array.from({ length: steps }, (_, index) => {
    const name = `${text}-${index}`;
    if (index % 3 === 0) {
      return {
        op: 'create',
        object: { kind: 'NetworkPolicy', metadata: { name, namespace: text } },
        why: text,
      };
    }
    if (index % 3 === 1) {
      return { op: 'patch', kind: 'Pod', namespace: text, name, patchType: 'json', body: [], why: text };
    }
    return { op: 'delete', kind: 'NetworkPolicy', namespace: text, name, why: text };
  });
  return {
    ...plan,
    target: `Pod ${text}`,
    summary: text,
    evidence: { bundleId: text, captures: [text, text] },
    steps: writes,
    effects: Array.from({ length: 30 }, () => text),
    warnings: [text, text],
  };
}

describe('bot views with hostile input', () => {
  it('confirmation and planning modals', () => {
    fc.assert(
      fc.property(nonEmpty, fc.integer({ min: 0, max: 120 }), fc.boolean(), (text, steps, approval) => {
        const modal = buildConfirmModal({
          preflight: { status: 'ready', plan: hostilePlan(text, steps) },
          reference: { r: 'req-1', a: 'isolate-pod', c: 'prod' },
          cluster: text,
          ...(approval ? { approval: { role: text, withinMinutes: 15 } } : {}),
        });
        expect(validateBlockKitView(modal)).toEqual([]);
        expectSafe(modal);
        const refusal = buildConfirmModal({
          preflight: { status: 'skipped', target: `Pod ${text}`, reason: text, recommendation: text },
          reference: { r: 'req-1', a: 'isolate-pod' },
          cluster: text,
        });
        expect(validateBlockKitView(refusal)).toEqual([]);
        expectSafe(refusal);
        for (const view of [
          buildPlanningModal({ r: 'req-1', a: 'rotate-secret' }, `Secrets Manager secret ${text}`, text),
          buildPlanningErrorModal({ r: 'req-1', a: 'rotate-secret' }, new KubeguardError('NOT_FOUND', text)),
        ]) {
          expect(validateBlockKitView(view)).toEqual([]);
          expectSafe(view);
        }
      }),
      RUNS,
    );
  });

  it('outcome blocks, alone and on the alert', () => {
    const result = normalizeGuardDutyEvent(loadFixture('guardduty-eks-exec-in-kube-system-pod.json'));
    if (result.kind !== 'detection') throw new Error('fixture ignored');
    const alert = buildAlertMessage(openFinding(result.detection, '2024-05-01T09:58:00Z'), {
      whyItMatters: 'Exec gives a shell.',
      firstResponse: 'Ask who ran it.',
    });
    fc.assert(
      fc.property(nonEmpty, fc.integer({ min: 0, max: 60 }), (text, count) => {
        const allowance = {
          policy: text,
          direction: 'egress',
          rule: 0,
          peers: [text, text],
          ports: [text],
          matchingPods: Array.from({ length: count }, () => text),
          admitsIpAddresses: false,
        };
        const isolation = {
          pod: text,
          complete: false,
          summary: text,
          ingress: { direction: 'ingress', status: 'open', selectingPolicies: [], allowances: [] },
          egress: {
            direction: 'egress',
            status: 'partial',
            selectingPolicies: [text],
            allowances: Array.from({ length: count }, () => allowance),
          },
          notVerified: Array.from({ length: count }, () => text),
        };
        const outcomes: ActionOutcome[] = [
          {
            ...done,
            target: `Pod ${text}`,
            actor: text,
            verification: { complete: false, summary: `${text}; ${text}`, details: { isolation } },
          },
          {
            ...done,
            action: 'rotate-secret',
            verification: {
              complete: false,
              summary: text,
              details: {
                secret: { name: text, versionBefore: text, versionAfter: text, rotated: true },
                externalSecrets: Array.from({ length: count }, () => ({
                  object: text,
                  refreshed: false,
                  detail: text,
                })),
                workloads: Array.from({ length: count }, () => ({
                  object: text,
                  restarted: true,
                  rollout: 'failed',
                  detail: text,
                })),
                notRestartable: [{ object: text, reason: text }],
              },
            },
          },
          {
            status: 'failed',
            action: 'isolate-pod',
            target: text,
            plan: done.plan,
            applied: done.applied,
            error: { code: 'CONFLICT', message: text, details: {} },
            recovery: text,
            at: text,
            actor: text,
          },
          {
            status: 'skipped',
            action: 'release-pod',
            target: text,
            reason: text,
            recommendation: text,
            at: text,
            actor: text,
          },
        ];
        for (const outcome of outcomes) {
          const input = {
            outcome,
            cluster: text,
            reason: text,
            approvedBy: text,
            finding: { fingerprint: text },
          };
          const message = buildOutcomeMessage(input);
          expect(validateBlockKitMessage(message)).toEqual([]);
          expectSafe(message, message.text);
          const updated = withOutcome(alert, buildOutcomeBlocks(input));
          expect(validateBlockKitMessage(updated)).toEqual([]);
        }
      }),
      RUNS,
    );
  });

  it('approval requests and their resolved states', () => {
    fc.assert(
      fc.property(nonEmpty, (text) => {
        const request = {
          requestId: 'req-1',
          action: 'rotate-secret' as const,
          target: text,
          cluster: text,
          requestedBy: text,
          reason: text,
          requestedAt: text,
          expiresAt: text,
          approverRole: text,
        };
        for (const state of [
          { status: 'pending' as const },
          { status: 'approved' as const, by: text, at: text },
          { status: 'denied' as const, by: text, at: text, reason: text },
          { status: 'expired' as const, at: text },
        ]) {
          const message = buildApprovalMessage(request, state);
          expect(validateBlockKitMessage(message)).toEqual([]);
          expectSafe(message, message.text);
        }
      }),
      RUNS,
    );
  });

  it('App Home', () => {
    const entry = historyEntryOf(runAudit(corpusSnapshot('m08.yaml')));
    fc.assert(
      fc.property(nonEmpty, fc.integer({ min: 0, max: 120 }), (text, count) => {
        const view = buildHomeView({
          userId: text,
          updatedAt: text,
          clusters: Array.from({ length: count }, (_, i) => ({
            name: `${text}${i}`,
            audits: [{ ...entry, takenAt: text }],
            openFindings: { critical: Number.NaN, high: -1, medium: 1e12, low: 3 },
          })),
          digests: Array.from({ length: count }, () => ({
            name: text,
            schedule: text,
            clusters: [text],
            channel: text,
          })),
        });
        expect(validateBlockKitView(view)).toEqual([]);
        expectSafe(view);
      }),
      RUNS,
    );
  });

  it('error replies and denials', () => {
    fc.assert(
      fc.property(nonEmpty, (text) => {
        for (const message of [
          errorReply(new KubeguardError('INVALID_ARGUMENT', text), { requestId: text }),
          errorReply(new Error(text)),
          denialMessage({
            what: text,
            needed: text,
            cluster: text,
            held: text,
            heldOn: [text, text],
            admins: { users: [text], userGroups: [text] },
            contact: text,
          }),
        ]) {
          expect(validateBlockKitMessage(message)).toEqual([]);
          expectSafe(message, message.text);
        }
      }),
      RUNS,
    );
  });

  it('audit progress and the result', () => {
    const report = runAudit(corpusSnapshot('m08.yaml'));
    fc.assert(
      fc.property(nonEmpty, (text) => {
        const collectors = [
          { collector: 'eks' as const, status: 'failed' as const, detail: text },
          { collector: 'guardduty' as const, status: 'skipped' as const, detail: text },
          { collector: 'secretsmanager' as const, status: 'done' as const, detail: text },
          { collector: 'cluster' as const, status: 'running' as const, detail: text },
        ];
        const progress = buildAuditProgressMessage({
          cluster: text,
          namespace: text,
          requestedBy: text,
          startedAt: text,
          collectors,
          failure: new KubeguardError('UPSTREAM', text),
          requestId: text,
        });
        expect(validateBlockKitMessage(progress)).toEqual([]);
        expectSafe(progress, progress.text);
        const result = buildAuditResultMessage(report, collectors);
        expect(validateBlockKitMessage(result)).toEqual([]);
        expectSafe(result);
      }),
      RUNS,
    );
  });

  it('/k8s help', () => {
    fc.assert(
      fc.property(nonEmpty, fc.integer({ min: 0, max: 60 }), (text, count) => {
        const commands = Array.from({ length: count }, (_, i) => ({
          name: `${text}${i}`,
          usage: text,
          summary: text,
          role: text,
          // kubeguard's own mrkdwn (the registry): formatting kept, but it still cannot mention.
          details: 'Example: `/k8s help suppress`. <!channel>',
        }));
        for (const message of [
          buildHelpMessage(commands),
          buildHelpMessage(commands, { topic: text }),
          buildHelpMessage(commands, { topic: `${text}0` }),
        ]) {
          expect(validateBlockKitMessage(message)).toEqual([]);
          expectSafe(message, message.text);
        }
      }),
      RUNS,
    );
  });
});
