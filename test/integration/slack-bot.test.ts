import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../core/audit-trail/record.ts';
import { ALERT_ACTION_IDS } from '../../core/slack-views/ids.ts';
import { SUPPRESS_FORM } from '../../core/slack-views/suppress-form.ts';
import { type Dynalite, startDynalite } from '../support/dynalite.ts';
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
 * The Slack bot end to end over loopback: signed requests in the real fixture shapes are POSTed to
 * the local HTTP entry (bot/local.ts: kubeguard's verifier, the Bolt app, the ingress), the action
 * worker runs from the in-process queue, alert delivery updates the alert in the Slack API double,
 * and everything is recorded on dynalite.
 */

let db: Dynalite;
let h: BotHarness;
let sequence = 0;

beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db.stop();
});
beforeEach(async () => {
  await h?.stop();
  h = await startBotHarness({ db });
});
afterAll(async () => {
  await h?.stop();
});

/** A slash command by `user`, with a fresh trigger id and a response URL served by the double. */
function command(user: string, text: string, fields: Record<string, string> = {}) {
  sequence += 1;
  return signed(
    slashCommandBody({
      user_id: user,
      team_id: 'T111',
      channel_id: ALERT_CHANNEL,
      text,
      trigger_id: `${sequence}.111.command`,
      response_url: h.slack.responseUrl(`commands/T111/${sequence}/x`),
      ...fields,
    }),
  );
}

function click(
  user: string,
  alert: { channel: string; ts: string; value: string },
  actionId: string,
  extra: { actionTs?: string } = {},
) {
  sequence += 1;
  return blockActionBody({
    actionId,
    value: alert.value,
    userId: user,
    channel: alert.channel,
    messageTs: alert.ts,
    triggerId: `${sequence}.222.click`,
    actionTs: `1733220000.${String(sequence).padStart(6, '0')}`,
    responseUrl: h.slack.responseUrl(`actions/T111/${sequence}/y`),
    ...extra,
  });
}

async function records(
  fingerprint: string,
): Promise<Pick<AuditRecord, 'type' | 'kind' | 'actor' | 'result'>[]> {
  return (await h.trail.byFinding(fingerprint)).map(({ type, kind, actor, result }) => ({
    type,
    kind,
    actor,
    ...(result === undefined ? {} : { result }),
  }));
}

function allRecords(): Promise<AuditRecord[]> {
  return recentTrail(h);
}

/** The text of the alert message as it stands in the double. */
function alertText(alert: { channel: string; ts: string }): string {
  return JSON.stringify(h.slack.messages.get(`${alert.channel}:${alert.ts}`)?.blocks ?? []);
}

describe('slash commands', () => {
  it('answers /k8s help at once, for a viewer, and records the request', async () => {
    const answer = await send(h.bot.url, command(USERS.viewer, 'help'));

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ response_type: 'ephemeral' });
    const text = (answer.body as { text: string }).text;
    for (const usage of [
      '/k8s findings',
      '/k8s ack FINDING',
      '/k8s suppress FINDING DURATION',
      '/k8s status',
      '/k8s digest',
    ]) {
      expect(text).toContain(usage);
    }
    expect((await allRecords()).map((r) => [r.type, r.kind, r.actor, r.result])).toEqual([
      ['request', 'help', USERS.viewer, 'answered'],
    ]);
  });

  it('refuses a digest subcommand it does not know, with the usage', async () => {
    const answer = await send(h.bot.url, command(USERS.viewer, 'digest weekly'));

    expect((answer.body as { text: string }).text).toContain(
      'unknown digest command "weekly": subscribe, unsubscribe, list, preview',
    );
  });

  it('lists open findings through the response URL, with the ids /k8s ack takes', async () => {
    const alert = await h.alert();

    const answer = await send(h.bot.url, command(USERS.viewer, 'findings open --cluster prod-cluster'));
    await h.settle();

    expect((answer.body as { text: string }).text).toMatch(
      /^Looking up findings… \(request `r-[0-9a-f]{16}`\)$/,
    );
    const [reply] = h.slack.ephemerals;
    expect(reply?.via).toMatch(/^\/hooks\/commands\/T111\/\d+\/x$/);
    expect(reply?.text).toContain('Open findings on prod-cluster');
    expect(JSON.stringify(reply?.blocks)).toContain(`\`${alert.finding.fingerprint.slice(0, 12)}\``);
  });

  it('refuses an unknown cluster and lists the configured ones', async () => {
    const answer = await send(h.bot.url, command(USERS.viewer, 'findings --cluster prod-eu'));

    expect((answer.body as { text: string }).text).toContain(
      'unknown cluster "prod-eu"; configured clusters: prod-cluster, staging',
    );
    await h.settle();
    expect(h.queue.enqueued).toBe(0);
  });

  it('shows pending deliveries and the last finding per source and cluster in /k8s status', async () => {
    await h.alert();

    await send(h.bot.url, command(USERS.viewer, 'status'));
    await h.settle();

    const text = h.slack.ephemerals[0]?.text ?? '';
    expect(text).toContain('Alerts waiting for Slack: none.');
    expect(text).toContain('GuardDuty on `prod-cluster`: last finding');
    expect(text).toContain('No findings yet from `staging`.');
  });

  it('acknowledges a finding named by the start of its id: the alert says who, the thread too, the trail has it all', async () => {
    const alert = await h.alert();

    const answer = await send(
      h.bot.url,
      command(USERS.oncall, `ack ${alert.finding.fingerprint.slice(0, 12)}`),
    );
    await h.settle();

    expect((answer.body as { text: string }).text).toContain(
      `Acknowledging finding \`${alert.finding.fingerprint.slice(0, 12)}\``,
    );
    expect((await h.store.get(alert.finding.fingerprint))?.status).toBe('acknowledged');
    expect(alertText(alert)).toContain(`*Acknowledged* by <@${USERS.oncall}>`);
    expect(h.slack.ephemerals.map((e) => e.text)).toEqual([
      expect.stringContaining(':white_check_mark: Acknowledged: finding'),
    ]);
    const thread = [...h.slack.messages.values()].filter((m) => m.threadTs === alert.ts).map((m) => m.text);
    expect(thread).toContainEqual(
      expect.stringMatching(new RegExp(`^<@${USERS.oncall}> acknowledged this finding \\(request`)),
    );
    expect(await records(alert.finding.fingerprint)).toEqual([
      { type: 'action', kind: 'ack', actor: USERS.oncall },
      { type: 'outcome', kind: 'ack', actor: USERS.oncall, result: 'done' },
    ]);
    // The request itself named a prefix: it is in the trail by time, with the prefix as its target.
    expect((await allRecords()).find((r) => r.type === 'request')).toMatchObject({
      kind: 'ack',
      source: 'command',
      result: 'accepted',
      target: `finding ${alert.finding.fingerprint.slice(0, 12)}`,
    });
  });

  it('suppresses a finding for a duration with a reason', async () => {
    const alert = await h.alert();

    await send(h.bot.url, command(USERS.admin, `suppress ${alert.finding.fingerprint} 4h planned load test`));
    await h.settle();

    const stored = await h.store.get(alert.finding.fingerprint);
    expect(stored?.status).toBe('suppressed');
    expect(stored?.history.at(-1)).toMatchObject({ actor: USERS.admin, reason: 'for 4h: planned load test' });
    expect(
      Date.parse(stored?.history.at(-1)?.until ?? '') - Date.parse(stored?.history.at(-1)?.at ?? ''),
    ).toBe(4 * 3600_000);
    expect(alertText(alert)).toContain('for 4h: planned load test');
  });

  it('explains a bad argument, naming the value and the fix', async () => {
    const answer = await send(h.bot.url, command(USERS.oncall, 'suppress 3f2a9c1e forever'));

    expect((answer.body as { text: string }).text).toContain(
      '"forever" is not a duration from 1 minute to 30 days',
    );
    expect((await allRecords()).map((r) => [r.type, r.result])).toEqual([['request', 'invalid']]);
  });

  it('denies a command to someone without a role, says whom to ask, and records the denial', async () => {
    const answer = await send(h.bot.url, command(USERS.stranger, 'findings'));

    const text = (answer.body as { text: string }).text;
    expect(text).toContain('You need the viewer role to list findings on every cluster');
    expect(text).toContain(`<@${USERS.admin}>`);
    expect(text).toContain('#platform-security');
    expect((await allRecords()).map((r) => [r.type, r.actor, r.result, r.role])).toEqual([
      ['denial', USERS.stranger, 'denied', 'viewer'],
    ]);
  });

  it('answers Slack’s ssl_check probe', async () => {
    const answer = await send(h.bot.url, {
      body: 'ssl_check=1&token=verification_token',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });

    expect(answer.status).toBe(200);
  });
});

describe('buttons and forms', () => {
  it('acknowledges from the alert’s button: the worker’s outcome updates the alert', async () => {
    const alert = await h.alert();

    const answer = await send(h.bot.url, signed(click(USERS.oncall, alert, ALERT_ACTION_IDS.acknowledge)));
    await h.settle();

    expect(answer.status).toBe(200);
    expect(answer.text).toBe('');
    expect((await h.store.get(alert.finding.fingerprint))?.status).toBe('acknowledged');
    expect(alertText(alert)).toContain(`*Acknowledged* by <@${USERS.oncall}>`);
    expect(alertText(alert)).not.toContain(`"action_id":"${ALERT_ACTION_IDS.acknowledge}"`);
    expect(await records(alert.finding.fingerprint)).toEqual([
      { type: 'request', kind: 'ack', actor: USERS.oncall, result: 'accepted' },
      { type: 'action', kind: 'ack', actor: USERS.oncall },
      { type: 'outcome', kind: 'ack', actor: USERS.oncall, result: 'done' },
    ]);
  });

  it('denies a viewer’s Acknowledge click, explains it, records it, and changes nothing', async () => {
    const alert = await h.alert();

    const answer = await send(h.bot.url, signed(click(USERS.viewer, alert, ALERT_ACTION_IDS.acknowledge)));
    await h.settle();

    expect(answer.status).toBe(200);
    expect((await h.store.get(alert.finding.fingerprint))?.status).toBe('open');
    expect(h.slack.ephemerals.map((e) => e.text)).toEqual([
      `You need the responder role to acknowledge findings on cluster prod-cluster — ask an admin (<@${USERS.admin}>) or #platform-security. You have the viewer role there.`,
    ]);
    expect(await records(alert.finding.fingerprint)).toEqual([
      { type: 'denial', kind: 'ack', actor: USERS.viewer, result: 'denied' },
    ]);
  });

  it('opens the suppress form, then suppresses on submission; the answer goes to the alert’s channel', async () => {
    const alert = await h.alert();

    await send(h.bot.url, signed(click(USERS.oncall, alert, ALERT_ACTION_IDS.suppress)));
    const [opened] = h.slack.openedViews;
    expect(opened?.view).toMatchObject({ callback_id: SUPPRESS_FORM.callbackId, type: 'modal' });
    const submission = await send(
      h.bot.url,
      signed(
        viewSubmissionBody({
          callbackId: SUPPRESS_FORM.callbackId,
          privateMetadata: String(opened?.view.private_metadata),
          values: {
            [SUPPRESS_FORM.duration.blockId]: { [SUPPRESS_FORM.duration.actionId]: '2d' },
            [SUPPRESS_FORM.reason.blockId]: { [SUPPRESS_FORM.reason.actionId]: 'known scanner <!channel>' },
          },
          userId: USERS.oncall,
        }),
      ),
    );
    await h.settle();

    expect(submission).toMatchObject({ status: 200, text: '' });
    const stored = await h.store.get(alert.finding.fingerprint);
    expect(stored?.status).toBe('suppressed');
    expect(stored?.history.at(-1)?.reason).toBe('for 2d: known scanner <!channel>');
    expect(alertText(alert)).toContain('known scanner &lt;!channel&gt;');
    expect(h.slack.ephemerals).toEqual([
      expect.objectContaining({ via: 'chat.postEphemeral', channel: ALERT_CHANNEL, user: USERS.oncall }),
    ]);
  });

  it('keeps the form open with a field error for a bad duration', async () => {
    const alert = await h.alert();
    await send(h.bot.url, signed(click(USERS.oncall, alert, ALERT_ACTION_IDS.suppress)));

    const submission = await send(
      h.bot.url,
      signed(
        viewSubmissionBody({
          callbackId: SUPPRESS_FORM.callbackId,
          privateMetadata: String(h.slack.openedViews[0]?.view.private_metadata),
          values: {
            [SUPPRESS_FORM.duration.blockId]: { [SUPPRESS_FORM.duration.actionId]: '90d' },
            [SUPPRESS_FORM.reason.blockId]: { [SUPPRESS_FORM.reason.actionId]: 'noise' },
          },
          userId: USERS.oncall,
        }),
      ),
    );

    expect(submission.body).toEqual({
      response_action: 'errors',
      errors: {
        [SUPPRESS_FORM.duration.blockId]:
          '"90d" is not a duration from 1 minute to 30 days: write a number and m, h, d or w, e.g. 30m, 4h, 2d, 1w',
      },
    });
    expect((await h.store.get(alert.finding.fingerprint))?.status).toBe('open');
  });
});

describe('signatures, replays and idempotency', () => {
  it('refuses a forged, a stale and a replayed request with a bare 401, logging why but never the signature', async () => {
    const alert = await h.alert();
    const body = click(USERS.oncall, alert, ALERT_ACTION_IDS.acknowledge);

    const forged = await send(h.bot.url, signed(body, { secret: 'not-the-signing-secret' }));
    const stale = await send(h.bot.url, signed(body, { timestamp: Math.floor(Date.now() / 1000) - 301 }));
    const genuine = signed(body);
    const first = await send(h.bot.url, genuine);
    const replayed = await send(h.bot.url, genuine);
    await h.settle();

    expect([forged, stale, first, replayed].map((a) => [a.status, a.text])).toEqual([
      [401, ''],
      [401, ''],
      [200, ''],
      [401, ''],
    ]);
    const refusals = h.logs.filter((l) => l.message === 'slack request refused');
    expect(refusals.map((l) => l.attributes?.reason)).toEqual(['mismatch', 'stale', 'replayed']);
    expect(JSON.stringify(h.logs)).not.toContain(genuine.headers['X-Slack-Signature']?.slice(3));
    expect(h.bot.ingress.refused).toMatchObject({ mismatch: 1, stale: 1, replayed: 1 });
    // Only the genuine request ran.
    expect(await records(alert.finding.fingerprint)).toEqual([
      { type: 'request', kind: 'ack', actor: USERS.oncall, result: 'accepted' },
      { type: 'action', kind: 'ack', actor: USERS.oncall },
      { type: 'outcome', kind: 'ack', actor: USERS.oncall, result: 'done' },
    ]);
  });

  it('runs a click once when Slack retries it (same payload, new signature, X-Slack-Retry-Num)', async () => {
    const alert = await h.alert();
    const body = click(USERS.oncall, alert, ALERT_ACTION_IDS.acknowledge);

    const first = await send(h.bot.url, signed(body));
    // Slack signs a retry anew, at its own time.
    const retry = await send(
      h.bot.url,
      signed(body, {
        timestamp: Math.floor(Date.now() / 1000) + 1,
        headers: { 'X-Slack-Retry-Num': '1', 'X-Slack-Retry-Reason': 'http_timeout' },
      }),
    );
    await h.settle();

    expect([first.status, retry.status]).toEqual([200, 200]);
    const stored = await h.store.get(alert.finding.fingerprint);
    expect(stored?.history.filter((entry) => entry.status === 'acknowledged')).toHaveLength(1);
    expect((await records(alert.finding.fingerprint)).filter((r) => r.type === 'action')).toHaveLength(1);
    expect(h.queue.enqueued).toBe(1);
  });

  it('runs a double click once, and two people clicking at once', async () => {
    const alert = await h.alert();

    const answers = await Promise.all([
      send(h.bot.url, signed(click(USERS.oncall, alert, ALERT_ACTION_IDS.acknowledge))),
      send(h.bot.url, signed(click(USERS.oncall, alert, ALERT_ACTION_IDS.acknowledge))),
      send(h.bot.url, signed(click(USERS.admin, alert, ALERT_ACTION_IDS.acknowledge))),
    ]);
    await h.settle();

    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    const stored = await h.store.get(alert.finding.fingerprint);
    expect(stored?.history.filter((entry) => entry.status === 'acknowledged')).toHaveLength(1);
    const trail = await records(alert.finding.fingerprint);
    expect(trail.filter((r) => r.type === 'action')).toHaveLength(1);
    expect(trail.filter((r) => r.type === 'request')).toHaveLength(1);
    // The other two clickers are told the button is already being handled.
    expect(h.slack.ephemerals.filter((e) => e.text.includes('This button was just clicked'))).toHaveLength(2);
  });

  it('runs a command retried by Slack once (the same trigger id)', async () => {
    const alert = await h.alert();
    const body = command(USERS.admin, `ack ${alert.finding.fingerprint}`).body;

    const first = await send(h.bot.url, signed(body));
    const retry = await send(
      h.bot.url,
      signed(body, { timestamp: Math.floor(Date.now() / 1000) + 1, headers: { 'X-Slack-Retry-Num': '1' } }),
    );
    await h.settle();

    expect((retry.body as { text: string }).text).toBe('This command is already being handled.');
    expect((first.body as { text: string }).text).toContain('Acknowledging finding');
    expect((await records(alert.finding.fingerprint)).filter((r) => r.type === 'outcome')).toHaveLength(1);
  });
});
