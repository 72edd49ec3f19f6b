import { describe, expect, it } from 'vitest';
import { InMemoryDigestLedger, InMemoryDigestSubscriptions } from '#adapters/local/digest-stores.ts';
import { type DigestRunDeps, runDueDigests } from '#core/digest/send.ts';
import { staticDigestSources } from '#core/digest/sources.ts';
import { DEFAULT_DIGEST_SETTINGS, subscriptionOf } from '#core/digest/subscriptions.ts';
import { dailyHistory } from '#test/support/digest-data.ts';
import { FakeDigestSlack } from '#test/support/fake-digest-slack.ts';

const CREATED = '2026-12-01T00:00:00.000Z';
const kiwi = subscriptionOf(
  { frequency: 'weekly', target: { kind: 'dm', user: 'U0KIWI' } },
  'U0KIWI',
  CREATED,
);
const angel = subscriptionOf(
  { frequency: 'weekly', target: { kind: 'dm', user: 'U0ANGEL' } },
  'U0ANGEL',
  CREATED,
);
const ZONES = { U0KIWI: 'Pacific/Auckland', U0ANGEL: 'America/Los_Angeles' };

async function setup(subscriptionsToAdd = [kiwi, angel]) {
  const subscriptions = new InMemoryDigestSubscriptions();
  for (const subscription of subscriptionsToAdd) await subscriptions.put(subscription);
  let now = '2026-12-06T00:00:00.000Z';
  const slack = new FakeDigestSlack(ZONES, () => now);
  const ledger = new InMemoryDigestLedger();
  const deps = (owner: string): DigestRunDeps => ({
    subscriptions,
    ledger,
    sources: staticDigestSources({
      history: dailyHistory('prod', '2026-12-08T00:00:00.000Z', 84, (day) => 50 + (day % 7)),
    }),
    slack,
    chart: { png: async () => new Uint8Array([137, 80, 78, 71]) },
    clusters: ['prod'],
    suppressions: [],
    settings: DEFAULT_DIGEST_SETTINGS,
    owner,
    clock: () => now,
  });
  return {
    slack,
    ledger,
    deps,
    at(iso: string) {
      now = iso;
    },
  };
}

describe('sending digests at 09:00 in each subscriber’s zone, once per period', () => {
  it('sends Auckland’s at Sunday 20:00 UTC and Los Angeles’s at Monday 17:00 UTC, on a 15-minute schedule', async () => {
    const world = await setup();

    for (
      let ms = Date.parse('2026-12-06T00:00:00.000Z');
      ms < Date.parse('2026-12-08T00:00:00.000Z');
      ms += 15 * 60_000
    ) {
      world.at(new Date(ms).toISOString());
      await runDueDigests(world.deps(`run-${ms}`));
    }

    expect(world.slack.posts.map((post) => [post.channel, post.at, post.metadata?.payload.period])).toEqual([
      ['D0KIWI', '2026-12-06T20:00:00.000Z', '2026-W50'],
      ['D0ANGEL', '2026-12-07T17:00:00.000Z', '2026-W50'],
    ]);
    expect(world.slack.uploads.map((upload) => [upload.channel, upload.filename])).toEqual([
      ['D0KIWI', 'kubeguard-posture-2026-W50.png'],
      ['D0ANGEL', 'kubeguard-posture-2026-W50.png'],
    ]);
  });

  it('sends nothing twice when an invocation is retried', async () => {
    const world = await setup();
    world.at('2026-12-07T17:05:00.000Z');

    const first = await runDueDigests(world.deps('run-1'));
    const retry = await runDueDigests(world.deps('run-1-retry'));

    expect(first.sent).toEqual([`${angel.id}:2026-W50`, `${kiwi.id}:2026-W50`]);
    expect(retry).toMatchObject({ due: 2, sent: [], alreadySent: 2, failed: [] });
    expect(world.slack.posts).toHaveLength(2);
  });

  it('sends each digest once when two invocations run at the same time', async () => {
    const world = await setup();
    world.at('2026-12-07T17:05:00.000Z');

    const [a, b] = await Promise.all([
      runDueDigests(world.deps('run-a')),
      runDueDigests(world.deps('run-b')),
    ]);

    expect(a.sent.length + b.sent.length).toBe(2);
    expect(world.slack.posts.map((post) => post.channel).sort()).toEqual(['D0ANGEL', 'D0KIWI']);
    expect(world.slack.uploads).toHaveLength(2);
  });

  it('sends a digest whose sender crashed after claiming, once its lease runs out', async () => {
    const world = await setup([angel]);
    const key = { subscriptionId: angel.id, period: '2026-W50' };
    await world.ledger.claim(key, 'crashed-run', '2026-12-07T17:00:00.000Z', '2026-12-07T17:05:00.000Z');

    world.at('2026-12-07T17:03:00.000Z');
    expect(await runDueDigests(world.deps('run-2'))).toMatchObject({ sent: [], busy: 1 });
    world.at('2026-12-07T17:15:00.000Z');
    expect((await runDueDigests(world.deps('run-3'))).sent).toEqual([`${angel.id}:2026-W50`]);
    expect(world.slack.posts).toHaveLength(1);
  });

  it('finds a post whose answer was lost instead of posting it again', async () => {
    const world = await setup([angel]);
    world.slack.loseNextPostAnswers = 1;
    world.at('2026-12-07T17:00:00.000Z');

    const first = await runDueDigests(world.deps('run-1'));
    world.at('2026-12-07T17:15:00.000Z');
    const second = await runDueDigests(world.deps('run-2'));

    expect(first.failed).toEqual([
      {
        subscription: angel.id,
        period: '2026-W50',
        code: 'UPSTREAM',
        message: 'Slack chat.postMessage did not complete: socket hang up; retry later',
      },
    ]);
    expect(second.sent).toEqual([`${angel.id}:2026-W50`]);
    expect(world.slack.posts).toHaveLength(1);
    expect(world.slack.uploads).toHaveLength(1);
  });

  it('shares the chart on the next run when only the upload failed, without posting again', async () => {
    const world = await setup([angel]);
    world.slack.failNextUploads = 1;
    world.at('2026-12-07T17:00:00.000Z');

    await runDueDigests(world.deps('run-1'));
    world.at('2026-12-07T17:15:00.000Z');
    await runDueDigests(world.deps('run-2'));

    expect(world.slack.posts).toHaveLength(1);
    expect(world.slack.uploads).toHaveLength(1);
    expect(await world.ledger.isSent({ subscriptionId: angel.id, period: '2026-W50' })).toBe(true);
  });

  it('posts channel digests at 09:00 in the configured channel zone', async () => {
    const channel = subscriptionOf(
      { frequency: 'daily', target: { kind: 'channel', channel: 'C0SEC' } },
      'U0ADMIN',
      CREATED,
    );
    const world = await setup([channel]);
    world.at('2026-12-07T07:59:00.000Z');
    const deps = {
      ...world.deps('run-1'),
      settings: { ...DEFAULT_DIGEST_SETTINGS, channelTimeZone: 'Europe/Berlin' },
    };

    await runDueDigests(deps);
    world.at('2026-12-07T08:00:00.000Z');
    await runDueDigests({ ...deps, owner: 'run-2' });

    expect(world.slack.posts.map((post) => [post.channel, post.metadata?.payload.period])).toEqual([
      ['C0SEC', '2026-12-06'],
      ['C0SEC', '2026-12-07'],
    ]);
  });

  it('waits for the next run when a person’s time zone cannot be read, rather than guessing UTC', async () => {
    const world = await setup([kiwi]);
    world.slack.failZoneLookups = true;
    world.at('2026-12-06T20:00:00.000Z');

    expect(await runDueDigests(world.deps('run-1'))).toMatchObject({ due: 0, sent: [], deferred: 1 });
    world.slack.failZoneLookups = false;
    world.at('2026-12-06T20:15:00.000Z');
    expect((await runDueDigests(world.deps('run-2'))).sent).toEqual([`${kiwi.id}:2026-W50`]);
  });
});
