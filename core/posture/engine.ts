import type { CheckOptions, CheckResult, PostureCheck } from './check.ts';
import { ALL_CHECKS } from './registry.ts';
import { type AuditReport, buildReport } from './report.ts';
import { notApplicableResult, skipResult } from './results.ts';
import type { ClusterSnapshot } from './snapshot.ts';

/** Settings of one audit run; every check receives them. */
export type AuditOptions = CheckOptions;

/**
 * Runs the checks over a snapshot. A check whose inputs are unavailable, or that throws, is reported
 * as one `skip` on the cluster object with the reason — an audit never crashes on one bad check or
 * one malformed object, and never silently drops a check. A check that returns nothing had nothing
 * to look at and is reported `not applicable` (also a `skip`, see results.ts).
 */
export function runAudit(
  snapshot: ClusterSnapshot,
  checks: readonly PostureCheck[] = ALL_CHECKS,
  options: AuditOptions = {},
): AuditReport {
  const results: CheckResult[] = [];
  for (const check of checks) {
    const checked = runCheck(check, snapshot, options);
    // A check with nothing to inspect says so: silence would read as "checked, nothing wrong".
    if (checked.length === 0) results.push(notApplicableResult(check, snapshot, nothingToCheck(check)));
    else for (const result of checked) results.push(result);
  }
  return buildReport({ cluster: snapshot.name, takenAt: snapshot.takenAt }, checks, results);
}

/** `no pods or workloads in the input that it applies to`, unless the check says what it looks for. */
export function nothingToCheck(check: PostureCheck): string {
  if (check.nothingToCheck !== undefined) return check.nothingToCheck;
  const reads = check.reads.length === 0 ? ['objects'] : check.reads;
  const listed =
    reads.length === 1 ? reads[0] : `${reads.slice(0, -1).join(', ')} or ${reads[reads.length - 1]}`;
  return `no ${listed} in the input that it applies to`;
}

export function runCheck(
  check: PostureCheck,
  snapshot: ClusterSnapshot,
  options: AuditOptions = {},
): CheckResult[] {
  const missing = check.reads.find((type) => snapshot.unavailable[type] !== undefined);
  if (missing !== undefined) {
    return [skipResult(check, snapshot, `${missing} unavailable: ${snapshot.unavailable[missing]}`)];
  }
  try {
    return check.evaluate(snapshot, options);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return [skipResult(check, snapshot, `check failed: ${reason}`)];
  }
}
