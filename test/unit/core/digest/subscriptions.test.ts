import { describe, expect, it } from 'vitest';
import { InMemoryDigestSubscriptions } from '#adapters/local/digest-stores.ts';
import { authorize } from '#core/authz/policy.ts';
import { previewDigest } from '#core/digest/preview.ts';
import { staticDigestSources } from '#core/digest/sources.ts';
import {
  DEFAULT_DIGEST_SETTINGS,
  parseSubscriptionRequest,
  subscribe,
  subscriptionRequirement,
  subscriptionSummary,
  unsubscribe,
} from '#core/digest/subscriptions.ts';
import { dailyHistory } from '#test/support/digest-data.ts';

const CONTEXT = { userId: 'U0ALICE', clusters: ['prod', 'staging'] };
const AT = '2026-12-03T12:00:00.000Z';

describe('digest subscription requests', () => {
  it('reads the frequency, then a cluster or all and a channel or me in any order', () => {
    expect(parseSubscriptionRequest(['weekly'], CONTEXT)).toEqual({
      frequency: 'weekly',
      target: { kind: 'dm', user: 'U0ALICE' },
    });
    expect(parseSubscriptionRequest(['daily', '<#C0SEC|security>', 'prod'], CONTEXT)).toEqual({
      frequency: 'daily',
      cluster: 'prod',
      target: { kind: 'channel', channel: 'C0SEC' },
    });
    expect(parseSubscriptionRequest(['weekly', 'all', 'me'], CONTEXT)).toEqual({
      frequency: 'weekly',
      target: { kind: 'dm', user: 'U0ALICE' },
    });
  });

  it('names what is wrong and how to say it', () => {
    expect(() => parseSubscriptionRequest(['monthly'], CONTEXT)).toThrow(
      'say how often: weekly or daily; received "monthly" — usage: /k8s digest subscribe weekly|daily [CLUSTER|all] [#channel|me]',
    );
    expect(() => parseSubscriptionRequest(['weekly', 'prod-eu'], CONTEXT)).toThrow(
      'unknown cluster "prod-eu"; configured clusters: prod, staging — or say all',
    );
    expect(() => parseSubscriptionRequest(['weekly', '#security'], CONTEXT)).toThrow(
      'pick the channel from Slack\'s suggestions so the command carries its id; "#security" is only a name',
    );
  });

  it('needs the configured role to subscribe a channel, viewer for a DM', () => {
    const channel = parseSubscriptionRequest(['weekly', 'prod', '<#C0SEC>'], CONTEXT);
    const dm = parseSubscriptionRequest(['weekly', 'prod'], CONTEXT);
    const config = {
      grants: [{ role: 'responder' as const, users: ['U0ALICE'], userGroups: [] }],
      userGroupCacheSeconds: 60,
    };
    const subject = { userId: 'U0ALICE', groups: new Set<string>() };

    expect(subscriptionRequirement(channel, DEFAULT_DIGEST_SETTINGS)).toEqual({
      role: 'admin',
      cluster: 'prod',
    });
    expect(
      authorize(config, subject, subscriptionRequirement(channel, DEFAULT_DIGEST_SETTINGS)).allowed,
    ).toBe(false);
    expect(
      authorize(
        config,
        subject,
        subscriptionRequirement(channel, { ...DEFAULT_DIGEST_SETTINGS, channelSubscriberRole: 'responder' }),
      ).allowed,
    ).toBe(true);
    expect(authorize(config, subject, subscriptionRequirement(dm, DEFAULT_DIGEST_SETTINGS)).allowed).toBe(
      true,
    );
  });

  it('keeps several subscriptions per person, the same request once, and removes one by id prefix', async () => {
    const store = new InMemoryDigestSubscriptions();
    const weekly = parseSubscriptionRequest(['weekly'], CONTEXT);
    const daily = parseSubscriptionRequest(['daily', 'prod'], CONTEXT);

    const first = await subscribe(store, weekly, 'U0ALICE', AT);
    const again = await subscribe(store, weekly, 'U0ALICE', '2026-12-04T00:00:00.000Z');
    await subscribe(store, daily, 'U0ALICE', '2026-12-03T13:00:00.000Z');

    expect(first.created).toBe(true);
    expect(again).toEqual({ subscription: first.subscription, created: false });
    expect((await store.listByOwner('U0ALICE')).map((s) => s.frequency)).toEqual(['weekly', 'daily']);
    expect(await unsubscribe(store, 'U0ALICE', { id: first.subscription.id.slice(0, 8) })).toEqual(
      first.subscription,
    );
    await expect(unsubscribe(store, 'U0BOB', { request: daily })).rejects.toThrow(
      'no such digest subscription of yours',
    );
    expect((await store.listByOwner('U0ALICE')).map((s) => s.frequency)).toEqual(['daily']);
    expect(subscriptionSummary(first.subscription, DEFAULT_DIGEST_SETTINGS, 'Europe/Berlin')).toEqual({
      name: `Weekly posture digest (${first.subscription.id.slice(0, 8)})`,
      schedule: 'Mondays 09:00 Europe/Berlin',
    });
  });

  it('previews the digest for the period ending now', async () => {
    const sources = staticDigestSources({
      history: dailyHistory('prod', AT, 84, (day) => 50 + Math.floor(day / 7)),
    });

    const preview = await previewDigest(
      sources,
      { frequency: 'weekly', cluster: 'prod' },
      { at: AT, clusters: ['prod', 'staging'], suppressions: [] },
    );

    expect(preview.content.period).toEqual({
      frequency: 'weekly',
      from: '2026-11-26T12:00:00.000Z',
      to: AT,
      nextTo: '2026-12-10T12:00:00.000Z',
    });
    expect(preview.content.clusters.map((c) => [c.cluster, c.latest?.score, c.change])).toEqual([
      ['prod', 62, 1],
    ]);
    expect(preview.message.text).toBe('Weekly posture digest: safer');
    expect(preview.chart.svg).toContain('<svg');
  });
});
