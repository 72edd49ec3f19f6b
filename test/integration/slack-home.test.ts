import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuditHistoryEntry } from '../../core/posture/history.ts';
import { type Dynalite, startDynalite } from '../support/dynalite.ts';
import { loadFixture } from '../support/fixtures.ts';
import { type BotHarness, startBotHarness, USERS } from '../support/slack-bot-harness.ts';
import { send, signed, slashCommandBody } from '../support/slack-requests.ts';

/**
 * The App Home tab end to end over loopback: Slack's app_home_opened event (the documented payload,
 * test/fixtures/slack-app-home-opened.json) is signed and POSTed to the local HTTP entry, acked at
 * once, and the worker publishes the tab through views.publish on the Slack API double.
 */

let db: Dynalite;
let h: BotHarness;
let sequence = 0;

beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await h?.stop();
  await db.stop();
});
beforeEach(async () => {
  await h?.stop();
  h = await startBotHarness({ db });
});

interface HomeEvent {
  team_id: string;
  event_id: string;
  event: { user: string; tab: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** app_home_opened for `user` (a fresh event id unless given), signed, as JSON like Slack sends it. */
function homeOpened(
  user: string,
  options: { eventId?: string; tab?: string; retry?: string; timestamp?: number } = {},
) {
  sequence += 1;
  const payload = loadFixture<HomeEvent>('slack-app-home-opened.json');
  const body = JSON.stringify({
    ...payload,
    team_id: 'T111',
    event_id: options.eventId ?? `Ev0HOME${String(sequence).padStart(4, '0')}`,
    event: { ...payload.event, user, tab: options.tab ?? 'home' },
  });
  return signed(body, {
    ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
    headers: {
      'Content-Type': 'application/json',
      ...(options.retry === undefined
        ? {}
        : { 'X-Slack-Retry-Num': options.retry, 'X-Slack-Retry-Reason': 'http_timeout' }),
    },
  });
}

function audit(cluster: string, takenAt: string, score: number, failedHigh: number): AuditHistoryEntry {
  return {
    cluster,
    takenAt,
    score,
    summary: { pass: 40, fail: failedHigh, skip: 2 },
    failures: { critical: 0, high: failedHigh, medium: 0, low: 0 },
    categories: { rbac: { pass: 10, fail: failedHigh, skip: 0 } },
  };
}

interface Block {
  block_id: string;
  text?: { text: string };
  fields?: { text: string }[];
  elements?: { text: string }[];
}

/** The Home tabs published with views.publish, in order (the double records every call). */
function published(): { userId: string; view: { type?: string; blocks?: Block[] } }[] {
  return h.slack.successful('views.publish').map((body) => ({
    userId: String(body.user_id),
    view: (typeof body.view === 'string' ? JSON.parse(body.view) : body.view) as {
      type?: string;
      blocks?: Block[];
    },
  }));
}

function blocksOf(index = 0): Block[] {
  return published()[index]?.view.blocks ?? [];
}

function block(blocks: Block[], id: string): Block | undefined {
  return blocks.find((b) => b.block_id === id);
}

describe('the App Home tab', () => {
  it("acks the event at once and publishes each cluster's latest score and open findings", async () => {
    await h.history.put(audit('prod-cluster', '2026-11-30T06:00:00.000Z', 72, 5));
    await h.history.put(audit('prod-cluster', '2026-12-01T06:00:00.000Z', 80, 3));
    const { finding } = await h.alert();

    const answer = await send(h.bot.url, homeOpened(USERS.viewer));
    await h.settle();

    expect(answer.status).toBe(200);
    expect(answer.text).toBe('');
    expect(published()).toHaveLength(1);
    expect(published()[0]?.userId).toBe(USERS.viewer);
    expect(published()[0]?.view.type).toBe('home');
    const blocks = blocksOf();
    expect(block(blocks, 'home_cluster_1')?.text?.text).toBe(
      '*`prod-cluster`* · score *80/100* · ▲ 8 since the last audit · audited <!date^1796104800^{date_short_pretty} {time}|2026-12-01T06:00:00.000Z>',
    );
    expect(block(blocks, 'home_cluster_1')?.fields?.map((f) => f.text)).toEqual([
      '*Failed checks*\n0 critical · 3 high · 0 medium · 0 low',
      `*Open findings*\n${severityLine(finding.detection.severity)}`,
    ]);
    expect(block(blocks, 'home_cluster_2')?.text?.text).toBe('*`staging`* · no audit yet');
    expect(block(blocks, 'home_cluster_2')?.fields?.map((f) => f.text)).toEqual([
      '*Failed checks*\n—',
      '*Open findings*\nnone',
    ]);
    expect(block(blocks, 'home_findings')?.text?.text).toBe(
      `*Open findings, all clusters*\n${severityLine(finding.detection.severity)}`,
    );
    expect(block(blocks, 'home_digests')?.text?.text).toBe(
      '*Your digest subscriptions*\nNo digest subscriptions.',
    );
  });

  it('stops counting a finding once it is suppressed', async () => {
    const { finding } = await h.alert();
    await send(h.bot.url, homeOpened(USERS.admin));
    await h.settle();
    await send(
      h.bot.url,
      signed(
        slashCommandBody({
          user_id: USERS.admin,
          team_id: 'T111',
          text: `suppress ${finding.fingerprint} 4h noisy`,
          trigger_id: '9.111.suppress',
          response_url: h.slack.responseUrl('commands/T111/9/x'),
        }),
      ),
    );
    await h.settle();

    await send(h.bot.url, homeOpened(USERS.admin));
    await h.settle();

    expect((await h.store.get(finding.fingerprint))?.status).toBe('suppressed');
    expect(block(blocksOf(0), 'home_findings')?.text?.text).toBe(
      `*Open findings, all clusters*\n${severityLine(finding.detection.severity)}`,
    );
    expect(block(blocksOf(1), 'home_findings')?.text?.text).toBe('*Open findings, all clusters*\nnone');
  });

  it('shows someone with no role that they have no access and whom to ask, and no data', async () => {
    await h.history.put(audit('prod-cluster', '2026-12-01T06:00:00.000Z', 80, 3));
    await h.alert();
    const from = new Date().toISOString();

    await send(h.bot.url, homeOpened(USERS.stranger));
    await h.settle();

    expect(published()).toHaveLength(1);
    expect(published()[0]?.userId).toBe(USERS.stranger);
    const blocks = blocksOf();
    expect(blocks.map((b) => b.block_id)).toEqual(['home_header', 'home_no_access', 'denial']);
    expect(block(blocks, 'denial')?.text?.text).toBe(
      `You need the *viewer* role to use kubeguard in Slack on at least one cluster — ask an admin (<@${USERS.admin}>) or #platform-security.`,
    );
    expect(JSON.stringify(blocks)).not.toContain('prod-cluster');
    const page = await h.trail.byTime({ from, to: new Date(Date.now() + 1000).toISOString() });
    expect(
      page.records
        .filter((r) => r.actor === USERS.stranger)
        .map(({ type, kind, source, result, role }) => ({ type, kind, source, result, role })),
    ).toEqual([
      { type: 'request', kind: 'home', source: 'event', result: 'accepted', role: undefined },
      { type: 'denial', kind: 'home', source: 'event', result: 'denied', role: 'viewer' },
      { type: 'outcome', kind: 'home', source: 'event', result: 'denied', role: undefined },
    ]);
  });

  it('publishes once for a Slack retry of the same event', async () => {
    await send(h.bot.url, homeOpened(USERS.viewer, { eventId: 'Ev0RETRY01' }));
    // Slack signs a retry afresh, seconds later: a new signature, the same event id.
    const retry = await send(
      h.bot.url,
      homeOpened(USERS.viewer, {
        eventId: 'Ev0RETRY01',
        retry: '1',
        timestamp: Math.floor(Date.now() / 1000) + 2,
      }),
    );
    await h.settle();

    expect(retry.status).toBe(200);
    expect(published()).toHaveLength(1);
  });

  it('answers the challenge Slack sends when the manifest saves the Events request URL', async () => {
    const challenge = loadFixture<{ challenge: string }>('slack-url-verification.json');

    const answer = await send(
      h.bot.url,
      signed(JSON.stringify(challenge), { headers: { 'Content-Type': 'application/json' } }),
    );

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ challenge: challenge.challenge });
  });

  it('publishes nothing when the Messages tab is opened', async () => {
    const answer = await send(h.bot.url, homeOpened(USERS.viewer, { tab: 'messages' }));
    await h.settle();

    expect(answer.status).toBe(200);
    expect(published()).toHaveLength(0);
  });
});

/** One finding of `severity`, as the tab counts it (most severe first). */
function severityLine(severity: string): string {
  return ['critical', 'high', 'medium', 'low'].map((s) => `${s === severity ? 1 : 0} ${s}`).join(' · ');
}
