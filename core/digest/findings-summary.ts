import type { Suppression } from '../detection/config.ts';
import type { StoredFinding } from '../findings/stored-finding.ts';
import { incidentRules, incidentSeverity } from '../model/finding.ts';
import { SEVERITIES, type Severity } from '../model/severity.ts';

/**
 * The findings side of a digest: opened and closed by severity, the LOW findings that paged nobody,
 * suppressions in force and about to end, and the noisiest rules with the configuration entry that
 * would silence them.
 */
export type SeverityCounts = Record<Severity, number>;

export interface FindingsSummary {
  opened: SeverityCounts;
  /** Remediated or resolved within the period. */
  closed: SeverityCounts;
  /** LOW findings seen in the period that no route posted (`quiet`): summarized, never paged. */
  quietLow: { findings: number; occurrences: number; topRules: { ruleId: string; findings: number }[] };
}

export interface ActiveSuppression {
  source: 'configuration' | 'finding';
  ruleId?: string;
  cluster?: string;
  namespace?: string;
  principal?: string;
  /** A suppressed finding's fingerprint. */
  finding?: string;
  until: string;
  reason?: string;
  /** Ends before the next digest. */
  expiring: boolean;
}

/** A `detection.suppressions` entry of kubeguard.config.json (core/config/schema.ts). */
export interface SuppressionEntry {
  ruleId: string;
  cluster?: string;
  namespace?: string;
  principal?: string;
  until: string;
  reason: string;
}

export interface NoisyRule {
  ruleId: string;
  title: string;
  findings: number;
  occurrences: number;
  /** Paste into `detection.suppressions` to silence exactly what made the noise, for 30 days. */
  suggestion: SuppressionEntry;
}

/** A rule is noisy from this many occurrences in a period's findings. */
export const NOISY_MIN_OCCURRENCES = 20;
export const MAX_NOISY_RULES = 3;
const SUGGESTED_DAYS = 30;

export function emptyCounts(): SeverityCounts {
  return Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as SeverityCounts;
}

export function findingsSummary(
  findings: readonly StoredFinding[],
  period: { from: string; to: string },
): FindingsSummary {
  const from = Date.parse(period.from);
  const to = Date.parse(period.to);
  const inPeriod = (iso: string) => {
    const at = Date.parse(iso);
    return Number.isFinite(at) && at >= from && at < to;
  };
  const summary: FindingsSummary = {
    opened: emptyCounts(),
    closed: emptyCounts(),
    quietLow: { findings: 0, occurrences: 0, topRules: [] },
  };
  const quietRules = new Map<string, number>();
  for (const finding of findings) {
    const severity = incidentSeverity(finding);
    if (inPeriod(finding.firstSeen)) summary.opened[severity] += 1;
    if (finding.history.some((change) => isClosing(change.status) && inPeriod(change.at))) {
      summary.closed[severity] += 1;
    }
    if (severity === 'low' && finding.delivery.state === 'quiet' && inPeriod(finding.lastSeen)) {
      summary.quietLow.findings += 1;
      summary.quietLow.occurrences += Math.max(0, finding.occurrences);
      for (const rule of incidentRules(finding)) {
        quietRules.set(rule.ruleId, (quietRules.get(rule.ruleId) ?? 0) + 1);
      }
    }
  }
  summary.quietLow.topRules = [...quietRules]
    .map(([ruleId, count]) => ({ ruleId, findings: count }))
    .sort((a, b) => b.findings - a.findings || a.ruleId.localeCompare(b.ruleId))
    .slice(0, 3);
  return summary;
}

function isClosing(status: string): boolean {
  return status === 'remediated' || status === 'resolved';
}

/**
 * Suppressions in force at the digest's end: the configured ones and suppressed findings (D38),
 * soonest to end first; `expiring` when one ends before `nextEnd` (the next digest).
 */
export function activeSuppressions(
  configured: readonly Suppression[],
  findings: readonly StoredFinding[],
  clusters: ReadonlySet<string> | undefined,
  end: string,
  nextEnd: string,
): ActiveSuppression[] {
  const endMs = Date.parse(end);
  const nextMs = Date.parse(nextEnd);
  const active: ActiveSuppression[] = [];
  for (const suppression of configured) {
    const until = Date.parse(suppression.until);
    if (!(until > endMs)) continue;
    if (clusters !== undefined && suppression.cluster !== undefined && !clusters.has(suppression.cluster))
      continue;
    const entry: ActiveSuppression = {
      source: 'configuration',
      until: suppression.until,
      reason: suppression.reason,
      expiring: until <= nextMs,
    };
    for (const key of ['ruleId', 'cluster', 'namespace', 'principal'] as const) {
      const value = suppression[key];
      if (value !== undefined) entry[key] = value;
    }
    active.push(entry);
  }
  for (const finding of findings) {
    if (finding.status !== 'suppressed') continue;
    const change = [...finding.history].reverse().find((entry) => entry.status === 'suppressed');
    if (change?.until === undefined) continue;
    const until = Date.parse(change.until);
    if (!(until > endMs)) continue;
    const entry: ActiveSuppression = {
      source: 'finding',
      finding: finding.fingerprint,
      ruleId: finding.detection.ruleId,
      until: change.until,
      expiring: until <= nextMs,
    };
    if (finding.detection.cluster !== undefined) entry.cluster = finding.detection.cluster;
    if (finding.detection.namespace !== undefined) entry.namespace = finding.detection.namespace;
    if (change.reason !== undefined) entry.reason = change.reason;
    active.push(entry);
  }
  return active.sort(
    (a, b) => Date.parse(a.until) - Date.parse(b.until) || (a.finding ?? '').localeCompare(b.finding ?? ''),
  );
}

/**
 * The rules that reported the most occurrences among the findings seen in the period, each with a
 * suppression entry narrowed to what all its findings share (cluster, namespace, principal).
 */
export function noisyRules(
  findings: readonly StoredFinding[],
  period: { from: string; to: string },
): NoisyRule[] {
  const from = Date.parse(period.from);
  const to = Date.parse(period.to);
  const byRule = new Map<string, { title: string; findings: StoredFinding[]; occurrences: number }>();
  for (const finding of findings) {
    const lastSeen = Date.parse(finding.lastSeen);
    if (!(lastSeen >= from && lastSeen < to)) continue;
    for (const rule of incidentRules(finding)) {
      const entry = byRule.get(rule.ruleId) ?? { title: rule.title, findings: [], occurrences: 0 };
      entry.findings.push(finding);
      entry.occurrences += Math.max(0, rule.occurrences);
      byRule.set(rule.ruleId, entry);
    }
  }
  const until = new Date(to + SUGGESTED_DAYS * 86_400_000).toISOString();
  return [...byRule]
    .filter(([, entry]) => entry.occurrences >= NOISY_MIN_OCCURRENCES)
    .sort(([a, x], [b, y]) => y.occurrences - x.occurrences || a.localeCompare(b))
    .slice(0, MAX_NOISY_RULES)
    .map(([ruleId, entry]) => {
      const suggestion: SuppressionEntry = {
        ruleId,
        until,
        reason: `tuning: ${entry.occurrences} occurrences in ${entry.findings.length} findings over one digest period — review before ${until.slice(0, 10)}`,
      };
      const shared = (pick: (finding: StoredFinding) => string | undefined) => {
        const values = new Set(entry.findings.map(pick));
        const [only] = values;
        return values.size === 1 && only !== undefined && only !== '' ? only : undefined;
      };
      const cluster = shared((finding) => finding.detection.cluster);
      const namespace = shared((finding) => finding.detection.namespace);
      const principal = shared((finding) => finding.detection.principal);
      if (cluster !== undefined) suggestion.cluster = cluster;
      if (namespace !== undefined) suggestion.namespace = namespace;
      if (principal !== undefined) suggestion.principal = principal;
      return {
        ruleId,
        title: entry.title,
        findings: entry.findings.length,
        occurrences: entry.occurrences,
        suggestion,
      };
    });
}
