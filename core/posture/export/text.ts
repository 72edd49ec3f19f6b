import { SEVERITIES } from '../../model/severity.ts';
import type { CheckResult } from '../check.ts';
import type { AuditReport } from '../report.ts';
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

/** A readable summary and the failures grouped by severity, for a terminal. */
export function toText(report: AuditReport): string {
  const titles = new Map(report.checks.map((check) => [check.id, check.title]));
  const { pass, fail, skip } = report.summary;
  const lines = [
    `kubeguard posture audit of ${report.cluster}: score ${report.score}/100`,
    `  ${pass} passed, ${fail} failed, ${skip} skipped — ${report.checks.length} checks`,
    '',
  ];
  const failures = report.results.filter((r) => r.status === 'fail');
  for (const severity of [...SEVERITIES].reverse()) {
    const group = failures.filter((r) => r.severity === severity);
    if (group.length === 0) continue;
    lines.push(`${severity.toUpperCase()} (${group.length})`);
    for (const r of group) {
      lines.push(`  ${r.checkId} ${titles.get(r.checkId) ?? ''} — ${objectLabel(r.object)}${where(r)}`);
      lines.push(`    ${r.message}`);
      lines.push(`    fix: ${r.remediation}`);
    }
    lines.push('');
  }
  if (failures.length === 0) lines.push('No failures.', '');
  const skipped = new Map<string, string[]>();
  for (const r of report.results.filter((r) => r.status === 'skip')) {
    skipped.set(r.message, [...(skipped.get(r.message) ?? []), r.checkId]);
  }
  if (skipped.size > 0) {
    lines.push('Skipped');
    for (const [reason, ids] of skipped) lines.push(`  ${ids.join(', ')}: ${reason}`);
    lines.push('');
  }
  return terminalSafe(lines.join('\n'));
}
