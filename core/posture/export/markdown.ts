import { SEVERITIES } from '../../model/severity.ts';
import type { CheckMetadata, CheckResult, ObjectRef } from '../check.ts';
import type { AuditReport, StatusCounts } from '../report.ts';
import { NOT_APPLICABLE } from '../results.ts';
import { failureGroups, kindCount, moreLine, skipsByReason } from './groups.ts';
import { inputLines } from './input-summary.ts';

/**
 * Escapes text for a Markdown table cell: Markdown punctuation is backslash-escaped, `&`, `<`, `>`
 * become entities (names and messages come from manifests: no HTML or links may be injected), and
 * line breaks become spaces so a cell stays on its row.
 */
export function mdCell(text: string): string {
  return text
    .replace(/[\\`*_[\]|#!~]/g, (c) => `\\${c}`)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replace(/\r\n|\r|\n/g, ' ');
}

export function objectLabel(ref: ObjectRef): string {
  return ref.namespace === undefined ? `${ref.kind}/${ref.name}` : `${ref.kind}/${ref.namespace}/${ref.name}`;
}

function location(result: CheckResult): string {
  if (result.file === undefined) return '';
  return result.line === undefined ? result.file : `${result.file}:${result.line}`;
}

function countsTable(heading: string, rows: [string, StatusCounts][]): string[] {
  return [
    `| ${heading} | Pass | Fail | Skip |`,
    '|---|---:|---:|---:|',
    ...rows.map(([name, c]) => `| ${mdCell(name)} | ${c.pass} | ${c.fail} | ${c.skip} |`),
  ];
}

function failureSection(report: AuditReport, titles: Map<string, string>): string[] {
  const lines: string[] = ['## Failures, top risks first', ''];
  const groups = failureGroups(report);
  if (groups.length === 0) return [...lines, 'No failures.', ''];
  for (const severity of [...SEVERITIES].reverse()) {
    const ofSeverity = groups.filter((group) => group.severity === severity);
    if (ofSeverity.length === 0) continue;
    const total = ofSeverity.reduce((sum, group) => sum + group.count, 0);
    lines.push(
      `### ${severity[0]?.toUpperCase()}${severity.slice(1)} (${total.toLocaleString('en-US')})`,
      '',
    );
    for (const group of ofSeverity) {
      lines.push(
        `#### ${group.checkId} ${mdCell(titles.get(group.checkId) ?? '')} — failed on ${kindCount(group.count, group.kind)}`,
        '',
        `Remediation: ${mdCell(group.shown[0]?.remediation ?? '')}`,
        '',
        '| Object | Location | Finding | Evidence |',
        '|---|---|---|---|',
      );
      for (const r of group.shown) {
        const evidence = Object.entries(r.evidence ?? {})
          .map(([field, value]) => `${mdCell(field)} = ${mdCell(value)}`)
          .join('<br>');
        lines.push(
          `| ${mdCell(objectLabel(r.object))} | ${mdCell(location(r))} | ${mdCell(r.message)} | ${evidence} |`,
        );
      }
      const more = moreLine(group);
      lines.push(...(more === undefined ? [] : ['', more]), '');
    }
  }
  return lines;
}

function checksTable(report: AuditReport): string[] {
  const perCheck = new Map<string, StatusCounts>();
  for (const r of report.results) {
    const counts = perCheck.get(r.checkId) ?? { pass: 0, fail: 0, skip: 0 };
    counts[r.status] += 1;
    perCheck.set(r.checkId, counts);
  }
  const row = (check: CheckMetadata) => {
    const c = perCheck.get(check.id) ?? { pass: 0, fail: 0, skip: 0 };
    const core = check.core ? '★' : '';
    return `| ${check.id} | ${core} | ${mdCell(check.title)} | ${check.severity} | ${check.category} | ${check.cis.join(', ')} | ${check.pss ?? ''} | ${c.pass} | ${c.fail} | ${c.skip} |`;
  };
  return [
    '| ID | Core | Check | Severity | Category | CIS | PSS | Pass | Fail | Skip |',
    '|---|---|---|---|---|---|---|---:|---:|---:|',
    ...report.checks.map(row),
  ];
}

/** The full report as Markdown, for compliance reviews and pull-request comments. */
export function toMarkdown(report: AuditReport): string {
  const titles = new Map(report.checks.map((check) => [check.id, check.title]));
  const { skipped, notApplicable } = skipsByReason(report);
  // Thousands separated: a cluster audit counts hundreds of thousands of results.
  const [pass, fail, skip] = [report.summary.pass, report.summary.fail, report.summary.skip].map((n) =>
    n.toLocaleString('en-US'),
  );
  const applicable = notApplicable.length === 0 ? '' : ` (${notApplicable.length} not applicable)`;
  const input = inputLines(report).map((line) =>
    line.startsWith('  ') ? `  - ${mdCell(line.trim())}` : `- ${mdCell(line)}`,
  );
  const lines = [
    `# kubeguard posture report: ${mdCell(report.cluster)}`,
    '',
    `Taken at ${mdCell(report.takenAt)}. **Score ${report.score}/100** — ${pass} passed, ${fail} failed, ${skip} skipped${applicable}.`,
    '',
    ...(input.length === 0 ? [] : [...input, '']),
    ...failureSection(report, titles),
    '## Results per category',
    '',
    ...countsTable('Category', Object.entries(report.categories) as [string, StatusCounts][]),
    '',
    '## Results per CIS Amazon EKS Benchmark v1.8.0 section',
    '',
    ...countsTable('Section', Object.entries(report.cisSections)),
    '',
    '## Skipped',
    '',
    ...(skipped.size === 0
      ? ['Nothing skipped.']
      : [...skipped].map(
          ([reason, ids]) =>
            `- ${ids.length === 1 ? `${ids[0]} ${mdCell(titles.get(ids[0] as string) ?? '')}` : ids.join(', ')}: ${mdCell(reason)}`,
        )),
    '',
    ...(notApplicable.length === 0
      ? []
      : [
          '## Not applicable (nothing to look at)',
          '',
          ...notApplicable.map(
            (r) =>
              `- ${r.checkId} ${mdCell(titles.get(r.checkId) ?? '')}: ${mdCell(r.message.slice(NOT_APPLICABLE.length))}`,
          ),
          '',
        ]),
    '## Checks',
    '',
    ...checksTable(report),
    '',
    'Score: severity-weighted (critical 10, high 5, medium 2, low 1) mean of each check’s pass rate; skips excluded.',
    '',
  ];
  return lines.join('\n');
}
