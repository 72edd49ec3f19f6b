import type { DigestPeriodRange } from './content.ts';
import type { DigestFrequency, DigestSubscription } from './subscriptions.ts';
import { addDays, dateKey, instantOf, isoWeekKey, isTimeZone, localTime } from './time-zone.ts';

/**
 * When digests are due. A weekly digest is sent on Monday at 09:00 and a daily one every day at
 * 09:00, in the subscriber's Slack time zone (users.info `tz`) or, for a channel, in
 * `digest.channelTimeZone`. Each period has a key — the ISO week (`2026-W50`) or the local date
 * (`2026-12-07`) of its send time — under which it is claimed and sent once (ledger.ts). A run that
 * comes late (a missed schedule, a retry) still sends the current period; a subscription made after
 * its period's send time waits for the next one.
 */
export const SEND_HOUR = 9;

export interface DuePeriod extends DigestPeriodRange {
  /** `2026-W50` or `2026-12-07`. */
  key: string;
  timeZone: string;
}

/** The period whose send time is the latest at or before `at`, in `timeZone`. */
export function currentPeriod(frequency: DigestFrequency, at: string, timeZone: string): DuePeriod {
  const now = Date.parse(at);
  const local = localTime(now, timeZone);
  let date = { year: local.year, month: local.month, day: local.day };
  if (frequency === 'weekly') date = addDays(date, 1 - local.weekday);
  let sendAt = instantOf(date, SEND_HOUR, 0, timeZone);
  const step = frequency === 'weekly' ? 7 : 1;
  if (sendAt > now) {
    date = addDays(date, -step);
    sendAt = instantOf(date, SEND_HOUR, 0, timeZone);
  }
  const previous = instantOf(addDays(date, -step), SEND_HOUR, 0, timeZone);
  const next = instantOf(addDays(date, step), SEND_HOUR, 0, timeZone);
  return {
    frequency,
    from: new Date(previous).toISOString(),
    to: new Date(sendAt).toISOString(),
    nextTo: new Date(next).toISOString(),
    key: frequency === 'weekly' ? isoWeekKey(date) : dateKey(date),
    timeZone,
  };
}

export interface DueDigest {
  subscription: DigestSubscription;
  period: DuePeriod;
}

/**
 * The subscriptions whose current period is due at `at`: its send time has passed and came after
 * the subscription was made. Whether it was sent already is the ledger's to say. `zoneOf` gives a
 * person's zone; a zone Slack does not know (or a failed lookup, undefined) falls back to UTC.
 */
export function dueDigests(
  subscriptions: readonly DigestSubscription[],
  at: string,
  zones: { channelTimeZone: string; zoneOf: (user: string) => string | undefined },
): DueDigest[] {
  const due: DueDigest[] = [];
  for (const subscription of subscriptions) {
    const zone =
      subscription.target.kind === 'channel' ? zones.channelTimeZone : zones.zoneOf(subscription.target.user);
    const period = currentPeriod(
      subscription.frequency,
      at,
      zone !== undefined && isTimeZone(zone) ? zone : 'UTC',
    );
    if (Date.parse(period.to) >= Date.parse(subscription.createdAt)) due.push({ subscription, period });
  }
  return due;
}

/** A period ending now, for a preview (`/k8s digest preview`, `kubeguard render digest`). */
export function periodEndingAt(frequency: DigestFrequency, at: string): DigestPeriodRange {
  const end = Date.parse(at);
  const length = (frequency === 'weekly' ? 7 : 1) * 86_400_000;
  return {
    frequency,
    from: new Date(end - length).toISOString(),
    to: new Date(end).toISOString(),
    nextTo: new Date(end + length).toISOString(),
  };
}
