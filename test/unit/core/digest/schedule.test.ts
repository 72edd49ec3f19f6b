import { describe, expect, it } from 'vitest';
import { currentPeriod, dueDigests } from '#core/digest/schedule.ts';
import type { DigestSubscription } from '#core/digest/subscriptions.ts';
import { isoWeekKey } from '#core/digest/time-zone.ts';

const AUCKLAND = 'Pacific/Auckland';
const LOS_ANGELES = 'America/Los_Angeles';

describe('digest schedule: Monday 09:00 in the subscriber’s zone', () => {
  it('starts Auckland’s week at Monday 09:00 NZDT (Sunday 20:00 UTC), not a minute before', () => {
    expect(currentPeriod('weekly', '2026-12-06T19:59:00.000Z', AUCKLAND)).toMatchObject({
      key: '2026-W49',
      to: '2026-11-29T20:00:00.000Z',
    });
    expect(currentPeriod('weekly', '2026-12-06T20:00:00.000Z', AUCKLAND)).toEqual({
      frequency: 'weekly',
      key: '2026-W50',
      from: '2026-11-29T20:00:00.000Z',
      to: '2026-12-06T20:00:00.000Z',
      nextTo: '2026-12-13T20:00:00.000Z',
      timeZone: AUCKLAND,
    });
  });

  it('starts Los Angeles’s week at Monday 09:00 PST (17:00 UTC)', () => {
    expect(currentPeriod('weekly', '2026-12-07T16:59:59.000Z', LOS_ANGELES).key).toBe('2026-W49');
    expect(currentPeriod('weekly', '2026-12-07T17:00:00.000Z', LOS_ANGELES)).toMatchObject({
      key: '2026-W50',
      from: '2026-11-30T17:00:00.000Z',
      to: '2026-12-07T17:00:00.000Z',
    });
  });

  it('keeps 09:00 local across DST: Los Angeles springs forward, Auckland falls back', () => {
    // DST began in Los Angeles on Sunday 2027-03-14: Monday 09:00 PDT is 16:00 UTC.
    expect(currentPeriod('weekly', '2027-03-15T16:00:00.000Z', LOS_ANGELES)).toMatchObject({
      key: '2027-W11',
      from: '2027-03-08T17:00:00.000Z',
      to: '2027-03-15T16:00:00.000Z',
    });
    // DST ended in Auckland on Sunday 2027-04-04: Monday 09:00 NZST is Sunday 21:00 UTC.
    expect(currentPeriod('weekly', '2027-04-04T20:30:00.000Z', AUCKLAND).key).toBe('2027-W13');
    expect(currentPeriod('weekly', '2027-04-04T21:00:00.000Z', AUCKLAND)).toMatchObject({
      key: '2027-W14',
      from: '2027-03-28T20:00:00.000Z',
      to: '2027-04-04T21:00:00.000Z',
    });
  });

  it('sends daily digests at 09:00 every day, keyed by the local date, across a fall-back night', () => {
    // Los Angeles left DST on Sunday 2026-11-01.
    expect(currentPeriod('daily', '2026-11-01T17:00:00.000Z', LOS_ANGELES)).toEqual({
      frequency: 'daily',
      key: '2026-11-01',
      from: '2026-10-31T16:00:00.000Z',
      to: '2026-11-01T17:00:00.000Z',
      nextTo: '2026-11-02T17:00:00.000Z',
      timeZone: LOS_ANGELES,
    });
    expect(currentPeriod('daily', '2026-11-01T16:59:00.000Z', LOS_ANGELES).key).toBe('2026-10-31');
  });

  it('names ISO weeks whose week-year differs from the calendar year', () => {
    expect(isoWeekKey({ year: 2027, month: 1, day: 1 })).toBe('2026-W53');
    expect(isoWeekKey({ year: 2026, month: 12, day: 28 })).toBe('2026-W53');
    expect(isoWeekKey({ year: 2025, month: 12, day: 29 })).toBe('2026-W01');
  });
});

const subscription = (
  id: string,
  target: DigestSubscription['target'],
  createdAt = '2026-11-01T00:00:00.000Z',
): DigestSubscription => ({
  id,
  owner: 'U0OWNER',
  frequency: 'weekly',
  target,
  createdAt,
});

describe('due digests', () => {
  const zones = {
    channelTimeZone: 'Europe/Berlin',
    zoneOf: (user: string) => ({ U0KIWI: AUCKLAND, U0ANGEL: LOS_ANGELES, U0MARS: 'Mars/Olympus' })[user],
  };

  it('puts each person in their Slack zone, channels in the configured zone, unknown zones in UTC', () => {
    const due = dueDigests(
      [
        subscription('kiwi', { kind: 'dm', user: 'U0KIWI' }),
        subscription('angel', { kind: 'dm', user: 'U0ANGEL' }),
        subscription('mars', { kind: 'dm', user: 'U0MARS' }),
        subscription('channel', { kind: 'channel', channel: 'C0SEC' }),
      ],
      '2026-12-07T08:30:00.000Z',
      zones,
    );

    expect(due.map((d) => [d.subscription.id, d.period.timeZone, d.period.key, d.period.to])).toEqual([
      ['kiwi', AUCKLAND, '2026-W50', '2026-12-06T20:00:00.000Z'],
      ['angel', LOS_ANGELES, '2026-W49', '2026-11-30T17:00:00.000Z'],
      ['mars', 'UTC', '2026-W49', '2026-11-30T09:00:00.000Z'],
      ['channel', 'Europe/Berlin', '2026-W50', '2026-12-07T08:00:00.000Z'],
    ]);
  });

  it('does not send a period whose 09:00 passed before the subscription was made', () => {
    const late = subscription('late', { kind: 'dm', user: 'U0ANGEL' }, '2026-12-08T00:00:00.000Z');

    expect(dueDigests([late], '2026-12-09T00:00:00.000Z', zones)).toEqual([]);
    expect(dueDigests([late], '2026-12-14T17:00:00.000Z', zones).map((d) => d.period.key)).toEqual([
      '2026-W51',
    ]);
  });
});
