import { KubeguardError } from '../errors.ts';
import { SEVERITIES } from '../model/severity.ts';
import * as z from '../zod.ts';
import type { AuditReport } from './report.ts';

/**
 * A report read back from its JSON evidence export (core/posture/export/json.ts), for "Show
 * details": the export holds every field of the report. The text comes from storage kubeguard wrote,
 * but it is checked all the same — a file edited by hand or cut short is named, not rendered.
 */
const counts = z.object({ pass: z.int(), fail: z.int(), skip: z.int() });
const result = z.object({
  checkId: z.string(),
  status: z.enum(['pass', 'fail', 'skip']),
  severity: z.enum(SEVERITIES),
  object: z.object({ kind: z.string(), namespace: z.optional(z.string()), name: z.string() }),
  file: z.optional(z.string()),
  line: z.optional(z.int()),
  message: z.string(),
  remediation: z.string(),
  evidence: z.optional(z.record(z.string(), z.string())),
});
const check = z.object({
  id: z.string(),
  title: z.string(),
  severity: z.enum(SEVERITIES),
  category: z.enum(['aws', 'node', 'rbac', 'workload', 'network']),
  core: z.boolean(),
  cis: z.array(z.string()),
  pss: z.optional(z.enum(['baseline', 'restricted'])),
  reads: z.array(z.string()),
  remediation: z.string(),
});
const reportSchema = z.object({
  cluster: z.string(),
  takenAt: z.string(),
  score: z.number(),
  summary: counts,
  categories: z.record(z.string(), counts),
  cisSections: z.record(z.string(), counts),
  checks: z.array(check),
  results: z.array(result),
});

/** Parses `report.json`; INTERNAL naming the first problem when it is not a report. */
export function parseStoredReport(text: string, where: string): AuditReport {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new KubeguardError('INTERNAL', `the stored report ${where} is not JSON`, { cause: error });
  }
  const parsed = reportSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new KubeguardError(
      'INTERNAL',
      `the stored report ${where} is malformed at ${issue?.path.map(String).join('.') ?? '(root)'}: ${issue?.message ?? 'unknown'}`,
    );
  }
  return parsed.data as unknown as AuditReport;
}
