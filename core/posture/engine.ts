import type { CheckOptions, CheckResult, PostureCheck } from './check.ts';
import { ALL_CHECKS } from './registry.ts';
import { type AuditReport, buildReport } from './report.ts';
import { skipResult } from './results.ts';
import type { ClusterSnapshot } from './snapshot.ts';

/** Settings of one audit run; every check receives them. */
export type AuditOptions = CheckOptions;

/**
 * Runs the checks over a snapshot. A check whose inputs are unavailable, or that throws, is reported
 * as one `skip` on the cluster object with the reason — an audit never crashes on one bad check or
 * one malformed object, and never silently drops a check.
 */
export function runAudit(
  snapshot: ClusterSnapshot,
  checks: readonly PostureCheck[] = ALL_CHECKS,
  options: AuditOptions = {},
): AuditReport {
  const results: CheckResult[] = [];
  for (const check of checks) results.push(...runCheck(check, snapshot, options));
  return buildReport({ cluster: snapshot.name, takenAt: snapshot.takenAt }, checks, results);
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
