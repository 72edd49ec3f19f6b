import { KubeguardError } from '../errors.ts';

/**
 * Wall-clock arithmetic in IANA time zones with Intl only (no clock read, no library): what a
 * subscriber's 09:00 is as an instant, and which local day and ISO week an instant falls in.
 */

export interface LocalDateTime {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** 1 = Monday … 7 = Sunday (ISO). */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let found = formatters.get(timeZone);
  if (found === undefined) {
    found = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(timeZone, found);
  }
  return found;
}

/** Whether Intl knows the zone (`Pacific/Auckland`, `UTC`); Slack's `tz` is one of these. */
export function isTimeZone(timeZone: string): boolean {
  if (timeZone === '') return false;
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** INVALID_ARGUMENT naming the zone unless Intl knows it. */
export function checkTimeZone(timeZone: string, what: string): string {
  if (!isTimeZone(timeZone)) {
    throw new KubeguardError(
      'INVALID_ARGUMENT',
      `${what}: unknown time zone ${JSON.stringify(timeZone)} — use an IANA name such as Europe/Berlin or UTC`,
    );
  }
  return timeZone;
}

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/** The wall-clock reading of an instant in a zone. */
export function localTime(instantMs: number, timeZone: string): LocalDateTime {
  const parts: Record<string, string> = {};
  for (const part of formatter(timeZone).formatToParts(instantMs)) parts[part.type] = part.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    weekday: WEEKDAYS[parts.weekday ?? ''] ?? 1,
  };
}

/** Minutes the zone is ahead of UTC at an instant (Auckland +780 in summer, Los Angeles −420 …). */
export function offsetMinutes(instantMs: number, timeZone: string): number {
  const local = localTime(instantMs, timeZone);
  const asUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute);
  return Math.round((asUtc - Math.floor(instantMs / 60_000) * 60_000) / 60_000);
}

/**
 * The instant a wall-clock time occurs in a zone. Two passes settle the offset across a DST change;
 * a time skipped by a spring-forward gap resolves to the instant just after the gap.
 */
export function instantOf(
  date: { year: number; month: number; day: number },
  hour: number,
  minute: number,
  timeZone: string,
): number {
  const wall = Date.UTC(date.year, date.month - 1, date.day, hour, minute);
  let guess = wall - offsetMinutes(wall, timeZone) * 60_000;
  guess = wall - offsetMinutes(guess, timeZone) * 60_000;
  return guess;
}

/** A calendar date moved by whole days (proleptic Gregorian, no zone). */
export function addDays(
  date: { year: number; month: number; day: number },
  days: number,
): { year: number; month: number; day: number } {
  const moved = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: moved.getUTCFullYear(), month: moved.getUTCMonth() + 1, day: moved.getUTCDate() };
}

/** `2026-12-07` */
export function dateKey(date: { year: number; month: number; day: number }): string {
  return `${String(date.year).padStart(4, '0')}-${pad(date.month)}-${pad(date.day)}`;
}

/** ISO 8601 week of a calendar date: `2026-W50` (the week-year may differ from the year). */
export function isoWeekKey(date: { year: number; month: number; day: number }): string {
  const utc = new Date(Date.UTC(date.year, date.month - 1, date.day));
  const weekday = utc.getUTCDay() === 0 ? 7 : utc.getUTCDay();
  // The Thursday of the same week decides the week-year.
  utc.setUTCDate(utc.getUTCDate() + 4 - weekday);
  const weekYear = utc.getUTCFullYear();
  const week = Math.ceil(((utc.getTime() - Date.UTC(weekYear, 0, 1)) / 86_400_000 + 1) / 7);
  return `${weekYear}-W${pad(week)}`;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}
