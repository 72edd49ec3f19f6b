import { SEVERITIES } from '../../model/severity.ts';
import type { CheckResult } from '../check.ts';
import type { AuditReport } from '../report.ts';
import { NOT_APPLICABLE } from '../results.ts';
import { failureGroups, kindCount, moreLine, skipsByReason } from './groups.ts';
import { inputLines } from './input-summary.ts';
import { objectLabel } from './markdown.ts';

/**
 * Control characters (ANSI escapes, carriage returns) from manifest text would let a crafted object
 * name rewrite the terminal; they are shown as `?`.
 */
export function terminalSafe(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '?');
}

function where(result: CheckResult): string {
  if (result.file === undefined) return '';
  return ` (${result.file}${result.line === undefined ? '' : `:${result.line}`})`;
}

/**
 * A readable summary and the failures by severity, grouped per check and object kind (the first five
 * of each group, then how many more), for a terminal. Every result is in --format json or csv.
 */
export function toText(report: AuditReport): string {
  const titles = new Map(report.checks.map((check) => [check.id, check.title]));
  // Thousands separated: a cluster audit counts hundreds of thousands of results.
  const [pass, fail, skip] = [report.summary.pass, report.summary.fail, report.summary.skip].map((n) =>
    n.toLocaleString('en-US'),
  );
  const { skipped, notApplicable } = skipsByReason(report);
  const applicable = notApplicable.length === 0 ? '' : ` (${notApplicable.length} not applicable)`;
  const lines = [
    `kubeguard posture audit of ${report.cluster}: score ${report.score}/100`,
    `  ${pass} passed, ${fail} failed, ${skip} skipped${applicable} — ${report.checks.length} checks`,
    ...inputLines(report).map((line) => `  ${line}`),
    '',
  ];
  const groups = failureGroups(report);
  for (const severity of [...SEVERITIES].reverse()) {
    const ofSeverity = groups.filter((group) => group.severity === severity);
    if (ofSeverity.length === 0) continue;
    const total = ofSeverity.reduce((sum, group) => sum + group.count, 0);
    lines.push(`${severity.toUpperCase()} (${total.toLocaleString('en-US')})`);
    for (const group of ofSeverity) {
      const title = `${group.checkId} ${titles.get(group.checkId) ?? ''}`;
      const [first] = group.shown;
      if (group.count === 1 && first !== undefined) {
        lines.push(`  ${title} — ${objectLabel(first.object)}${where(first)}`, `    ${first.message}`);
      } else {
        lines.push(
          `  ${title} — failed on ${kindCount(group.count, group.kind)}; first ${group.shown.length}:`,
        );
        for (const r of group.shown) lines.push(`    ${objectLabel(r.object)}${where(r)}: ${r.message}`);
        const more = moreLine(group);
        if (more !== undefined) lines.push(`    ${more}`);
      }
      lines.push(`    fix: ${first?.remediation ?? ''}`);
    }
    lines.push('');
  }
  if (groups.length === 0) lines.push('No failures.', '');
  if (skipped.size > 0) {
    lines.push('Skipped');
    for (const [reason, ids] of skipped) lines.push(`  ${ids.join(', ')}: ${reason}`);
    lines.push('');
  }
  if (notApplicable.length > 0) {
    lines.push('Not applicable (nothing to look at)');
    for (const r of notApplicable) {
      lines.push(`  ${r.checkId} ${titles.get(r.checkId) ?? ''}: ${r.message.slice(NOT_APPLICABLE.length)}`);
    }
    lines.push('');
  }
  return terminalSafe(lines.join('\n'));
}
