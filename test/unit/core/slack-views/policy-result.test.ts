import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalReportExportStore } from '#adapters/evidence/report-exports.ts';
import { createLocalAuditReportReader } from '#adapters/evidence/report-reader.ts';
import type { GeneratedPolicies } from '#core/policy-as-code/generate.ts';
import { runAudit } from '#core/posture/engine.ts';
import type { AuditReport } from '#core/posture/report.ts';
import { renderReportExports, reportExportId } from '#core/posture/report-exports.ts';
import {
  AUDIT_ACTION_IDS,
  auditReportRef,
  buildAuditSummaryMessage,
} from '#core/slack-views/audit-report.ts';
import {
  type ActionsBlock,
  type Block,
  validateBlockKitMessage,
  validateBlockKitView,
} from '#core/slack-views/blocks.ts';
import {
  buildPolicyForm,
  buildPolicyResultMessage,
  POLICY_FORM,
  type PolicyResult,
  parsePolicyButtonValue,
  parsePolicyForm,
  readPolicyChoice,
} from '#core/slack-views/policy-result.ts';
import { corpusSnapshot } from '../posture/support.ts';
import { texts } from './views-support.ts';

/**
 * "Generate policies": the summary's button, the engine and mode form, and the reply, from a real
 * report (the posture engine on corpus manifests, stored as evidence and read back as the worker
 * reads it). The generation is a typed stand-in shaped from that report's failures; the real
 * generator's output is held by test/unit/core/chatops/policies-real.test.ts.
 */

let evidence: string;
let stored: AuditReport;

beforeAll(async () => {
  evidence = mkdtempSync(join(tmpdir(), 'kubeguard-policy-view-'));
  const audited = { ...runAudit(corpusSnapshot('m08.yaml', 'm18.yaml', 'm22.yaml')), cluster: 'prod-eu' };
  await createLocalReportExportStore(evidence).putReportExports(
    reportExportId(audited),
    renderReportExports(audited),
    audited.takenAt,
  );
  stored = (await createLocalAuditReportReader(evidence).read(audited)) as AuditReport;
});
afterAll(() => rmSync(evidence, { recursive: true, force: true }));

/** What the generator would say about the stored report: its KP-060 and KP-064 failures. */
function generationOf(
  report: AuditReport,
): Pick<GeneratedPolicies, 'policies' | 'mustChange' | 'notGenerated'> {
  const failing = (checkId: string) =>
    report.results
      .filter((result) => result.checkId === checkId && result.status === 'fail')
      .map((result) => ({ checkId, object: result.object, message: result.message }));
  return {
    policies: [
      {
        checkId: 'KP-060',
        name: 'kubeguard-kp-060-privileged',
        namespaces: ['payments', 'team-a'],
        references: ['CIS 4.2.1', 'PSS baseline: Privileged Containers'],
      },
      {
        checkId: 'KP-064',
        name: 'kubeguard-kp-064-privilege-escalation',
        namespaces: [],
        references: ['CIS 4.2.5', 'PSS restricted: Privilege Escalation'],
      },
    ],
    mustChange: [...failing('KP-060'), ...failing('KP-064')],
    notGenerated: [{ checkId: 'KP-086', reason: 'no registry allow-list is configured' }],
  };
}

function actionsOf(blocks: readonly Block[]): ActionsBlock {
  return blocks.find((block) => block.block_id === 'audit_actions') as ActionsBlock;
}

describe('the Generate policies button on the audit summary', () => {
  it('is next to Show details, carrying the report reference only, when policies are offered', () => {
    const ref = auditReportRef(stored);
    expect(ref).toBe('prod-eu/2025-06-01T12:00:00Z');

    expect(actionsOf(buildAuditSummaryMessage(stored, undefined, { policies: true }).blocks)).toEqual({
      type: 'actions',
      block_id: 'audit_actions',
      elements: [
        {
          type: 'button',
          text: { type: 'plain_text', text: 'Show details' },
          action_id: 'audit_details',
          value: '{"r":"prod-eu/2025-06-01T12:00:00Z","p":1}',
        },
        {
          type: 'button',
          text: { type: 'plain_text', text: 'Generate policies' },
          action_id: 'audit_generate_policies',
          value: '{"r":"prod-eu/2025-06-01T12:00:00Z"}',
        },
      ],
    });
    expect(parsePolicyButtonValue('{"r":"prod-eu/2025-06-01T12:00:00Z"}')).toEqual({
      ref: 'prod-eu/2025-06-01T12:00:00Z',
    });
    expect(AUDIT_ACTION_IDS.generatePolicies).toBe('audit_generate_policies');
  });

  it('is absent unless offered (the generator can express nothing, or policies cannot be stored)', () => {
    for (const options of [{}, { policies: false }]) {
      const elements = actionsOf(buildAuditSummaryMessage(stored, undefined, options).blocks).elements;
      expect(elements.map((element) => element.action_id)).toEqual(['audit_details']);
    }
  });

  it('refuses a value or form metadata kubeguard did not write', () => {
    for (const value of ['', 'x', '{"r":""}', '{"r":"no-slash"}', '{"r":"Bad Cluster/2026"}', '[1]']) {
      expect(parsePolicyButtonValue(value), value).toBeUndefined();
      expect(parsePolicyForm(value), value).toBeUndefined();
    }
    // A thread that is not a channel and ts is dropped, the report (and a valid channel) kept.
    expect(
      parsePolicyForm('{"r":"prod-eu/2026-12-03T06:00:00.000Z","ch":"C0ALERTS","ts":"undefined"}'),
    ).toEqual({
      r: 'prod-eu/2026-12-03T06:00:00.000Z',
      ch: 'C0ALERTS',
    });
    expect(parsePolicyForm('{"r":"prod-eu/2026-12-03T06:00:00.000Z","ch":"<!channel>","ts":"1.2"}')).toEqual({
      r: 'prod-eu/2026-12-03T06:00:00.000Z',
    });
  });
});

describe('the engine and mode form', () => {
  it('defaults to ValidatingAdmissionPolicy and warn, and names the audit', () => {
    const view = buildPolicyForm({
      r: 'prod-eu/2026-12-03T06:00:00.000Z',
      ch: 'C0ALERTS',
      ts: '1733220000.000100',
    });

    expect(view).toEqual({
      type: 'modal',
      callback_id: 'audit_policies',
      title: { type: 'plain_text', text: 'Generate policies' },
      submit: { type: 'plain_text', text: 'Generate' },
      close: { type: 'plain_text', text: 'Cancel' },
      private_metadata: '{"r":"prod-eu/2026-12-03T06:00:00.000Z","ch":"C0ALERTS","ts":"1733220000.000100"}',
      blocks: [
        {
          type: 'section',
          block_id: 'policies_what',
          text: {
            type: 'mrkdwn',
            text: "Admission policies from the failed Pod Security and image checks of the audit of `prod-eu` taken <!date^1796277600^{date_short_pretty} {time}|2026-12-03T06:00:00.000Z>. Each binds only the namespaces where its check passed, so applying it breaks nothing running today; the reply in the summary's thread lists the workloads that must change first and links the YAML file.",
          },
        },
        {
          type: 'input',
          block_id: 'policies_engine',
          label: { type: 'plain_text', text: 'Policy engine' },
          hint: {
            type: 'plain_text',
            text: 'ValidatingAdmissionPolicy is built into Kubernetes 1.30+; Kyverno must be installed.',
          },
          element: {
            type: 'radio_buttons',
            action_id: 'engine',
            options: [
              { text: { type: 'plain_text', text: 'ValidatingAdmissionPolicy' }, value: 'vap' },
              { text: { type: 'plain_text', text: 'Kyverno ClusterPolicy' }, value: 'kyverno' },
            ],
            initial_option: { text: { type: 'plain_text', text: 'ValidatingAdmissionPolicy' }, value: 'vap' },
          },
        },
        {
          type: 'input',
          block_id: 'policies_mode',
          label: { type: 'plain_text', text: 'Mode' },
          hint: {
            type: 'plain_text',
            text: 'Warn admits everything and says what would be refused: apply it first, then switch to deny.',
          },
          element: {
            type: 'radio_buttons',
            action_id: 'mode',
            options: [
              { text: { type: 'plain_text', text: 'Warn (recommended first)' }, value: 'warn' },
              { text: { type: 'plain_text', text: 'Deny' }, value: 'deny' },
            ],
            initial_option: { text: { type: 'plain_text', text: 'Warn (recommended first)' }, value: 'warn' },
          },
        },
      ],
    });
    expect(validateBlockKitView(view)).toEqual([]);
    expect(parsePolicyForm(view.private_metadata ?? '')).toEqual({
      r: 'prod-eu/2026-12-03T06:00:00.000Z',
      ch: 'C0ALERTS',
      ts: '1733220000.000100',
    });
  });

  it('reads the choice as view_submission carries radio buttons, and nothing else', () => {
    const values = (engine: string | null, mode: string | null) => ({
      [POLICY_FORM.engine.blockId]: {
        engine: { selected_option: engine === null ? null : { value: engine } },
      },
      [POLICY_FORM.mode.blockId]: { mode: { selected_option: mode === null ? null : { value: mode } } },
    });
    expect(readPolicyChoice(values('kyverno', 'deny'))).toEqual({ engine: 'kyverno', mode: 'deny' });
    expect(readPolicyChoice(values('vap', null))).toEqual({ engine: 'vap' });
    expect(readPolicyChoice(values('gatekeeper', 'enforce'))).toEqual({});
    expect(readPolicyChoice({})).toEqual({});
  });
});

describe('the reply in the summary’s thread', () => {
  const result = (overrides: Partial<PolicyResult> = {}): PolicyResult => ({
    ref: auditReportRef(stored),
    engine: 'vap',
    mode: 'warn',
    generated: generationOf(stored),
    file: 'https://us-east-1.console.aws.amazon.com/s3/object/kubeguard-evidence?region=us-east-1&bucketType=general&prefix=audits%2Fprod-eu%2F20250601T120000Z%2Fpolicies%2Fvap-warn-0123456789ab%2Fpolicies.yaml',
    requestedBy: 'U0VIEWER',
    ...overrides,
  });

  it('says how many policies, each check with its references and namespaces, the workloads to change first, what was not generated, and links the file', () => {
    const message = buildPolicyResultMessage(result());

    expect(message).toEqual({
      text: '2 ValidatingAdmissionPolicies (warn) generated from the audit of prod-eu; 3 workloads must change first',
      blocks: [
        {
          type: 'section',
          block_id: 'policies_summary',
          text: {
            type: 'mrkdwn',
            text: '*2 ValidatingAdmissionPolicies* (warn) generated from the audit of `prod-eu` taken <!date^1748779200^{date_short_pretty} {time}|2025-06-01T12:00:00.000Z>, for <@U0VIEWER>\nwarn: admitted with a warning (VAP Warn + Audit, Kyverno Audit)',
          },
        },
        {
          type: 'section',
          block_id: 'policies_list',
          text: {
            type: 'mrkdwn',
            text: [
              '• *KP-060* (CIS 4.2.1 · PSS baseline: Privileged Containers) `kubeguard-kp-060-privileged` · binds 2 namespaces: `payments`, `team-a`',
              '• *KP-064* (CIS 4.2.5 · PSS restricted: Privilege Escalation) `kubeguard-kp-064-privilege-escalation` · binds no namespace yet: none passes the check',
            ].join('\n'),
          },
        },
        {
          type: 'section',
          block_id: 'policies_must_change',
          text: {
            type: 'mrkdwn',
            text: [
              "*Workloads that must change first (3)*: each fails a check a policy was generated for, so its namespace is left out of that policy's binding until it is fixed.",
              '• KP-060 Pod `nginx`: spec.containers[0].securityContext.privileged is true (container "#0")',
              // Messages are one line of at most 200 characters.
              '• KP-064 Pod `nginx`: spec.containers[0].securityContext.allowPrivilegeEscalation is not set (container "#0"; must be false); spec.containers[1].securityContext.allowPrivilegeEscalation is not set (container "#1"; must be…',
              '• KP-064 Pod `test-pod`: spec.containers[0].securityContext.allowPrivilegeEscalation is not set (container "nginx"; must be false)',
            ].join('\n'),
          },
        },
        {
          type: 'section',
          block_id: 'policies_not_generated',
          text: {
            type: 'mrkdwn',
            text: '*Not generated (1)*\n• KP-086: no registry allow-list is configured',
          },
        },
        {
          type: 'context',
          block_id: 'policies_file',
          elements: [
            {
              type: 'mrkdwn',
              text: 'YAML: <https://us-east-1.console.aws.amazon.com/s3/object/kubeguard-evidence?region=us-east-1&bucketType=general&prefix=audits%2Fprod-eu%2F20250601T120000Z%2Fpolicies%2Fvap-warn-0123456789ab%2Fpolicies.yaml|policies-vap-warn.yaml> · review it, then apply it with `kubectl apply -f`',
            },
          ],
        },
      ],
    });
    expect(validateBlockKitMessage(message)).toEqual([]);
  });

  it('names the engine and mode chosen, and shows a local file as a path, never a link', () => {
    const message = buildPolicyResultMessage(
      result({
        engine: 'kyverno',
        mode: 'deny',
        file: '/var/kubeguard/evidence/audits/prod-eu/20250601T120000Z/policies/kyverno-deny-0123456789ab/policies.yaml',
        generated: { ...generationOf(stored), policies: generationOf(stored).policies.slice(0, 1) },
      }),
    );
    const all = texts(message.blocks).join('\n');

    expect(all).toContain('*1 Kyverno ClusterPolicy* (deny)');
    expect(all).toContain('deny: refused (VAP Deny, Kyverno Enforce)');
    expect(all).toContain(
      'YAML: policies-kyverno-deny.yaml `/var/kubeguard/evidence/audits/prod-eu/20250601T120000Z/policies/kyverno-deny-0123456789ab/policies.yaml`',
    );
    expect(all).not.toContain('<http');
  });

  it('escapes hostile namespace, workload and policy names and messages', () => {
    const hostile = '<!channel> *bold* `tick` <https://evil.example|click>';
    const message = buildPolicyResultMessage(
      result({
        file: 'https://evil.example/x|<!here>',
        generated: {
          policies: [
            { checkId: 'KP-060', name: hostile, namespaces: [hostile, 'ok'], references: [hostile] },
          ],
          mustChange: [
            {
              checkId: 'KP-060',
              object: { kind: `Pod${hostile}`, namespace: hostile, name: `web\n> quoted ${hostile}` },
              message: `line\n*${hostile}*`,
            },
          ],
          notGenerated: [{ checkId: '<!everyone>', reason: hostile }],
        },
      }),
    );
    const all = texts(message.blocks).join('\n');

    expect(all).not.toMatch(/<!channel>|<!here>|<!everyone>|<https:\/\/evil/);
    expect(all).not.toContain('\n> quoted');
    expect(all).toContain("`&lt;!channel&gt; *bold* 'tick' &lt;https://evil.example|click&gt;`");
    expect(all).toContain("&lt;!channel&gt; ∗bold∗ 'tick'");
    expect(all).toContain('YAML: policies-vap-warn.yaml `https://evil.example/x|&lt;!here&gt;`');
    expect(message.text).not.toMatch(/[<>]/);
    expect(validateBlockKitMessage(message)).toEqual([]);
  });

  it('bounds long lists with counts and stays within Block Kit limits', () => {
    const namespaces = Array.from({ length: 60 }, (_, i) => `namespace-${'n'.repeat(50)}-${i}`);
    const message = buildPolicyResultMessage(
      result({
        generated: {
          policies: Array.from({ length: 45 }, (_, i) => ({
            checkId: `KP-${String(i).padStart(3, '0')}`,
            name: `kubeguard-${'x'.repeat(70)}-${i}`,
            namespaces,
            references: Array.from({ length: 9 }, (_, r) => `Reference ${'r'.repeat(70)} ${r}`),
          })),
          mustChange: Array.from({ length: 4_000 }, (_, i) => ({
            checkId: 'KP-060',
            object: { kind: 'Deployment', namespace: 'n'.repeat(63), name: `w${'w'.repeat(250)}${i}` },
            message: 'm'.repeat(2_000),
          })),
          notGenerated: Array.from({ length: 25 }, (_, i) => ({
            checkId: `KP-${i}`,
            reason: 'r'.repeat(1_000),
          })),
        },
      }),
    );
    const all = texts(message.blocks).join('\n');

    expect(validateBlockKitMessage(message)).toEqual([]);
    expect(all).toContain('*45 ValidatingAdmissionPolicies*');
    expect(all).toContain('…and 15 more policies in the file');
    expect(all).toContain('binds 60 namespaces:');
    expect(all).toContain(' and 52 more');
    expect(all).toContain('*Workloads that must change first (4,000)*');
    expect(all).toContain('…and 3,985 more');
    expect(all).toContain('*Not generated (25)*');
    expect(all).toContain('…and 15 more');
    expect(all.match(/^• KP-060 Deployment/gm)).toHaveLength(15);
  });
});
