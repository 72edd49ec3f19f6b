import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ALERT_ACTION_IDS } from '../../core/slack-views/ids.ts';
import { type Dynalite, startDynalite } from '../support/dynalite.ts';
import { ALERT_CHANNEL, type BotHarness, startBotHarness, USERS } from '../support/slack-bot-harness.ts';
import { blockActionBody, send, signed, slashCommandBody } from '../support/slack-requests.ts';

/**
 * The audit trail where the findings are listed: `/k8s findings` shows, under each finding, the
 * newest record of its trail — who did what, with what result, when — whether it was done, refused
 * or is still queued. Signed requests over the local HTTP entry, stores on dynalite.
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
      trigger_id: `${sequence}.333.trail`,
      response_url: h.slack.responseUrl(`commands/T111/${sequence}/t`),
    }),
  );
}

function click(user: string, alert: { channel: string; ts: string; value: string }, actionId: string) {
  sequence += 1;
  return signed(
    blockActionBody({
      actionId,
      value: alert.value,
      userId: user,
      channel: alert.channel,
      messageTs: alert.ts,
      triggerId: `${sequence}.444.trail`,
      actionTs: `1733230000.${String(sequence).padStart(6, '0')}`,
      responseUrl: h.slack.responseUrl(`actions/T111/${sequence}/t`),
    }),
  );
}

/** The `/k8s findings` answer's line for one finding, as the viewer sees it. */
async function listedLine(fingerprint: string): Promise<string | undefined> {
  const before = h.slack.ephemerals.length;
  await send(h.bot.url, command(USERS.viewer, 'findings all'));
  await h.settle();
  const reply = h.slack.ephemerals.slice(before).at(-1);
  const blocks = (reply?.blocks ?? []) as { block_id?: string; text?: { text: string } }[];
  return blocks.find((b) => b.text?.text.includes(`\`${fingerprint.slice(0, 12)}\``))?.text?.text;
}

/** `<!date^…>` of the newest record the trail holds for the finding. */
async function newestDate(fingerprint: string): Promise<string> {
  const at = (await h.trail.byFinding(fingerprint)).at(-1)?.at ?? '';
  return `<!date^${Math.floor(Date.parse(at) / 1000)}^{date_short_pretty} {time}|${at}>`;
}

describe('/k8s findings shows each finding’s last recorded action', () => {
  it('shows who acknowledged it, that it was done, and when', async () => {
    const alert = await h.alert();
    await send(h.bot.url, click(USERS.admin, alert, ALERT_ACTION_IDS.acknowledge));
    await h.settle();

    const line = await listedLine(alert.finding.fingerprint);

    expect(line?.split('\n')[1]).toBe(
      `Last: <@${USERS.admin}> \`ack\` — done, ${await newestDate(alert.finding.fingerprint)}`,
    );
  });

  it('shows a refused click as denied, with who tried', async () => {
    const alert = await h.alert();
    await send(h.bot.url, click(USERS.viewer, alert, ALERT_ACTION_IDS.acknowledge));
    await h.settle();

    const line = await listedLine(alert.finding.fingerprint);

    expect(line?.split('\n')[1]).toBe(
      `Last: <@${USERS.viewer}> \`ack\` — denied, ${await newestDate(alert.finding.fingerprint)}`,
    );
  });

  it('shows nothing more for a finding nobody acted on', async () => {
    const alert = await h.alert();

    const line = await listedLine(alert.finding.fingerprint);

    expect(line).toBeDefined();
    expect(line).not.toContain('\n');
  });

  it('keeps a full page of findings with their last actions within Slack’s limits', async () => {
    for (let i = 0; i < 3; i += 1) {
      const alert = await h.alert(
        [
          'guardduty-eks-exec-in-kube-system-pod.json',
          'guardduty-eks-privileged-container.json',
          'guardduty-eks-anonymous-access-granted.json',
        ][i],
      );
      await send(h.bot.url, click(USERS.admin, alert, ALERT_ACTION_IDS.acknowledge));
    }
    await h.settle();

    await send(h.bot.url, command(USERS.viewer, 'findings all'));
    await h.settle();

    const reply = h.slack.ephemerals.at(-1);
    const blocks = (reply?.blocks ?? []) as { text?: { text: string } }[];
    expect(blocks.length).toBeLessThanOrEqual(50);
    expect(
      blocks.filter((b) => b.text?.text.includes(`Last: <@${USERS.admin}> \`ack\` — done`)),
    ).toHaveLength(3);
    for (const b of blocks) expect(b.text?.text.length ?? 0).toBeLessThanOrEqual(3000);
  });
});
