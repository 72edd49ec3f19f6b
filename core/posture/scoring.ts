import type { Severity } from '../model/severity.ts';
import type { CheckResult } from './check.ts';

/**
 * The posture score, 0–100, severity-weighted.
 *
 *   weight(check)  = 10 critical, 5 high, 2 medium, 1 low
 *   passRate(check) = passed results / (passed + failed results) of that check
 *   score = floor(100 × Σ weight × passRate / Σ weight), over the checks with at least one pass or fail
 *
 * Each check counts once whatever the number of objects it inspected, so 2,000 Deployments missing
 * probes cannot drown out one public API endpoint; within a check, the share of objects that pass
 * gives partial credit. Skipped results are excluded (a skip is unknown, not a pass or a failure).
 * Nothing evaluated scores 100. The score is floored, so any failure keeps it below 100.
 */
export const SEVERITY_WEIGHTS: Readonly<Record<Severity, number>> = {
  critical: 10,
  high: 5,
  medium: 2,
  low: 1,
};

export function postureScore(results: readonly CheckResult[]): number {
  const perCheck = new Map<string, { weight: number; pass: number; fail: number }>();
  // Results of one check come together: the map is consulted only when the check changes.
  let lastCheck: string | undefined;
  let tally = { weight: 0, pass: 0, fail: 0 };
  for (const result of results) {
    if (result.status === 'skip') continue;
    if (result.checkId !== lastCheck) {
      lastCheck = result.checkId;
      let known = perCheck.get(result.checkId);
      if (known === undefined) {
        known = { weight: SEVERITY_WEIGHTS[result.severity], pass: 0, fail: 0 };
        perCheck.set(result.checkId, known);
      }
      tally = known;
    }
    if (result.status === 'pass') tally.pass += 1;
    else tally.fail += 1;
  }
  let total = 0;
  let earned = 0;
  for (const { weight, pass, fail } of perCheck.values()) {
    total += weight;
    earned += (weight * pass) / (pass + fail);
  }
  if (total === 0) return 100;
  const anyFailure = [...perCheck.values()].some((tally) => tally.fail > 0);
  return anyFailure ? Math.min(99, Math.floor((100 * earned) / total)) : 100;
}
