import type { CheckMetadata } from '../check.ts';
import type { AuditReport } from '../report.ts';

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

/** Every result, one row each, CRLF line ends (RFC 4180), header first. */
export function toCsv(report: AuditReport): string {
  const checks = new Map<string, CheckMetadata>(report.checks.map((check) => [check.id, check]));
  const rows = report.results.map((result) => {
    const check = checks.get(result.checkId);
    const evidence = Object.entries(result.evidence ?? {})
      .map(([field, value]) => `${field} = ${value}`)
      .join('; ');
    return [
      result.checkId,
      check?.title ?? '',
      result.status,
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
    ];
  });
  return [[...CSV_COLUMNS], ...rows].map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}
