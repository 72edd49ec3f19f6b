import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSocketModeBot } from '../../bot/local.ts';
import { ALERT_ACTION_IDS } from '../../core/slack-views/ids.ts';
import { type Dynalite, startDynalite } from '../support/dynalite.ts';
import { readFixtureFile } from '../support/fixtures.ts';
import {
  ALERT_CHANNEL,
  BOT_TOKEN,
  type BotHarness,
  startBotHarness,
  USERS,
} from '../support/slack-bot-harness.ts';
import { blockActionBody } from '../support/slack-requests.ts';
import { type SocketModeServer, startSocketModeServer } from '../support/socket-mode-server.ts';

/**
 * bot/local.ts over Socket Mode (SLACK_APP_TOKEN set): the same Bolt app, connected to a local
 * Socket Mode server speaking Slack's protocol (apps.connections.open → ws:// URL → hello →
 * envelopes → acks). Envelopes carry the documented slash command payload and the real
 * block_actions fixture; the requests reach the same ingress, queue and worker as over HTTP.
 */

const APP_TOKEN = 'xapp-1-A111-1-socketmodetest';
const socketFixture = readFixtureFile('slack-socket-mode.json');

let db: Dynalite;
let h: BotHarness;
let server: SocketModeServer;
let bot: { stop(): Promise<void> };
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
  server = await startSocketModeServer(APP_TOKEN);
  bot = await startSocketModeBot({
    deps: h.deps,
    botToken: BOT_TOKEN,
    appToken: APP_TOKEN,
    slackApiUrl: server.apiUrl,
  });
});
afterEach(async () => {
  await bot.stop();
  await server.stop();
});

/** The guide's slash command payload, as kubeguard's `/k8s` by `user`. */
function slashCommand(user: string, text: string): Record<string, unknown> {
  sequence += 1;
  const documented = (socketFixture.slashCommandEnvelope as { payload: Record<string, string> }).payload;
  return {
    ...documented,
    team_id: 'T111',
    channel_id: ALERT_CHANNEL,
    user_id: user,
    command: '/k8s',
    text,
    trigger_id: `${sequence}.555.socket`,
    response_url: h.slack.responseUrl(`commands/T111/${sequence}/s`),
  };
}

/** The block_actions fixture (test/support/slack-requests.ts), as the object an envelope carries. */
function clickPayload(user: string, alert: { channel: string; ts: string; value: string }, actionId: string) {
  sequence += 1;
  const form = blockActionBody({
    actionId,
    value: alert.value,
    userId: user,
    channel: alert.channel,
    messageTs: alert.ts,
    triggerId: `${sequence}.666.socket`,
    actionTs: `1733240000.${String(sequence).padStart(6, '0')}`,
    responseUrl: h.slack.responseUrl(`actions/T111/${sequence}/s`),
  });
  return JSON.parse(decodeURIComponent(form.slice('payload='.length))) as Record<string, unknown>;
}

describe('the local bot over Socket Mode', () => {
  it('opens the connection with the app token and waits for hello', () => {
    expect(server.connectionsOpened).toEqual([APP_TOKEN]);
    expect(server.connected).toBe(true);
  });

  it('acks a slash command envelope with the answer, and the worker answers as over HTTP', async () => {
    await h.alert();

    const envelopeId = server.send('slash_commands', slashCommand(USERS.viewer, 'findings open'));
    const ack = await server.ack(envelopeId);
    await h.settle();

    expect(ack.envelope_id).toBe(envelopeId);
    expect(ack.payload).toMatchObject({ response_type: 'ephemeral' });
    expect(String(ack.payload?.text)).toMatch(/^Looking up findings… \(request `r-[0-9a-f]{16}`\)$/);
    const requestId = /`(r-[0-9a-f]{16})`/.exec(String(ack.payload?.text))?.[1];
    const [reply] = h.slack.ephemerals;
    expect(reply?.via).toBe(`/hooks/commands/T111/${sequence}/s`);
    expect(reply?.text).toMatch(/^\*Open findings\* \(1\)$/);
    const page = await h.trail.byTime({
      from: new Date(Date.now() - 60_000).toISOString(),
      to: new Date(Date.now() + 1000).toISOString(),
    });
    expect(
      page.records
        .filter((r) => r.requestId === requestId)
        .map(({ type, kind, source, result, actor }) => ({ type, kind, source, result, actor })),
    ).toEqual([
      { type: 'request', kind: 'findings', source: 'command', result: 'accepted', actor: USERS.viewer },
      { type: 'outcome', kind: 'findings', source: 'command', result: 'done', actor: USERS.viewer },
    ]);
  });

  it('acks an interactive envelope empty, and the click acknowledges the finding', async () => {
    const alert = await h.alert();

    const envelopeId = server.send(
      'interactive',
      clickPayload(USERS.admin, alert, ALERT_ACTION_IDS.acknowledge),
    );
    const ack = await server.ack(envelopeId);
    await h.settle();

    // Bolt acks an interactive envelope with an empty payload: nothing to show, the worker answers.
    expect(ack).toEqual({ envelope_id: envelopeId, payload: {} });
    expect((await h.store.get(alert.finding.fingerprint))?.status).toBe('acknowledged');
    expect(
      (await h.trail.byFinding(alert.finding.fingerprint)).map(({ type, kind, source, result }) => ({
        type,
        kind,
        source,
        result,
      })),
    ).toEqual([
      { type: 'request', kind: 'ack', source: 'button', result: 'accepted' },
      { type: 'action', kind: 'ack', source: 'button', result: undefined },
      { type: 'outcome', kind: 'ack', source: 'button', result: 'done' },
    ]);
  });

  it('runs a redelivered envelope once (the same trigger id claims the same key)', async () => {
    const payload = slashCommand(USERS.viewer, 'status');

    const first = await server.ack(server.send('slash_commands', payload));
    const again = await server.ack(server.send('slash_commands', payload));
    await h.settle();

    expect(String(first.payload?.text)).toMatch(/^Checking kubeguard’s status… \(request/);
    expect(again.payload?.text).toBe('This command is already being handled.');
    expect(h.slack.ephemerals).toHaveLength(1);
  });
});
