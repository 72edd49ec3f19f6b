import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../core/audit-trail/record.ts';
import { type Dynalite, startDynalite } from '../support/dynalite.ts';
import { loadFixture } from '../support/fixtures.ts';
import {
  ALERT_CHANNEL,
  type BotHarness,
  recentTrail,
  startBotHarness,
  USERS,
} from '../support/slack-bot-harness.ts';
import { modalBlockActionBody, send, signed, slashCommandBody } from '../support/slack-requests.ts';

/**
 * `/k8s digest` and the App Home's digest toggles end to end over the local HTTP entry: signed
 * slash commands and clicks, the real Bolt app and ingress, the worker on dynalite's subscription
 * store, and the digest's Slack calls (conversations.open, chat.postMessage, files.uploadV2) on the
 * Slack double.
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

function command(user: string, text: string) {
  sequence += 1;
  return signed(
    slashCommandBody({
      user_id: user,
      team_id: 'T111',
      channel_id: ALERT_CHANNEL,
      text,
      trigger_id: `${sequence}.111.digest`,
      response_url: h.slack.responseUrl(`commands/T111/${sequence}/x`),
    }),
  );
}

async function run(user: string, text: string): Promise<string> {
  const answer = await send(h.bot.url, command(user, text));
  await h.settle();
  return (answer.body as { text: string }).text;
}

function lastEphemeral(): string {
  return h.slack.ephemerals.at(-1)?.text ?? '';
}

async function digestRecords(): Promise<AuditRecord[]> {
  return (await recentTrail(h)).filter((r) => r.kind === 'digest');
}

const ID = /id `([0-9a-f]{8})`/;

describe('/k8s digest', () => {
  it('subscribes, lists, refuses a viewer a channel, accepts an admin, unsubscribes', async () => {
    expect(await run(USERS.viewer, 'digest subscribe weekly all me')).toMatch(
      /^Subscribing you to the weekly digest of every cluster… \(request `r-[0-9a-f]{16}`\)$/,
    );
    const subscribed = lastEphemeral();
    expect(subscribed).toMatch(
      /^:calendar: Subscribed: the weekly digest of every cluster by direct message, Mondays 09:00 your time zone \(id `[0-9a-f]{8}`\)\. The first digest comes at the next one\.$/,
    );
    const id = ID.exec(subscribed)?.[1] ?? '';

    await run(USERS.viewer, 'digest list');
    expect(lastEphemeral().split('\n')).toEqual([
      ':calendar: Your digest subscriptions (1):',
      `• \`${id}\` the weekly digest of every cluster by direct message · Mondays 09:00 your time zone`,
      'Cancel one with `/k8s digest unsubscribe ID`.',
    ]);

    const refused = await run(
      USERS.viewer,
      `digest subscribe daily prod-cluster <#${ALERT_CHANNEL}|kubeguard-alerts>`,
    );
    expect(refused).toContain('admin');
    expect(refused).toContain('manage digest subscriptions');
    expect(h.slack.ephemerals).toHaveLength(2);

    await run(USERS.admin, `digest subscribe daily prod-cluster <#${ALERT_CHANNEL}|kubeguard-alerts>`);
    expect(lastEphemeral()).toMatch(
      new RegExp(
        `^:calendar: Subscribed: the daily digest of \`prod-cluster\` in <#${ALERT_CHANNEL}>, Every day 09:00 UTC \\(id \`[0-9a-f]{8}\`\\)`,
      ),
    );

    await run(USERS.viewer, `digest unsubscribe ${id}`);
    expect(lastEphemeral()).toBe(
      `:calendar: Unsubscribed: the weekly digest of every cluster by direct message (id \`${id}\`).`,
    );
    await run(USERS.viewer, 'digest list');
    expect(lastEphemeral()).toContain('You have no digest subscriptions.');

    const records = await digestRecords();
    expect(
      records
        .filter((r) => r.actor === USERS.viewer && r.type !== 'request')
        .map((r) => [r.type, r.result ?? null, r.role ?? null])
        .sort(),
    ).toEqual(
      [
        ['action', null, null],
        ['action', null, null],
        ['denial', 'denied', 'admin'],
        ['outcome', 'done', null],
        ['outcome', 'done', null],
        ['outcome', 'done', null],
        ['outcome', 'done', null],
      ].sort(),
    );
  });

  it('previews the digest by direct message with its chart uploaded', async () => {
    expect(await run(USERS.viewer, 'digest preview prod-cluster')).toMatch(
      /^Building the weekly digest of prod-cluster; it comes to you by direct message…/,
    );
    expect(lastEphemeral()).toBe(
      ':calendar: Sent you the weekly digest of `prod-cluster` as it would be sent now, by direct message with its chart.',
    );
    const opened = h.slack.successful('conversations.open');
    expect(opened.map((b) => b.users)).toEqual([USERS.viewer]);
    const dm = [...h.slack.messages.values()].filter((m) => m.channel === 'D0VIEWER');
    expect(dm).toHaveLength(2);
    expect(dm[0]?.text).toContain('posture');
    expect(dm[0]?.blocks.length).toBeGreaterThan(2);
    const [file] = dm[1]?.files ?? [];
    expect(file?.filetype).toBe('png');
    expect(file?.name).toMatch(/^kubeguard-posture-preview-\d{4}-\d{2}-\d{2}\.png$/);
    expect([...(file?.bytes.subarray(0, 8) ?? [])]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  });

  it('explains bad arguments before queueing anything', async () => {
    expect(await run(USERS.viewer, 'digest')).toContain(
      'say what to do: subscribe, unsubscribe, list, preview. Usage: /k8s digest subscribe weekly|daily',
    );
    expect(await run(USERS.viewer, 'digest subscribe hourly')).toContain(
      'say how often: weekly or daily; received "hourly"',
    );
    expect(await run(USERS.viewer, 'digest subscribe weekly prod-eu')).toContain(
      'unknown cluster "prod-eu"; configured clusters: prod-cluster, staging — or say all',
    );
    expect(await run(USERS.viewer, 'digest subscribe weekly #security')).toContain(
      'pick the channel from Slack\'s suggestions so the command carries its id; "#security" is only a name',
    );
    expect(await run(USERS.viewer, 'digest preview prod-eu')).toContain(
      'unknown cluster "prod-eu"; configured clusters: prod-cluster, staging — or say all',
    );
    expect(await run(USERS.viewer, 'digest unsubscribe')).toContain('name the subscription');
    expect(h.queue.enqueued).toBe(0);
  });

  it('subscribes once when Slack retries the command', async () => {
    const body = slashCommandBody({
      user_id: USERS.viewer,
      team_id: 'T111',
      channel_id: ALERT_CHANNEL,
      text: 'digest subscribe weekly staging me',
      trigger_id: '99.111.retry',
      response_url: h.slack.responseUrl('commands/T111/99/x'),
    });
    await send(h.bot.url, signed(body));
    // Slack signs a retry anew, at its own time.
    const again = await send(
      h.bot.url,
      signed(body, {
        timestamp: Math.floor(Date.now() / 1000) + 1,
        headers: { 'X-Slack-Retry-Num': '1', 'X-Slack-Retry-Reason': 'http_timeout' },
      }),
    );
    await h.settle();

    expect((again.body as { text: string }).text).toBe('This command is already being handled.');
    await run(USERS.viewer, 'digest list');
    expect(lastEphemeral()).toContain('Your digest subscriptions (1):');
    expect((await digestRecords()).filter((r) => r.type === 'action')).toHaveLength(1);
  });
});

interface HomeBlock {
  block_id: string;
  text?: { text: string };
  accessory?: { action_id: string; value: string };
  elements?: { action_id: string; value: string }[];
}

function homeOf(user: string): { id: string; blocks: HomeBlock[] } {
  const id = h.slack.state.homes.get(user) ?? '';
  const view = h.slack.state.views.get(id)?.current as { blocks: HomeBlock[] };
  return { id, blocks: view.blocks };
}

function homeClick(user: string, actionId: string, value: string, blockId: string) {
  sequence += 1;
  const { id } = homeOf(user);
  const view = h.slack.state.views.get(id)?.current ?? {};
  return signed(
    modalBlockActionBody({
      actionId,
      value,
      userId: user,
      view,
      blockId,
      actionTs: `1733220000.${String(sequence).padStart(6, '0')}`,
    }),
  );
}

function homeOpened(user: string) {
  sequence += 1;
  const payload = loadFixture<{ event: Record<string, unknown> }>('slack-app-home-opened.json');
  return signed(
    JSON.stringify({
      ...payload,
      team_id: 'T111',
      event_id: `Ev0DIGEST${String(sequence).padStart(4, '0')}`,
      event: { ...payload.event, user, tab: 'home' },
    }),
    { headers: { 'Content-Type': 'application/json' } },
  );
}

describe('the App Home digest toggles', () => {
  it('shows the subscriptions, unsubscribes with its button and subscribes weekly with the other', async () => {
    await run(USERS.viewer, 'digest subscribe daily staging me');
    const id = ID.exec(lastEphemeral())?.[1] ?? '';
    await send(h.bot.url, homeOpened(USERS.viewer));
    await h.settle();

    let home = homeOf(USERS.viewer);
    const row = home.blocks.find((b) => b.block_id === 'home_digest_1');
    expect(row?.text?.text).toBe(
      `• *Daily posture digest (${id})* · Every day 09:00 your time zone · \`staging\``,
    );
    expect(row?.accessory?.action_id).toBe('digest_unsubscribe');
    expect(row?.accessory?.value).toMatch(new RegExp(`^${id}[0-9a-f]{16}$`));
    expect(home.blocks.find((b) => b.block_id === 'home_digest_actions')?.elements?.[0]?.action_id).toBe(
      'digest_subscribe_weekly',
    );

    await send(
      h.bot.url,
      homeClick(USERS.viewer, 'digest_unsubscribe', row?.accessory?.value ?? '', 'home_digest_1'),
    );
    await h.settle();
    home = homeOf(USERS.viewer);
    expect(home.blocks.find((b) => b.block_id === 'home_digests')?.text?.text).toBe(
      '*Your digest subscriptions*\nNo digest subscriptions.',
    );

    await send(
      h.bot.url,
      homeClick(USERS.viewer, 'digest_subscribe_weekly', 'weekly', 'home_digest_actions'),
    );
    await h.settle();
    home = homeOf(USERS.viewer);
    expect(home.blocks.find((b) => b.block_id === 'home_digest_1')?.text?.text).toMatch(
      /^• \*Weekly posture digest \([0-9a-f]{8}\)\* · Mondays 09:00 your time zone · every cluster$/,
    );
    // The Home shows the change; no message was sent for the clicks.
    expect(h.slack.ephemerals).toHaveLength(1);
  });
});
