import type { AuditReport, SkippedDocument } from '../report.ts';

const SHOWN = 5;

export function describeSkipped(skipped: SkippedDocument): string {
  const document = skipped.document === undefined ? '' : ` document ${skipped.document}`;
  const item = skipped.item === undefined ? '' : ` item ${skipped.item}`;
  return `${skipped.file}${document}${item}: ${skipped.reason}`;
}

/** `1 document skipped: broken.yaml document 1: invalid YAML …` (the first five), for the summaries. */
export function inputLines(report: AuditReport): string[] {
  const skipped = report.input?.skipped ?? [];
  if (skipped.length === 0) return [];
  const lines = skipped.slice(0, SHOWN).map(describeSkipped);
  const more = skipped.length - SHOWN;
  if (more > 0) lines.push(`… and ${more.toLocaleString('en-US')} more`);
  const count = `${skipped.length.toLocaleString('en-US')} document${skipped.length === 1 ? '' : 's'} skipped`;
  return lines.length === 1 ? [`${count}: ${lines[0]}`] : [`${count}:`, ...lines.map((line) => `  ${line}`)];
}
