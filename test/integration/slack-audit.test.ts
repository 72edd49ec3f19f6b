import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListDetectorsCommand } from '@aws-sdk/client-guardduty';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLocalReportExportStore } from '../../adapters/evidence/report-exports.ts';
import { createLocalAuditReportReader } from '../../adapters/evidence/report-reader.ts';
import { parseConfig } from '../../core/config/schema.ts';
import { AUDIT_ACTION_IDS, parseAuditDetailsPage } from '../../core/slack-views/audit-report.ts';
import { ALERT_ACTION_IDS } from '../../core/slack-views/ids.ts';
import { type Dynalite, startDynalite } from '../support/dynalite.ts';
import { KubeApiDouble } from '../support/kube-api-double.ts';
import {
  awsError,
  guardDutyMock,
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
  trailFacts,
  USERS,
} from '../support/slack-bot-harness.ts';
import {
  blockActionBody,
  modalBlockActionBody,
  send,
  signed,
  slashCommandBody,
} from '../support/slack-requests.ts';

/**
 * `/k8s audit`, the alert's Run audit button and the summary's Show details, end to end over
 * loopback: signed requests to the local HTTP entry, the worker running the posture audit's own
 * collector against the Kubernetes API double and the AWS fixture responses, reports stored in a
 * local evidence directory, progress and summary in the Slack API double.
 */

const KUBE_TOKEN = 'k8s-aws-v1.slack-audit-test';
const api = new KubeApiDouble({
  token: KUBE_TOKEN,
  extraResources: POSTURE_EXTRA_RESOURCES,
  objects: postureClusterObjects(),
});
let db: Dynalite;
let h: BotHarness;
let evidence: string;
let sequence = 0;
let minutes = 0;

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
  evidence = mkdtempSync(join(tmpdir(), 'kubeguard-slack-audit-'));
  mockPostureAws();
  api.allowAll();
  minutes = 0;
  h = await startBotHarness({
    db,
    audit: {
      // A new minute per collection: each audit has its own takenAt (and report).
      runner: postureRunner(api, KUBE_TOKEN, () =>
        new Date(Date.UTC(2026, 11, 3, 6, minutes++)).toISOString(),
      ),
      exports: createLocalReportExportStore(evidence),
      reports: createLocalAuditReportReader(evidence),
    },
  });
});

function command(user: string, text: string, triggerId = `${++sequence}.111.command`) {
  return signed(
    slashCommandBody({
      user_id: user,
      team_id: 'T111',
      channel_id: ALERT_CHANNEL,
      text,
      trigger_id: triggerId,
      response_url: h.slack.responseUrl(`commands/T111/${sequence}/x`),
    }),
  );
}

function click(user: string, on: { channel: string; ts: string }, actionId: string, value: string) {
  sequence += 1;
  return signed(
    blockActionBody({
      actionId,
      value,
      userId: user,
      channel: on.channel,
      messageTs: on.ts,
      triggerId: `${sequence}.222.click`,
      actionTs: `1733220000.${String(sequence).padStart(6, '0')}`,
      responseUrl: h.slack.responseUrl(`actions/T111/${sequence}/y`),
    }),
  );
}

type Block = { type: string; block_id?: string; text?: { text: string }; fields?: { text: string }[] };
type Element = { action_id: string; value: string };

function blocksOf(body: Record<string, unknown>): Block[] {
  return body.blocks as Block[];
}

/** Each collector's status as a progress message shows it: `EKS: running`. */
function collectorStates(body: Record<string, unknown>): string[] {
  const fields = blocksOf(body).find((b) => b.block_id === 'audit_progress_collectors')?.fields ?? [];
  return fields.map((field) => {
    const [name = '', status = ''] = field.text.split('\n');
    return `${name.replaceAll('*', '')}: ${status.replace(/^\S+ /, '')}`;
  });
}

function showDetailsValue(body: Record<string, unknown>): string {
  const actions = blocksOf(body).find((b) => b.block_id === 'audit_actions') as unknown as {
    elements: Element[];
  };
  const button = actions.elements.find((e) => e.action_id === AUDIT_ACTION_IDS.details);
  return button?.value ?? '';
}

async function records() {
  return (await recentTrail(h)).map(trailFacts);
}

describe('/k8s audit', () => {
  it('posts a progress message, updates it as each collector runs and ends, then shows the summary', async () => {
    const answer = await send(h.bot.url, command(USERS.viewer, 'audit prod-cluster'));
    await h.settle();

    expect((answer.body as { text: string }).text).toMatch(
      /^Starting a posture audit of prod-cluster… \(request `r-[0-9a-f]{16}`\)$/,
    );
    const [post] = h.slack.successful('chat.postMessage');
    expect(post?.channel).toBe(ALERT_CHANNEL);
    expect(post?.thread_ts).toBeUndefined();
    expect(collectorStates(post ?? {})).toEqual([
      'EKS: waiting',
      'GuardDuty: waiting',
      'Secrets Manager: waiting',
      'Cluster objects (Kubernetes API): waiting',
    ]);
    const updates = h.slack.successful('chat.update');
    const [message] = h.slack.channelMessages();
    expect(updates.map((u) => u.ts)).toEqual(updates.map(() => message?.ts));
    const progress = updates.slice(0, -1).map(collectorStates);
    expect(progress.map((states) => states.join(' | '))).toEqual([
      'EKS: waiting | GuardDuty: waiting | Secrets Manager: waiting | Cluster objects (Kubernetes API): running',
      'EKS: waiting | GuardDuty: waiting | Secrets Manager: waiting | Cluster objects (Kubernetes API): done',
      'EKS: running | GuardDuty: waiting | Secrets Manager: waiting | Cluster objects (Kubernetes API): done',
      'EKS: running | GuardDuty: running | Secrets Manager: waiting | Cluster objects (Kubernetes API): done',
      'EKS: done | GuardDuty: running | Secrets Manager: waiting | Cluster objects (Kubernetes API): done',
      'EKS: done | GuardDuty: done | Secrets Manager: waiting | Cluster objects (Kubernetes API): done',
      'EKS: done | GuardDuty: done | Secrets Manager: running | Cluster objects (Kubernetes API): done',
      'EKS: done | GuardDuty: done | Secrets Manager: done | Cluster objects (Kubernetes API): done',
    ]);
    const summary = updates.at(-1) ?? {};
    expect(blocksOf(summary)[0]?.text?.text).toBe('Posture audit: prod-cluster');
    expect(String(summary.text)).toMatch(/^Posture audit of prod-cluster: score \d+\/100 \(first audit\)/);
    expect(parseAuditDetailsPage(showDetailsValue(summary))).toEqual({
      ref: 'prod-cluster/2026-12-03T06:00:00.000Z',
      page: 1,
    });
    expect(await h.history.latest('prod-cluster', 5)).toEqual([
      expect.objectContaining({
        takenAt: '2026-12-03T06:00:00.000Z',
        reportId: 'audits/prod-cluster/20261203T060000.000Z',
      }),
    ]);
    expect(await records()).toEqual([
      { type: 'request', kind: 'audit', actor: USERS.viewer, result: 'accepted', cluster: 'prod-cluster' },
      { type: 'outcome', kind: 'audit', actor: USERS.viewer, result: 'done', cluster: 'prod-cluster' },
    ]);
  });

  it('shows a collector that fails as failed, and the summary says what was not collected', async () => {
    guardDutyMock
      .on(ListDetectorsCommand)
      .rejects(awsError('AccessDeniedException', 'not authorized to perform: guardduty:ListDetectors', 403));

    await send(h.bot.url, command(USERS.viewer, 'audit prod-cluster'));
    await h.settle();

    const updates = h.slack.successful('chat.update');
    expect(collectorStates(updates.at(-2) ?? {})).toContain('GuardDuty: failed');
    const notCollected = blocksOf(updates.at(-1) ?? {}).find((b) => b.block_id === 'audit_collectors');
    expect(JSON.stringify(notCollected)).toContain(
      'Not collected (their checks are skipped): GuardDuty failed: no permission to guardduty:ListDetectors/GetDetector',
    );
  });

  it('keeps to one namespace with --namespace, stored as evidence but not in the cluster history', async () => {
    await send(h.bot.url, command(USERS.viewer, 'audit prod-cluster --namespace default'));
    await h.settle();

    const summary = h.slack.successful('chat.update').at(-1) ?? {};
    expect(blocksOf(summary)[0]?.text?.text).toBe('Posture audit: prod-cluster (namespace default)');
    expect(await h.history.latest('prod-cluster', 5)).toEqual([]);
  });

  it('refuses an unknown cluster, listing the configured ones, and queues nothing', async () => {
    const answer = await send(h.bot.url, command(USERS.viewer, 'audit prod-eu'));
    await h.settle();

    expect((answer.body as { text: string }).text).toContain(
      'unknown cluster "prod-eu"; configured clusters: prod-cluster, staging',
    );
    expect(h.slack.successful('chat.postMessage')).toEqual([]);
  });

  it('refuses a namespace that is not a Kubernetes name', async () => {
    const answer = await send(h.bot.url, command(USERS.viewer, 'audit prod-cluster --namespace Payments_1'));

    expect((answer.body as { text: string }).text).toContain(
      // Underscores are neutralized in Slack text (emphasis), as every error's quoted value.
      '"Paymentsˍ1" is not a namespace name',
    );
    expect(await records()).toEqual([
      { type: 'request', kind: 'audit', actor: USERS.viewer, result: 'invalid' },
    ]);
  });

  it('asks to name the cluster when several are configured', async () => {
    const answer = await send(h.bot.url, command(USERS.viewer, 'audit'));

    expect((answer.body as { text: string }).text).toContain(
      'name the cluster to audit; configured clusters: prod-cluster, staging',
    );
  });

  it('denies someone without a role, records the denial and audits nothing', async () => {
    const answer = await send(h.bot.url, command(USERS.stranger, 'audit prod-cluster'));
    await h.settle();

    expect((answer.body as { text: string }).text).toContain('viewer');
    expect(await records()).toEqual([
      { type: 'denial', kind: 'audit', actor: USERS.stranger, result: 'denied', cluster: 'prod-cluster' },
    ]);
    expect(h.slack.successful('chat.postMessage')).toEqual([]);
  });

  it('runs one audit for a Slack retry of the same command', async () => {
    const trigger = `${++sequence}.111.retried`;
    const first = command(USERS.viewer, 'audit prod-cluster', trigger);
    // Slack signs a retry anew, at its own time.
    const retry = signed(first.body, {
      timestamp: Math.floor(Date.now() / 1000) + 1,
      headers: { 'X-Slack-Retry-Num': '1', 'X-Slack-Retry-Reason': 'http_timeout' },
    });

    await send(h.bot.url, first);
    const again = await send(h.bot.url, retry);
    await h.settle();

    expect((again.body as { text: string }).text).toBe('This command is already being handled.');
    expect(h.slack.successful('chat.postMessage')).toHaveLength(1);
    expect(await h.history.latest('prod-cluster', 5)).toHaveLength(1);
  });

  it('says an audit of the cluster is already running instead of starting a second one', async () => {
    const runner = await send(h.bot.url, command(USERS.viewer, 'audit prod-cluster'));
    const second = await send(h.bot.url, command(USERS.admin, 'audit prod-cluster'));
    await h.settle();

    expect(runner.status).toBe(200);
    expect(second.status).toBe(200);
    expect(h.slack.successful('chat.postMessage')).toHaveLength(1);
    expect(h.slack.ephemerals.map((e) => e.text)).toContain(
      'An audit of prod-cluster is already running; its progress message shows the result when it is done. Try again after it.',
    );
  });
});

describe('Run audit on an alert', () => {
  it('audits the alert’s cluster in the alert’s thread, kept to the finding’s namespace', async () => {
    const alert = await h.alert();

    await send(h.bot.url, click(USERS.viewer, alert, ALERT_ACTION_IDS.runAudit, alert.value));
    await h.settle();

    const progress = h.slack.successful('chat.postMessage').filter((p) => p.thread_ts === alert.ts);
    expect(progress).toHaveLength(1);
    expect(progress[0]?.channel).toBe(alert.channel);
    const summary = h.slack.successful('chat.update').at(-1) ?? {};
    expect(blocksOf(summary)[0]?.text?.text).toBe('Posture audit: prod-cluster (namespace kube-system)');
    expect(await h.trail.byFinding(alert.finding.fingerprint)).toEqual([
      expect.objectContaining({ type: 'request', kind: 'audit', source: 'button', result: 'accepted' }),
      expect.objectContaining({ type: 'outcome', kind: 'audit', result: 'done' }),
    ]);
  });
});

describe('Show details', () => {
  it('opens page 1 of the stored report, and Next shows page 2 in the same modal', async () => {
    await send(h.bot.url, command(USERS.viewer, 'audit prod-cluster'));
    await h.settle();
    const summaryPost = h.slack.successful('chat.postMessage')[0] ?? {};
    const value = showDetailsValue(h.slack.successful('chat.update').at(-1) ?? {});
    const on = { channel: String(summaryPost.channel), ts: String(summaryPost.ts) };

    const clicked = await send(h.bot.url, click(USERS.viewer, on, AUDIT_ACTION_IDS.details, value));
    await h.settle();

    expect(clicked.status).toBe(200);
    const [loading] = h.slack.openedViews;
    expect(loading?.view).toMatchObject({ callback_id: 'audit_details', title: { text: 'Audit details' } });
    const externalId = String(loading?.view.external_id);
    const [first] = h.slack.successful('views.update');
    expect(first?.external_id).toBe(externalId);
    const page1 = first?.view as { title: { text: string }; blocks: Block[] };
    const pages = Number(/^Audit 1\/(\d+)$/.exec(page1.title.text)?.[1]);
    expect(pages).toBeGreaterThan(1);
    // The modal as Slack holds it now: the one opened with the external id, showing page 1.
    const shown = [...h.slack.state.views.values()].find((v) => v.history[0]?.external_id === externalId);
    expect(shown?.current.title).toMatchObject({ text: page1.title.text });
    const next = (
      page1.blocks.find((b) => b.block_id === 'audit_details_pages') as unknown as {
        elements: Element[];
      }
    ).elements.find((e) => e.action_id === AUDIT_ACTION_IDS.nextPage);
    expect(parseAuditDetailsPage(next?.value ?? '')).toEqual({
      ref: 'prod-cluster/2026-12-03T06:00:00.000Z',
      page: 2,
    });

    await send(
      h.bot.url,
      signed(
        modalBlockActionBody({
          actionId: AUDIT_ACTION_IDS.nextPage,
          value: next?.value ?? '',
          userId: USERS.viewer,
          view: shown?.current ?? {},
        }),
      ),
    );
    await h.settle();

    const [, second] = h.slack.successful('views.update');
    expect(second?.view_id).toBe(shown?.id);
    const page2 = second?.view as { title: { text: string } };
    expect(page2.title.text).toBe(`Audit 2/${pages}`);
  });

  it('denies the details to someone without a role on the report’s cluster, and records it', async () => {
    const value = JSON.stringify({ r: 'prod-cluster/2026-12-03T06:00:00.000Z', p: 1 });

    await send(
      h.bot.url,
      click(
        USERS.stranger,
        { channel: ALERT_CHANNEL, ts: '1700000000.000001' },
        AUDIT_ACTION_IDS.details,
        value,
      ),
    );
    await h.settle();

    expect(h.slack.openedViews).toEqual([]);
    expect(await records()).toEqual([
      {
        type: 'denial',
        kind: 'audit-details',
        actor: USERS.stranger,
        result: 'denied',
        cluster: 'prod-cluster',
      },
    ]);
  });
});

describe('/k8s audit with the posture options of kubeguard.config.json', () => {
  it('KP-086 reads the registry allow-list of detection.allowedRegistries (not only the CLI flag)', async () => {
    await h.stop();
    h = await startBotHarness({
      db,
      config: parseConfig({
        clusters: [{ name: 'prod-cluster', region: 'us-east-1' }],
        slack: { defaultChannel: ALERT_CHANNEL },
        authorization: { grants: [{ role: 'viewer', users: [USERS.viewer] }] },
        detection: { allowedRegistries: ['docker.io/library'] },
        posture: { criticalImageFindingMaxAgeDays: 30 },
      }),
      audit: {
        runner: postureRunner(api, KUBE_TOKEN, () =>
          new Date(Date.UTC(2026, 11, 3, 7, minutes++)).toISOString(),
        ),
        exports: createLocalReportExportStore(evidence),
        reports: createLocalAuditReportReader(evidence),
      },
    });

    await send(h.bot.url, command(USERS.viewer, 'audit prod-cluster'));
    await h.settle();

    const report = JSON.parse(
      readFileSync(join(evidence, 'audits/prod-cluster/20261203T070000.000Z/report.json'), 'utf8'),
    ) as { results: { checkId: string; status: string; message: string }[] };
    const kp086 = report.results.filter((r) => r.checkId === 'KP-086');
    expect(kp086.length).toBeGreaterThan(0);
    expect(kp086.filter((r) => r.status === 'skip')).toEqual([]);
    expect(kp086.find((r) => r.status === 'fail')?.message).toContain('not from docker.io/library');
  });
});
