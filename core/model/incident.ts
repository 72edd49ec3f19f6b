import type { Detection, DetectionSource } from './detection.ts';
import { compareSeverity, type Severity } from './severity.ts';

/**
 * One rule (or GuardDuty finding type) that reported an incident. An incident is what one actor
 * did to one target (finding.ts, `fingerprintOf`); every rule that saw it is listed here, so one
 * `kubectl exec … sh` into kube-system is one alert naming KD-020, KD-021 and KD-023.
 */
export interface IncidentRule {
  /** Catalog rule id; for a GuardDuty type without a catalog mapping, the GuardDuty type. */
  ruleId: string;
  /** GuardDuty finding type, when GuardDuty reported it. */
  findingType?: string;
  title: string;
  /** How this source rates it: the catalog (or configured) severity, or GuardDuty's band. */
  severity: Severity;
  source: DetectionSource;
  /** GuardDuty's numeric severity (1.0–10.0), when GuardDuty rated it. */
  score?: number;
  /**
   * GuardDuty finding ids folded in under this type (newest last, capped): a redelivered revision
   * of one of them finds the incident it went to (see `groupIntoIncidents`).
   */
  findingIds?: string[];
  /** Occurrences this rule reported (requests for an audit rule, GuardDuty's count for a type). */
  occurrences: number;
  firstSeen: string;
  lastSeen: string;
}

/** What a rule says about one event, before it is counted into an incident. */
export type RuleReport = Pick<
  IncidentRule,
  'ruleId' | 'findingType' | 'title' | 'severity' | 'source' | 'score'
>;

/** Rules kept per incident (the rest still count in the incident's occurrences). */
export const MAX_INCIDENT_RULES = 20;
/** GuardDuty finding ids remembered per finding type of an incident. */
export const MAX_FINDING_IDS = 20;

/** Two reports are the same rule when they share a GuardDuty type, or else a rule id. */
export function ruleKey(rule: Pick<IncidentRule, 'ruleId' | 'findingType'>): string {
  return rule.findingType === undefined ? `rule:${rule.ruleId}` : `type:${rule.findingType}`;
}

export function reportOf(detection: Detection): RuleReport {
  const report: RuleReport = {
    ruleId: detection.ruleId,
    title: detection.title,
    severity: detection.severity,
    source: detection.source,
  };
  if (detection.findingType !== undefined) report.findingType = detection.findingType;
  if (detection.severityScore !== undefined) report.score = detection.severityScore;
  return report;
}

/** An occurrence as an incident counts it. */
export interface RuleOccurrence {
  count: number;
  firstSeen: string;
  lastSeen: string;
  /** The event id (GuardDuty finding id), remembered for GuardDuty types. */
  eventId: string;
}

/** ISO-8601 strings of one format order like the instants they name. */
const earlier = (a: string, b: string) => (b < a ? b : a);
const later = (a: string, b: string) => (b > a ? b : a);

/**
 * Counts one occurrence into the rule list (pure): a known rule gains the occurrence and takes the
 * report's latest rating; a new rule is added while the list has room. Rules are never removed, so
 * the incident's severity never drops.
 */
export function foldRule(
  rules: readonly IncidentRule[],
  report: RuleReport,
  occurrence: RuleOccurrence,
): IncidentRule[] {
  const key = ruleKey(report);
  const index = rules.findIndex((rule) => ruleKey(rule) === key);
  const fromGuardDuty = report.findingType !== undefined;
  if (index === -1) {
    if (rules.length >= MAX_INCIDENT_RULES) return [...rules];
    const added: IncidentRule = {
      ...report,
      occurrences: Math.max(0, occurrence.count),
      firstSeen: occurrence.firstSeen,
      lastSeen: occurrence.lastSeen,
    };
    if (fromGuardDuty) added.findingIds = [occurrence.eventId];
    return [...rules, added];
  }
  const known = rules[index] as IncidentRule;
  // A rating never drops: GuardDuty may lower a later revision's score, the incident stays as serious.
  const rating = compareSeverity(report.severity, known.severity) >= 0 ? report : known;
  const updated: IncidentRule = {
    ...known,
    ...report,
    severity: rating.severity,
    occurrences: known.occurrences + Math.max(0, occurrence.count),
    firstSeen: earlier(known.firstSeen, occurrence.firstSeen),
    lastSeen: later(known.lastSeen, occurrence.lastSeen),
  };
  if (rating.score === undefined) delete updated.score;
  else updated.score = rating.score;
  if (fromGuardDuty) {
    const ids = (known.findingIds ?? []).filter((id) => id !== occurrence.eventId);
    updated.findingIds = [...ids, occurrence.eventId].slice(-MAX_FINDING_IDS);
  }
  return rules.map((rule, i) => (i === index ? updated : rule));
}

/** The rules, most severe first; equally severe rules keep the order in which they first reported. */
export function rankRules(rules: readonly IncidentRule[]): IncidentRule[] {
  return rules
    .map((rule, index) => ({ rule, index }))
    .sort((a, b) => compareSeverity(b.rule.severity, a.rule.severity) || a.index - b.index)
    .map(({ rule }) => rule);
}

/** The incident's severity: the highest any source gave it. */
export function highestSeverity(rules: readonly IncidentRule[]): Severity {
  return rankRules(rules)[0]?.severity ?? 'low';
}

/** `KD-021`, or `GuardDuty (8.0)` for a GuardDuty rating. */
export function raterName(rule: IncidentRule): string {
  if (rule.source !== 'guardduty') return rule.ruleId;
  return rule.score === undefined ? 'GuardDuty' : `GuardDuty (${rule.score.toFixed(1)})`;
}

/**
 * Who rated the incident as serious as it is, e.g. `KD-021` or `GuardDuty (8.0)`; several names
 * when sources agree on the highest rating; empty for an incident with no rules.
 */
export function ratedBy(rules: readonly IncidentRule[]): string[] {
  const top = highestSeverity(rules);
  const names = rankRules(rules)
    .filter((rule) => rule.severity === top)
    .map(raterName);
  return [...new Set(names)];
}
