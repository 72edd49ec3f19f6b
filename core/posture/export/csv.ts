import type { CheckMetadata } from '../check.ts';
import type { AuditReport } from '../report.ts';
import { isNotApplicable } from '../results.ts';

export const CSV_COLUMNS = [
  'checkId',
  'title',
  'status',
  'severity',
  'category',
  'core',
  'cis',
  'pss',
  'kind',
  'namespace',
  'name',
  'file',
  'line',
  'message',
  'evidence',
  'remediation',
] as const;

/**
 * Cells a spreadsheet would run as a formula (=, +, -, @, and tab/CR which some parsers strip first)
 * get a leading apostrophe: object names and messages come from manifests an attacker may write.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One RFC 4180 field: neutralised, then quoted when it holds a quote, comma or line break. */
export function csvField(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** Every result, one row each, CRLF line ends (RFC 4180), header first; a row at a time. */
export function* csvChunks(report: AuditReport): Generator<string> {
  const checks = new Map<string, CheckMetadata>(report.checks.map((check) => [check.id, check]));
  yield csvRow([...CSV_COLUMNS]);
  for (const result of report.results) {
    const check = checks.get(result.checkId);
    const evidence = Object.entries(result.evidence ?? {})
      .map(([field, value]) => `${field} = ${value}`)
      .join('; ');
    yield csvRow([
      result.checkId,
      check?.title ?? '',
      isNotApplicable(result) ? 'not applicable' : result.status,
      result.severity,
      check?.category ?? '',
      check === undefined ? '' : String(check.core),
      check?.cis.join(' ') ?? '',
      check?.pss ?? '',
      result.object.kind,
      result.object.namespace ?? '',
      result.object.name,
      result.file ?? '',
      result.line === undefined ? '' : String(result.line),
      result.message,
      evidence,
      result.remediation,
    ]);
  }
}

function csvRow(cells: string[]): string {
  return `${cells.map(csvField).join(',')}\r\n`;
}

export function toCsv(report: AuditReport): string {
  return [...csvChunks(report)].join('');
}
