import type { CheckMetadata, CheckResult, CheckStatus, ObjectRef } from './check.ts';
import type { ClusterSnapshot, KubeObject } from './snapshot.ts';
import { indexSnapshot } from './snapshot-index.ts';

/** What a result is about: the object and, for offline audits, the manifest file it came from. */
export interface Subject {
  ref: ObjectRef;
  file?: string;
  line?: number;
}

/** Kind of the object cluster-wide results (and skips) are reported on. */
export const CLUSTER_KIND = 'Cluster';

export function refOf(object: KubeObject): ObjectRef {
  const ref: ObjectRef = { kind: object.kind, name: String(object.metadata.name) };
  if (typeof object.metadata.namespace === 'string' && object.metadata.namespace !== '') {
    ref.namespace = object.metadata.namespace;
  }
  return ref;
}

/** Subjects per snapshot and object: see subjectOf. */
const subjects = new WeakMap<ClusterSnapshot, Map<KubeObject, Subject>>();

/**
 * The subject of an object, one per object and snapshot: every result on the object shares its ref
 * (some checks report on the same object dozens of times), which keeps the results of a large
 * audit smaller and lets the report's sort recognise the object by identity. Callers must not
 * modify it.
 */
export function subjectOf(snapshot: ClusterSnapshot, object: KubeObject): Subject {
  let known = subjects.get(snapshot);
  if (known === undefined) {
    known = new Map();
    subjects.set(snapshot, known);
  }
  let subject = known.get(object);
  if (subject === undefined) {
    subject = { ref: refOf(object), ...indexSnapshot(snapshot).locationOf(object) };
    known.set(object, subject);
  }
  return subject;
}

export function clusterSubject(snapshot: ClusterSnapshot): Subject {
  return { ref: { kind: CLUSTER_KIND, name: snapshot.name } };
}

export function makeResult(
  check: CheckMetadata,
  status: CheckStatus,
  subject: Subject,
  message: string,
  evidence?: Record<string, string>,
): CheckResult {
  const result: CheckResult = {
    checkId: check.id,
    status,
    severity: check.severity,
    object: subject.ref,
    message,
    remediation: check.remediation,
  };
  if (subject.file !== undefined) result.file = subject.file;
  if (subject.file !== undefined && subject.line !== undefined) result.line = subject.line;
  if (evidence !== undefined && Object.keys(evidence).length > 0) result.evidence = evidence;
  return result;
}

/** The one result of a check that could not run: on the cluster object, message `skipped: <reason>`. */
export function skipResult(check: CheckMetadata, snapshot: ClusterSnapshot, reason: string): CheckResult {
  return makeResult(check, 'skip', clusterSubject(snapshot), `skipped: ${reason}`);
}

/** Prefix of the message of a check that had nothing to look at (a `skip`, excluded from the score). */
export const NOT_APPLICABLE = 'not applicable: ';

/**
 * The one result of a check that found nothing to inspect in the snapshot (no pods for a pod check,
 * no Secret for KP-024): `not applicable`, carried as a `skip` so it counts neither as a pass nor as
 * a failure, and distinguishable from a check that could not run by its message.
 */
export function notApplicableResult(
  check: CheckMetadata,
  snapshot: ClusterSnapshot,
  reason: string,
): CheckResult {
  return makeResult(check, 'skip', clusterSubject(snapshot), `${NOT_APPLICABLE}${reason}`);
}

export function isNotApplicable(result: CheckResult): boolean {
  return result.status === 'skip' && result.message.startsWith(NOT_APPLICABLE);
}

const MAX_SHOWN = 120;

/** A value as it appears in a message: JSON for strings (quotes make blanks visible), capped in length. */
export function show(value: unknown): string {
  if (value === undefined) return 'not set';
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
}
