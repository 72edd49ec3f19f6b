import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createLocalPolicyFileStore,
  createLocalReportExportStore,
} from '../../adapters/evidence/report-exports.ts';
import { createLocalAuditReportReader } from '../../adapters/evidence/report-reader.ts';
import { stateValues } from '../../cli/sandbox/slack/elements.ts';
import type { AuditRecord } from '../../core/audit-trail/record.ts';
import { AUDIT_ACTION_IDS } from '../../core/slack-views/audit-report.ts';
import { ALERT_ACTION_IDS } from '../../core/slack-views/ids.ts';
import { buildPolicyForm, POLICY_FORM } from '../../core/slack-views/policy-result.ts';
import { type Dynalite, startDynalite } from '../support/dynalite.ts';
import { KubeApiDouble } from '../support/kube-api-double.ts';
import {
  mockPostureAws,
  POSTURE_EXTRA_RESOURCES,
  postureClusterObjects,
  postureRunner,
} from '../support/posture-cluster.ts';
import {
  ALERT_CHANNEL,
  type BotHarness,
  recentTrail,
  startBotHarness,
  USERS,
} from '../support/slack-bot-harness.ts';
import {
  blockActionBody,
  send,
  signed,
  slashCommandBody,
  viewSubmissionBody,
} from '../support/slack-requests.ts';

/**
 * "Generate policies" end to end over loopback, with the real policy generator: `/k8s audit` posts a
 * summary offering the button, a signed click opens the engine and mode form, a signed submission
 * queues the request, and the worker reads the stored report back, stores the YAML in the local
 * evidence directory and answers in the summary's thread (the Slack API double).
 */

const KUBE_TOKEN = 'k8s-aws-v1.slack-policies-test';
const api = new KubeApiDouble({
  token: KUBE_TOKEN,
  extraResources: POSTURE_EXTRA_RESOURCES,
  objects: postureClusterObjects(),
});
const REF = 'prod-cluster/2026-12-03T06:00:00.000Z';
let db: Dynalite;
let h: BotHarness;
let evidence: string;
let sequence = 0;

beforeAll(async () => {
  await api.start();
  db = await startDynalite();
});
afterAll(async () => {
  await h?.stop();
  await api.stop();
  await db.stop();
});
beforeEach(async () => {
  await h?.stop();
  if (evidence !== undefined) rmSync(evidence, { recursive: true, force: true });
  evidence = mkdtempSync(join(tmpdir(), 'kubeguard-slack-policies-'));
  mockPostureAws();
  api.allowAll();
  h = await startBotHarness({
    db,
    audit: {
      runner: postureRunner(api, KUBE_TOKEN, () => '2026-12-03T06:00:00.000Z'),
      exports: createLocalReportExportStore(evidence),
      reports: createLocalAuditReportReader(evidence),
      policies: createLocalPolicyFileStore(evidence),
    },
  });
});

type Block = { type: string; block_id?: string; text?: { text: string }; elements?: Element[] };
type Element = { action_id?: string; value?: string; text?: string | { text: string } };

function blocksOf(body: Record<string, unknown> | undefined): Block[] {
  return (body?.blocks ?? []) as Block[];
}

/** Runs `/k8s audit prod-cluster`; the summary message (where it is) and its final blocks. */
async function audit(): Promise<{ on: { channel: string; ts: string }; blocks: Block[] }> {
  sequence += 1;
  await send(
    h.bot.url,
    signed(
      slashCommandBody({
        user_id: USERS.viewer,
        team_id: 'T111',
        channel_id: ALERT_CHANNEL,
        text: 'audit prod-cluster',
        trigger_id: `${sequence}.111.command`,
        response_url: h.slack.responseUrl(`commands/T111/${sequence}/x`),
      }),
    ),
  );
  await h.settle();
  const [summary] = h.slack.channelMessages();
  return {
    on: { channel: String(summary?.channel), ts: String(summary?.ts) },
    blocks: blocksOf(h.slack.successful('chat.update').at(-1)),
  };
}

function click(
  user: string,
  on: { channel: string; ts: string; threadTs?: string },
  value: string,
  actionId: string = AUDIT_ACTION_IDS.generatePolicies,
) {
  sequence += 1;
  return signed(
    blockActionBody({
      actionId,
      value,
      userId: user,
      channel: on.channel,
      messageTs: on.ts,
      ...(on.threadTs === undefined ? {} : { threadTs: on.threadTs }),
      triggerId: `${sequence}.222.click`,
      actionTs: `1733220000.${String(sequence).padStart(6, '0')}`,
      responseUrl: h.slack.responseUrl(`actions/T111/${sequence}/y`),
    }),
  );
}

/** The form as the person submits it, with the options chosen (Slack's radio-button state). */
function submit(
  user: string,
  view: Record<string, unknown>,
  choice: { engine?: string; mode?: string },
  viewId = 'V0POLICIES1',
) {
  const state = stateValues(view.blocks, {
    [POLICY_FORM.engine.blockId]: { [POLICY_FORM.engine.actionId]: choice.engine ?? null },
    [POLICY_FORM.mode.blockId]: { [POLICY_FORM.mode.actionId]: choice.mode ?? null },
  });
  return signed(
    viewSubmissionBody({
      callbackId: String(view.callback_id),
      privateMetadata: String(view.private_metadata),
      values: {},
      state,
      userId: user,
      viewId,
      hash: `1733220000.${viewId}`,
    }),
  );
}

async function records(): Promise<Pick<AuditRecord, 'type' | 'kind' | 'actor' | 'result'>[]> {
  return (await recentTrail(h))
    .filter((record) => record.kind === 'policies')
    .map(({ type, kind, actor, result }) => ({
      type,
      kind,
      actor,
      ...(result === undefined ? {} : { result }),
    }));
}

describe('Generate policies', () => {
  it('is offered on the summary; the click opens the form, the submission answers in the summary’s thread with the stored YAML', async () => {
    const { on, blocks } = await audit();
    const button = blocks
      .find((block) => block.block_id === 'audit_actions')
      ?.elements?.find((element) => element.action_id === AUDIT_ACTION_IDS.generatePolicies);
    expect(button).toEqual({
      type: 'button',
      text: { type: 'plain_text', text: 'Generate policies' },
      action_id: 'audit_generate_policies',
      value: `{"r":"${REF}"}`,
    });

    await send(h.bot.url, click(USERS.viewer, on, String(button?.value)));
    const [opened] = h.slack.openedViews;
    expect(opened?.view).toEqual(buildPolicyForm({ r: REF, ch: on.channel, ts: on.ts }));

    const submission = await send(
      h.bot.url,
      submit(USERS.viewer, opened?.view ?? {}, { engine: 'kyverno', mode: 'warn' }),
    );
    await h.settle();

    expect(submission).toMatchObject({ status: 200, text: '' });
    const replies = h.slack.successful('chat.postMessage').filter((post) => post.thread_ts === on.ts);
    expect(replies).toHaveLength(1);
    const reply = blocksOf(replies[0]);
    expect(replies[0]?.channel).toBe(on.channel);
    expect(reply[0]?.text?.text).toMatch(
      /^\*\d+ Kyverno ClusterPolic(y|ies)\* \(warn\) generated from the audit of `prod-cluster` taken <!date\^\d+\^\{date_short_pretty\} \{time\}\|2026-12-03T06:00:00\.000Z>, for <@U0VIEWER>/,
    );
    expect(reply.map((block) => block.block_id)).toContain('policies_list');
    // The YAML is where the reply says, next to the report's exports.
    const file = /`([^`]+policies\.yaml)`/.exec(
      String((reply.at(-1)?.elements?.[0] as { text?: string } | undefined)?.text),
    )?.[1];
    expect(file).toMatch(
      new RegExp(
        `^${evidence}/audits/prod-cluster/20261203T060000\\.000Z/policies/kyverno-warn-[0-9a-f]{12}/policies\\.yaml$`,
      ),
    );
    expect(existsSync(String(file))).toBe(true);
    expect(readFileSync(String(file), 'utf8')).toContain('kind: ClusterPolicy');
    expect(await records()).toEqual([
      { type: 'request', kind: 'policies', actor: USERS.viewer, result: 'answered' },
      { type: 'request', kind: 'policies', actor: USERS.viewer, result: 'accepted' },
      { type: 'outcome', kind: 'policies', actor: USERS.viewer, result: 'done' },
    ]);
  });

  it('denies the click to someone without a role on the report’s cluster: no form, a recorded denial', async () => {
    await send(
      h.bot.url,
      click(USERS.stranger, { channel: ALERT_CHANNEL, ts: '1700000000.000001' }, `{"r":"${REF}"}`),
    );
    await h.settle();

    expect(h.slack.openedViews).toEqual([]);
    expect(await records()).toEqual([
      { type: 'denial', kind: 'policies', actor: USERS.stranger, result: 'denied' },
    ]);
    expect(h.slack.ephemerals.map((e) => e.text).join('\n')).toContain(
      'generate admission policies from posture audits',
    );
  });

  it('authorizes the submission again: a form submitted by someone without the role generates nothing', async () => {
    const view = buildPolicyForm({ r: REF, ch: ALERT_CHANNEL, ts: '1700000000.000001' });

    const submission = await send(
      h.bot.url,
      submit(USERS.stranger, view as unknown as Record<string, unknown>, { engine: 'vap', mode: 'deny' }),
    );
    await h.settle();

    expect(submission.body).toMatchObject({ response_action: 'errors' });
    expect(JSON.stringify(submission.body)).toContain('viewer');
    expect(h.slack.successful('chat.postMessage')).toEqual([]);
    expect(await records()).toEqual([
      { type: 'denial', kind: 'policies', actor: USERS.stranger, result: 'denied' },
    ]);
  });

  it('generates once when the same choice is submitted from two forms (a double click), and says so', async () => {
    const { on } = await audit();
    await send(h.bot.url, click(USERS.viewer, on, `{"r":"${REF}"}`));
    await send(h.bot.url, click(USERS.viewer, on, `{"r":"${REF}"}`));
    const [first, second] = h.slack.openedViews;

    await send(
      h.bot.url,
      submit(USERS.viewer, first?.view ?? {}, { engine: 'vap', mode: 'warn' }, 'V0FIRST'),
    );
    await h.settle();
    await send(
      h.bot.url,
      submit(USERS.viewer, second?.view ?? {}, { engine: 'vap', mode: 'warn' }, 'V0SECOND'),
    );
    await h.settle();

    expect(h.slack.successful('chat.postMessage').filter((post) => post.thread_ts === on.ts)).toHaveLength(1);
    expect(h.slack.ephemerals.map((e) => e.text)).toContain(
      "These policies (vap, warn) were just generated from this audit; the reply is in the summary's thread.",
    );
  });

  it('answers in the alert’s thread when the summary is itself a reply there (Run audit on an alert)', async () => {
    // A finding in `default`: Run audit keeps to that namespace, whose pods fail Pod Security checks.
    const alert = await h.alert(undefined, { namespace: 'default' });
    await send(h.bot.url, click(USERS.viewer, alert, alert.value, ALERT_ACTION_IDS.runAudit));
    await h.settle();
    const summary = h.slack.successful('chat.postMessage').find((post) => post.thread_ts === alert.ts);
    const on = {
      channel: alert.channel,
      ts: String(summary?.ts ?? h.slack.channelMessages().at(-1)?.ts),
      threadTs: alert.ts,
    };

    expect(JSON.stringify(h.slack.successful('chat.update').at(-1))).toContain(
      AUDIT_ACTION_IDS.generatePolicies,
    );

    await send(h.bot.url, click(USERS.viewer, on, `{"r":"${REF}"}`));
    const [opened] = h.slack.openedViews;
    expect(JSON.parse(String(opened?.view.private_metadata))).toEqual({
      r: REF,
      ch: alert.channel,
      ts: alert.ts,
    });
    await send(h.bot.url, submit(USERS.viewer, opened?.view ?? {}, { engine: 'vap', mode: 'warn' }));
    await h.settle();

    const replies = h.slack.successful('chat.postMessage').filter((post) => post.thread_ts === alert.ts);
    expect(replies.map((post) => blocksOf(post)[0]?.block_id)).toEqual([
      'audit_progress_header',
      'policies_summary',
    ]);
  });

  it('keeps the form open with an error under a choice that was not made', async () => {
    const view = buildPolicyForm({ r: REF, ch: ALERT_CHANNEL, ts: '1700000000.000001' });

    const submission = await send(
      h.bot.url,
      submit(USERS.viewer, view as unknown as Record<string, unknown>, { mode: 'deny' }),
    );
    await h.settle();

    expect(submission.body).toEqual({
      response_action: 'errors',
      errors: { [POLICY_FORM.engine.blockId]: 'Choose the policy engine.' },
    });
    expect(await records()).toEqual([
      { type: 'request', kind: 'policies', actor: USERS.viewer, result: 'invalid' },
    ]);
  });

  it('is not offered when the generator can express none of the report’s failures', async () => {
    // The fixture finding is in kube-system: Run audit keeps to it, and nothing there is expressible.
    const alert = await h.alert();
    await send(h.bot.url, click(USERS.viewer, alert, alert.value, ALERT_ACTION_IDS.runAudit));
    await h.settle();

    const summary = h.slack.successful('chat.update').at(-1);
    expect(blocksOf(summary)[0]?.text?.text).toBe('Posture audit: prod-cluster (namespace kube-system)');
    expect(JSON.stringify(summary)).toContain(AUDIT_ACTION_IDS.details);
    expect(JSON.stringify(summary)).not.toContain(AUDIT_ACTION_IDS.generatePolicies);
  });

  it('answers the person in the channel when the summary’s thread is not known', async () => {
    await audit();
    const view = buildPolicyForm({ r: REF, ch: ALERT_CHANNEL });

    await send(
      h.bot.url,
      submit(USERS.viewer, view as unknown as Record<string, unknown>, { engine: 'vap', mode: 'deny' }),
    );
    await h.settle();

    expect(h.slack.successful('chat.postMessage').filter((post) => post.thread_ts !== undefined)).toEqual([]);
    expect(h.slack.ephemerals).toEqual([
      expect.objectContaining({ channel: ALERT_CHANNEL, user: USERS.viewer }),
    ]);
    expect(String(h.slack.ephemerals[0]?.text)).toMatch(
      /ValidatingAdmissionPolic(y|ies) \(deny\) generated from the audit of prod-cluster/,
    );
  });
});
