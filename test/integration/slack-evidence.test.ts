import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sha256OfBytes } from '../../adapters/evidence/pack-archive.ts';
import { createStoredEvidenceSources, localReportFiles } from '../../adapters/evidence/pack-sources.ts';
import { createLocalEvidencePackStore } from '../../adapters/evidence/pack-store.ts';
import { type Dynalite, startDynalite } from '../support/dynalite.ts';
import {
  ALERT_CHANNEL,
  BOT_CONFIG,
  type BotHarness,
  recentTrail,
  startBotHarness,
  trailFacts,
  USERS,
} from '../support/slack-bot-harness.ts';
import { send, signed, slashCommandBody } from '../support/slack-requests.ts';

/**
 * `/k8s evidence` end to end over loopback: a signed slash command to the local HTTP entry, the
 * ingress's role check and acknowledgement, the worker building the pack with the real builder over
 * the harness's stores, archiving it and storing it in a local directory, and the answer through the
 * response URL of the Slack API double.
 */

let db: Dynalite;
let h: BotHarness;
let dir: string;
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
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = mkdtempSync(join(tmpdir(), 'kubeguard-slack-evidence-'));
  h = await startBotHarness({
    db,
    workerClock: () => '2026-12-03T10:00:00.000Z',
    evidence: (stores) => ({
      sources: createStoredEvidenceSources({
        clusters: () => BOT_CONFIG.clusters.map((c) => c.name),
        ...stores,
        reports: localReportFiles(dir),
      }),
      store: createLocalEvidencePackStore(join(dir, 'evidence-packs')),
    }),
  });
});

function command(user: string, text: string) {
  sequence += 1;
  return signed(
    slashCommandBody({
      user_id: user,
      team_id: 'T111',
      channel_id: ALERT_CHANNEL,
      text,
      trigger_id: `${sequence}.111.command`,
      response_url: h.slack.responseUrl(`commands/T111/${sequence}/x`),
    }),
  );
}

async function records() {
  return (await recentTrail(h)).map(trailFacts);
}

describe('/k8s evidence', () => {
  it('acknowledges at once, builds and stores the pack, and answers the person alone with its hashes', async () => {
    const answer = await send(
      h.bot.url,
      command(USERS.viewer, 'evidence prod-cluster --from 2026-11-01 --to 2026-11-30 --framework soc2'),
    );
    await h.settle();

    expect((answer.body as { text: string }).text).toMatch(
      /^Building the evidence pack of prod-cluster \(2026-11-01 to 2026-11-30, soc2\); it comes to you when it is stored… \(request `r-[0-9a-f]{16}`\)$/,
    );
    const reply = h.slack.ephemerals.find((message) => message.text.startsWith('Evidence pack'));
    expect(reply?.via).toContain('commands/T111/');
    // Nothing about the pack is posted in the channel.
    expect(h.slack.successful('chat.postMessage')).toEqual([]);
    const text = JSON.stringify(reply?.blocks);
    expect(text).toContain('Evidence pack 2026-11-01 to 2026-11-30');
    expect(text).toContain('*SOC 2 (2017 TSC)*');
    const sha = /\*Archive SHA-256:\* `([0-9a-f]{64})`/.exec(text.replaceAll('\\n', '\n'))?.[1];
    const location = /\*Archive:\* `([^`]+)`/.exec(text)?.[1] ?? '';
    expect(sha).toBeDefined();
    // The archive on disk is the one the answer names.
    expect(sha256OfBytes(readFileSync(location))).toBe(sha);
    // The worker's clock is fixed, so the outcome may sort before the request: compare as a set.
    const trail = await records();
    expect(trail).toHaveLength(2);
    expect(trail).toEqual(
      expect.arrayContaining([
        {
          type: 'request',
          kind: 'evidence',
          actor: USERS.viewer,
          result: 'accepted',
          cluster: 'prod-cluster',
        },
        { type: 'outcome', kind: 'evidence', actor: USERS.viewer, result: 'done', cluster: 'prod-cluster' },
      ]),
    );
  });

  it('explains a wrong date to the person and queues nothing', async () => {
    const answer = await send(h.bot.url, command(USERS.viewer, 'evidence --from 2026-11-31 --to 2026-12-01'));
    await h.settle();

    expect((answer.body as { text: string }).text).toContain('--from "2026-11-31" is not a date');
    expect(await records()).toEqual([
      { type: 'request', kind: 'evidence', actor: USERS.viewer, result: 'invalid' },
    ]);
    expect(h.slack.ephemerals.some((message) => message.text.startsWith('Evidence pack'))).toBe(false);
  });

  it('refuses someone without a role and records the denial', async () => {
    const answer = await send(h.bot.url, command(USERS.stranger, 'evidence prod-cluster'));
    await h.settle();

    expect((answer.body as { text: string }).text).toContain('viewer');
    expect(h.slack.ephemerals.some((message) => message.text.startsWith('Evidence pack'))).toBe(false);
    expect(await records()).toEqual([
      { type: 'denial', kind: 'evidence', actor: USERS.stranger, result: 'denied', cluster: 'prod-cluster' },
    ]);
  });
});
