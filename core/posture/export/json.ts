import type { CheckResult } from '../check.ts';
import type { AuditReport } from '../report.ts';
import { ARRAY_PLACEHOLDER, documentChunks } from './stream.ts';

/** One result as the CLI and the evidence export print it. */
export interface JsonResult {
  checkId: string;
  status: CheckResult['status'];
  severity: CheckResult['severity'];
  object: { kind: string; namespace?: string; name: string };
  file?: string;
  line?: number;
  message: string;
  remediation: string;
  evidence?: Record<string, string>;
}

/**
 * The JSON document of `kubeguard audit --format json` and of the evidence export:
 * `{score, summary: {pass, fail, skip}, results: [...]}` first, then the context a compliance
 * reviewer needs (what was read and skipped, cluster, time, per-category and per-CIS counts, the
 * checks that ran).
 */
export function jsonReport(report: AuditReport) {
  return {
    score: report.score,
    summary: report.summary,
    results: report.results.map(jsonResult),
    ...(report.input === undefined ? {} : { input: report.input }),
    cluster: report.cluster,
    takenAt: report.takenAt,
    categories: report.categories,
    cisSections: report.cisSections,
    checks: report.checks,
  };
}

export function jsonResult(result: CheckResult): JsonResult {
  const object: JsonResult['object'] = { kind: result.object.kind, name: result.object.name };
  if (result.object.namespace !== undefined) object.namespace = result.object.namespace;
  const json: JsonResult = {
    checkId: result.checkId,
    status: result.status,
    severity: result.severity,
    object,
    message: result.message,
    remediation: result.remediation,
  };
  if (result.file !== undefined) json.file = result.file;
  if (result.line !== undefined) json.line = result.line;
  if (result.evidence !== undefined) json.evidence = result.evidence;
  return json;
}

/** The JSON document in pieces, one result per line (see stream.ts): never one giant string. */
export function* jsonChunks(report: AuditReport): Generator<string> {
  const skeleton = { ...jsonReport({ ...report, results: [] }), results: ARRAY_PLACEHOLDER };
  yield* documentChunks(skeleton, report.results, jsonResult);
}

export function toJson(report: AuditReport): string {
  return [...jsonChunks(report)].join('');
}
