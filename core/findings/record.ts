import type { Detection } from '../model/detection.ts';
import {
  fingerprintOf,
  incidentRules,
  incidentSeverity,
  openFinding,
  separateIncidentKey,
} from '../model/finding.ts';
import { foldRule, type IncidentRule, type RuleReport, reportOf } from '../model/incident.ts';
import { compareSeverity } from '../model/severity.ts';
import { suppressionEnded } from './status.ts';
import { evidenceLine, MAX_HISTORY, MAX_UNSENT_EVIDENCE, type StoredFinding } from './stored-finding.ts';

export interface RecordContext {
  /** ISO-8601 now. */
  now: string;
  /**
   * The incident key the store records under (`IncidentGroup.fingerprint`); a GuardDuty finding kept
   * apart from its base incident has a key `fingerprintOf` cannot compute. @default fingerprintOf the detection
   */
  fingerprint?: string;
  /**
   * Routing: the channel for the incident (given its most severe detection, rated with the
   * incident's severity), or undefined to keep it quiet — stored and listed, never posted.
   */
  channelFor?: (detection: Detection) => string | undefined;
  /** A fixed channel, used when `channelFor` is not given. */
  channel?: string;
  /**
   * Every rule's report of each event, by event id (`IncidentGroup.reports`). Without it each
   * detection reports its own rule.
   */
  reports?: ReadonlyMap<string, readonly RuleReport[]>;
}

/** ISO-8601 strings of one format order like the instants they name. */
function earlierOf(a: string, b: string): string {
  return b < a ? b : a;
}

function laterOf(a: string, b: string): string {
  return b > a ? b : a;
}

/** The detection an alert shows: the most severe, and of those the latest. */
function moreTelling(a: Detection, b: Detection): Detection {
  const bySeverity = compareSeverity(b.severity, a.severity);
  if (bySeverity !== 0) return bySeverity > 0 ? b : a;
  return b.lastSeen >= a.lastSeen ? b : a;
}

function occurrenceCount(detections: readonly Detection[]): number {
  return detections.reduce((sum, d) => sum + Math.max(0, d.count), 0);
}

function foldRules(
  rules: readonly IncidentRule[],
  added: readonly Detection[],
  context: RecordContext,
): IncidentRule[] {
  let folded = [...rules];
  for (const detection of added) {
    const occurrence = {
      count: Math.max(0, detection.count),
      firstSeen: detection.firstSeen,
      lastSeen: detection.lastSeen,
      eventId: detection.eventId,
    };
    for (const report of context.reports?.get(detection.eventId) ?? [reportOf(detection)]) {
      folded = foldRule(folded, report, occurrence);
    }
  }
  return folded;
}

/** The channel routing gives the incident now; undefined when it stays quiet. */
function routedChannel(finding: StoredFinding, context: RecordContext): string | undefined {
  if (context.channelFor === undefined) return context.channel;
  return context.channelFor({ ...finding.detection, severity: incidentSeverity(finding) });
}

/**
 * A quiet finding (routing gave it no channel) is stored and listed but never posted; it is routed
 * again whenever it changes, and becomes pending — its first message owed, with every count — when
 * a rule raises it to a severity some route takes.
 */
function withRouting(finding: StoredFinding, context: RecordContext): StoredFinding {
  const channel = routedChannel(finding, context);
  if (channel === undefined) {
    return {
      ...finding,
      delivery: { ...finding.delivery, state: 'quiet', channel: '', nextAttemptAt: undefined },
    };
  }
  return {
    ...finding,
    delivery: {
      ...finding.delivery,
      state: 'pending',
      channel,
      // The first message shows the count itself; there is nothing to summarize in the thread yet.
      unsentOccurrences: 0,
      unsentEvidence: [],
      messageStale: true,
    },
  };
}

function newFinding(added: readonly Detection[], context: RecordContext): StoredFinding {
  const base = openFinding(added.reduce(moreTelling), context.now);
  return withRouting(
    {
      ...base,
      fingerprint: context.fingerprint ?? base.fingerprint,
      rules: foldRules([], added, context),
      occurrences: occurrenceCount(added),
      firstSeen: added.map((d) => d.firstSeen).reduce(earlierOf),
      lastSeen: added.map((d) => d.lastSeen).reduce(laterOf),
      version: 1,
      delivery: {
        state: 'pending',
        attempts: 0,
        channel: '',
        unsentOccurrences: 0,
        unsentEvidence: [],
        messageStale: true,
      },
    },
    context,
  );
}

/**
 * Folds new occurrences into a finding (pure): their rules join the incident's list and the most
 * severe detection becomes the one the alert shows. A remediated or resolved finding that occurs
 * again is reopened — it is not over — and says so in its history.
 */
export function applyOccurrences(
  current: StoredFinding | undefined,
  added: readonly Detection[],
  context: RecordContext,
): StoredFinding {
  if (added.length === 0) {
    if (current === undefined)
      throw new Error('applyOccurrences needs at least one detection for a new finding');
    return current;
  }
  if (current === undefined) return newFinding(added, context);
  // A suppression with an end reopens the finding at the first occurrence after it.
  const expired = suppressionEnded(current, context.now);
  const reopen = current.status === 'remediated' || current.status === 'resolved' || expired;
  const history = reopen
    ? [
        ...current.history,
        {
          at: context.now,
          status: 'open' as const,
          actor: 'kubeguard',
          reason: expired
            ? 'occurred again after its suppression ended'
            : `occurred again after ${current.status}`,
        },
      ].slice(-MAX_HISTORY)
    : current.history;
  const evidence = [...current.delivery.unsentEvidence, ...added.map(evidenceLine)].slice(
    -MAX_UNSENT_EVIDENCE,
  );
  const next: StoredFinding = {
    ...current,
    status: reopen ? 'open' : current.status,
    detection: added.reduce(moreTelling, current.detection),
    rules: foldRules(incidentRules(current), added, context),
    occurrences: current.occurrences + occurrenceCount(added),
    firstSeen: added.map((d) => d.firstSeen).reduce(earlierOf, current.firstSeen),
    lastSeen: added.map((d) => d.lastSeen).reduce(laterOf, current.lastSeen),
    history,
    version: current.version + 1,
  };
  if (current.delivery.state === 'quiet') return withRouting(next, context);
  return {
    ...next,
    delivery: {
      ...current.delivery,
      state: 'pending',
      unsentOccurrences: current.delivery.unsentOccurrences + occurrenceCount(added),
      unsentEvidence: evidence,
      messageStale: true,
    },
  };
}

// ---- incidents ----

/** Detections of one batch that belong to one incident. */
export interface IncidentGroup {
  /** The incident key (`fingerprintOf`, or `separateIncidentKey` for a GuardDuty finding kept apart). */
  fingerprint: string;
  /**
   * One detection per event — its most severe rule's — in input order: the store counts
   * occurrences per event id, so one request reported by three rules is one occurrence.
   */
  detections: Detection[];
  /** Every rule's report of each event, by event id; pass it and `fingerprint` to `applyOccurrences`. */
  reports: Map<string, RuleReport[]>;
}

export interface IncidentOptions {
  /** How long before or after an incident a GuardDuty finding about it still joins it. @default 15 */
  joinWindowMinutes: number;
}

export const DEFAULT_INCIDENT_OPTIONS: IncidentOptions = { joinWindowMinutes: 15 };

/** The stored incident a key names, if any (the findings store's `get`). */
export type IncidentLookup = (fingerprint: string) => Promise<StoredFinding | undefined>;

interface EventFold {
  detection: Detection;
  reports: RuleReport[];
}

/** Same rule, same event twice (a GuardDuty revision): the newer one. */
function newerOf(a: Detection, b: Detection): Detection {
  if (b.count !== a.count) return b.count > a.count ? b : a;
  return (b.updatedAt ?? b.lastSeen) >= (a.updatedAt ?? a.lastSeen) ? b : a;
}

/**
 * Folds the detections of one event (same source and event id) by several rules into one, the most
 * severe (on a tie the first, i.e. catalog order), keeping every rule's report.
 */
function foldEvents(detections: readonly Detection[]): EventFold[] {
  const byEvent = new Map<string, Map<string, Detection>>();
  for (const detection of detections) {
    const event = `${detection.source}\u0000${detection.eventId}`;
    let rules = byEvent.get(event);
    if (rules === undefined) {
      rules = new Map();
      byEvent.set(event, rules);
    }
    const rule = detection.findingType ?? detection.ruleId;
    const seen = rules.get(rule);
    rules.set(rule, seen === undefined ? detection : newerOf(seen, detection));
  }
  return [...byEvent.values()].map((rules) => {
    const reported = [...rules.values()];
    const detection = reported.reduce((a, b) => (compareSeverity(b.severity, a.severity) > 0 ? b : a));
    return { detection, reports: reported.map(reportOf) };
  });
}

interface Interval {
  first: number;
  last: number;
}

function intervalOf(firstSeen: string, lastSeen: string): Interval | undefined {
  const first = Date.parse(firstSeen);
  const last = Date.parse(lastSeen);
  return Number.isNaN(first) || Number.isNaN(last) ? undefined : { first, last };
}

function holdsFinding(finding: StoredFinding | undefined, findingId: string): boolean {
  return finding !== undefined && incidentRules(finding).some((rule) => rule.findingIds?.includes(findingId));
}

/**
 * Groups a batch's detections into incidents (decision D19). Detections of one event by several
 * rules become one occurrence carrying every rule's report. An audit detection's incident is
 * `fingerprintOf` it. A GuardDuty finding joins that same incident when the incident does not
 * exist yet or when its [firstSeen − window, lastSeen + window] holds the finding's firstSeen;
 * otherwise it is an incident of its own (`separateIncidentKey`). A redelivered revision goes where
 * the finding went: an incident that lists its finding id keeps it, and a joined incident's interval
 * only grows, so it keeps holding the finding's firstSeen.
 */
export async function groupIntoIncidents(
  detections: readonly Detection[],
  lookup: IncidentLookup,
  options: IncidentOptions = DEFAULT_INCIDENT_OPTIONS,
): Promise<IncidentGroup[]> {
  const windowMs = options.joinWindowMinutes * 60_000;
  const groups = new Map<string, IncidentGroup>();
  // What each key's incident spans: the stored interval, widened by this batch's detections.
  const intervals = new Map<string, Interval | undefined>();
  const stored = new Map<string, Promise<StoredFinding | undefined>>();
  const storedIncident = (key: string) => {
    let found = stored.get(key);
    if (found === undefined) {
      found = lookup(key);
      stored.set(key, found);
    }
    return found;
  };

  const add = (key: string, fold: EventFold) => {
    let group = groups.get(key);
    if (group === undefined) {
      group = { fingerprint: key, detections: [], reports: new Map() };
      groups.set(key, group);
    }
    group.detections.push(fold.detection);
    group.reports.set(fold.detection.eventId, [
      ...(group.reports.get(fold.detection.eventId) ?? []),
      ...fold.reports,
    ]);
    const span = intervalOf(fold.detection.firstSeen, fold.detection.lastSeen);
    const known = intervals.get(key);
    if (span !== undefined) {
      intervals.set(
        key,
        known === undefined
          ? span
          : { first: Math.min(known.first, span.first), last: Math.max(known.last, span.last) },
      );
    }
  };

  const baseInterval = async (key: string): Promise<Interval | undefined> => {
    const incident = await storedIncident(key);
    const span = incident === undefined ? undefined : intervalOf(incident.firstSeen, incident.lastSeen);
    const batch = intervals.get(key);
    if (span === undefined) return batch;
    if (batch === undefined) return span;
    return { first: Math.min(span.first, batch.first), last: Math.max(span.last, batch.last) };
  };

  const folds = foldEvents(detections);
  // Audit events first, so a GuardDuty finding sees the incidents this batch opens or widens.
  for (const fold of folds.filter((f) => f.detection.findingType === undefined)) {
    add(fingerprintOf(fold.detection), fold);
  }
  for (const fold of folds.filter((f) => f.detection.findingType !== undefined)) {
    const detection = fold.detection;
    const base = fingerprintOf(detection);
    const own = separateIncidentKey(base, detection.findingType as string);
    if (holdsFinding(await storedIncident(own), detection.eventId)) {
      add(own, fold);
      continue;
    }
    if (holdsFinding(await storedIncident(base), detection.eventId)) {
      add(base, fold);
      continue;
    }
    const exists = groups.has(base) || (await storedIncident(base)) !== undefined;
    const span = await baseInterval(base);
    const at = Date.parse(detection.firstSeen);
    const within =
      span !== undefined && !Number.isNaN(at) && at >= span.first - windowMs && at <= span.last + windowMs;
    add(!exists || within ? base : own, fold);
  }
  return [...groups.values()];
}

/** An incident of a batch: its finding and the events (one detection each) that make it up. */
export interface BatchIncident {
  finding: StoredFinding;
  detections: Detection[];
}

/**
 * The incidents one batch makes when nothing about them is stored yet (pure): what
 * `kubeguard render alert` previews — one finding per incident, every rule and count folded in.
 */
export async function incidentsOfBatch(
  detections: readonly Detection[],
  context: Pick<RecordContext, 'now' | 'channelFor' | 'channel'>,
  options: IncidentOptions = DEFAULT_INCIDENT_OPTIONS,
): Promise<BatchIncident[]> {
  const groups = await groupIntoIncidents(detections, async () => undefined, options);
  return groups.map((group) => ({
    finding: applyOccurrences(undefined, group.detections, {
      ...context,
      reports: group.reports,
      fingerprint: group.fingerprint,
    }),
    detections: group.detections,
  }));
}
