import { KubeguardError } from '../errors.ts';

/**
 * What the policy generator reads from an audit: what both an AuditReport (core/posture/report.ts)
 * and the JSON report of `kubeguard audit --format json` (core/posture/export/json.ts) provide —
 * the cluster, when it was audited, the checks that ran and their results. An AuditReport is a
 * PolicyInput as it is; a REPORT.json becomes one through `policyInputFromJson`, which validates it.
 */
export interface PolicyInput {
  cluster: string;
  takenAt: string;
  checks: readonly PolicyCheckMetadata[];
  results: readonly PolicyCheckResult[];
}

/** The part of a check's metadata the generator uses (a subset of CheckMetadata). */
export interface PolicyCheckMetadata {
  id: string;
  title: string;
  /** CIS Amazon EKS Benchmark sections, e.g. ['4.2.1']. */
  cis: readonly string[];
  pss?: 'baseline' | 'restricted';
  remediation?: string;
}

/** The part of a result the generator uses (a subset of CheckResult and of the JSON result). */
export interface PolicyCheckResult {
  checkId: string;
  status: 'pass' | 'fail' | 'skip';
  object: { kind: string; namespace?: string; name: string };
  message: string;
  /** Manifest file of the object (offline audits). */
  file?: string;
  evidence?: Readonly<Record<string, string>>;
}

/**
 * A REPORT.json that cannot be read as an audit report. `details.field` names the field (a JSON
 * path such as `results[3].status`), `details.fix` what to do.
 */
export class PolicyInputError extends KubeguardError {
  readonly field: string;
  readonly fix: string;

  constructor(field: string, problem: string, fix: string = REPORT_FIX) {
    super('INVALID_ARGUMENT', `${field === '' ? 'the report' : field} ${problem}; ${fix}`, {
      details: { field, fix },
    });
    this.name = 'PolicyInputError';
    this.field = field;
    this.fix = fix;
  }
}

const REPORT_FIX = 'give the JSON report of `kubeguard audit --format json` (unchanged)';
const STATUSES: readonly string[] = ['pass', 'fail', 'skip'];

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function string(parent: Json, key: string, path: string): string {
  const value = parent[key];
  if (typeof value !== 'string') throw new PolicyInputError(path, `is ${describe(value)}: expected a string`);
  return value;
}

function stringList(value: unknown, path: string): string[] {
  if (!Array.isArray(value))
    throw new PolicyInputError(path, `is ${describe(value)}: expected an array of strings`);
  return value.map((item, index) => {
    if (typeof item !== 'string')
      throw new PolicyInputError(`${path}[${index}]`, `is ${describe(item)}: expected a string`);
    return item;
  });
}

function list(parent: Json, key: string): unknown[] {
  const value = parent[key];
  if (!Array.isArray(value)) throw new PolicyInputError(key, `is ${describe(value)}: expected an array`);
  return value;
}

function checkOf(value: unknown, index: number): PolicyCheckMetadata {
  const path = `checks[${index}]`;
  if (!isRecord(value)) throw new PolicyInputError(path, `is ${describe(value)}: expected an object`);
  const check: PolicyCheckMetadata = {
    id: string(value, 'id', `${path}.id`),
    title: string(value, 'title', `${path}.title`),
    cis: value.cis === undefined ? [] : stringList(value.cis, `${path}.cis`),
  };
  if (value.pss !== undefined) {
    if (value.pss !== 'baseline' && value.pss !== 'restricted')
      throw new PolicyInputError(
        `${path}.pss`,
        `is ${describe(value.pss)}: expected "baseline" or "restricted"`,
      );
    check.pss = value.pss;
  }
  if (typeof value.remediation === 'string') check.remediation = value.remediation;
  return check;
}

function resultOf(value: unknown, index: number): PolicyCheckResult {
  const path = `results[${index}]`;
  if (!isRecord(value)) throw new PolicyInputError(path, `is ${describe(value)}: expected an object`);
  const status = value.status;
  if (typeof status !== 'string' || !STATUSES.includes(status))
    throw new PolicyInputError(`${path}.status`, `is ${describe(status)}: expected "pass", "fail" or "skip"`);
  const object = value.object;
  if (!isRecord(object))
    throw new PolicyInputError(`${path}.object`, `is ${describe(object)}: expected {kind, namespace?, name}`);
  const ref: PolicyCheckResult['object'] = {
    kind: string(object, 'kind', `${path}.object.kind`),
    name: string(object, 'name', `${path}.object.name`),
  };
  if (object.namespace !== undefined) ref.namespace = string(object, 'namespace', `${path}.object.namespace`);
  const result: PolicyCheckResult = {
    checkId: string(value, 'checkId', `${path}.checkId`),
    status: status as PolicyCheckResult['status'],
    object: ref,
    message: string(value, 'message', `${path}.message`),
  };
  if (value.file !== undefined) result.file = string(value, 'file', `${path}.file`);
  if (value.evidence !== undefined) {
    if (!isRecord(value.evidence))
      throw new PolicyInputError(
        `${path}.evidence`,
        `is ${describe(value.evidence)}: expected an object of strings`,
      );
    result.evidence = Object.fromEntries(
      Object.entries(value.evidence).map(([key, item]) => [key, String(item)]),
    );
  }
  return result;
}

/**
 * The PolicyInput of a parsed REPORT.json, validated: every field the generator reads must be there
 * with its type, else a PolicyInputError names the field and the fix.
 */
export function policyInputFromJson(json: unknown): PolicyInput {
  return policyInputFromParts(json);
}

/**
 * The same, for a report read in parts (the CLI streams big reports line by line): `json` is the
 * report with its `results` array left empty, `results` the results already read with
 * `policyResultFromJson`, each with its index in the report's array (for the error messages).
 */
export function policyInputFromParts(
  json: unknown,
  streamed?: readonly { index: number; result: PolicyCheckResult }[],
): PolicyInput {
  if (!isRecord(json)) {
    throw new PolicyInputError('', `is ${describe(json)}: expected the JSON object of an audit report`);
  }
  if (json.results === undefined && json.checks === undefined) {
    throw new PolicyInputError(
      '',
      'has neither "results" nor "checks": it is not an audit report',
      'produce it with `kubeguard audit --format json --output REPORT.json`',
    );
  }
  const checks = list(json, 'checks').map(checkOf);
  const known = new Set(checks.map((check) => check.id));
  const indexed =
    streamed ?? list(json, 'results').map((value, index) => ({ index, result: resultOf(value, index) }));
  for (const { index, result } of indexed) {
    if (!known.has(result.checkId))
      throw new PolicyInputError(
        `results[${index}].checkId`,
        `is "${result.checkId}", a check missing from "checks"`,
      );
  }
  return {
    cluster: string(json, 'cluster', 'cluster'),
    takenAt: string(json, 'takenAt', 'takenAt'),
    checks,
    results: indexed.map(({ result }) => result),
  };
}

/** One element of the report's `results`, validated (`index` names it in errors). */
export function policyResultFromJson(value: unknown, index: number): PolicyCheckResult {
  return resultOf(value, index);
}
