import type { CheckResult } from '../check.ts';
import type { AuditReport } from '../report.ts';
import { isNotApplicable } from '../results.ts';

/**
 * Failures grouped per check and object kind, for the formats a person reads (text, Markdown): a
 * 22,636-object audit fails one check on thousands of objects, and a list of every one is unreadable
 * (issue 14). Machine formats (JSON, SARIF, CSV) keep every result.
 */

/** Results shown per group before "… and N more". */
export const SHOWN_PER_GROUP = 5;

export interface FailureGroup {
  checkId: string;
  severity: CheckResult['severity'];
  kind: string;
  count: number;
  /** The first SHOWN_PER_GROUP results, in report order. */
  shown: CheckResult[];
}

/** Failures per check and kind, in report order (severity, core checks, id), each group's first results. */
export function failureGroups(report: AuditReport): FailureGroup[] {
  const groups: FailureGroup[] = [];
  // Per check, per kind; no key string per failure (a large audit has ~100,000s of them).
  const byCheck = new Map<string, Map<string, FailureGroup>>();
  let group: FailureGroup | undefined;
  for (const result of report.results) {
    if (result.status !== 'fail') continue;
    const { checkId } = result;
    const { kind } = result.object;
    if (group === undefined || group.checkId !== checkId || group.kind !== kind) {
      let byKind = byCheck.get(checkId);
      if (byKind === undefined) {
        byKind = new Map();
        byCheck.set(checkId, byKind);
      }
      group = byKind.get(kind);
      if (group === undefined) {
        group = { checkId, severity: result.severity, kind, count: 0, shown: [] };
        byKind.set(kind, group);
        groups.push(group);
      }
    }
    group.count += 1;
    if (group.shown.length < SHOWN_PER_GROUP) group.shown.push(result);
  }
  return groups;
}

/** `Pod` → `Pods`, `NetworkPolicy` → `NetworkPolicies`, `Ingress` → `Ingresses`; singular for 1. */
export function kindCount(count: number, kind: string): string {
  const plural = /[^aeiou]y$/.test(kind)
    ? `${kind.slice(0, -1)}ies`
    : /(s|x|ch|sh)$/.test(kind)
      ? `${kind}es`
      : `${kind}s`;
  return `${count.toLocaleString('en-US')} ${count === 1 ? kind : plural}`;
}

export function moreLine(group: FailureGroup): string | undefined {
  const more = group.count - group.shown.length;
  if (more <= 0) return undefined;
  return `… and ${more.toLocaleString('en-US')} more ${kindCount(more, group.kind).replace(/^[\d,]+ /, '')} (--format json or csv lists every result)`;
}

/** Skips by reason (check ids listed per reason), not-applicable checks apart from checks that could not run. */
export function skipsByReason(report: AuditReport): {
  skipped: Map<string, string[]>;
  notApplicable: CheckResult[];
} {
  const skipped = new Map<string, string[]>();
  const notApplicable: CheckResult[] = [];
  for (const result of report.results) {
    if (result.status !== 'skip') continue;
    if (isNotApplicable(result)) notApplicable.push(result);
    else skipped.set(result.message, [...(skipped.get(result.message) ?? []), result.checkId]);
  }
  return { skipped, notApplicable };
}
