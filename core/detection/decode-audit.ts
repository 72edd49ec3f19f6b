import { InvalidEventError } from '../errors.ts';
import { describeValue } from '../ingest/describe-value.ts';
import type { AuditEvent, AuditObjectRef, AuditUser } from './audit-event.ts';
import { isRecord } from './audit-event.ts';

/** The audit API versions kube-apiserver has written; v1beta1 appears in older (pre-1.24) captures. */
export const AUDIT_API_VERSIONS = ['audit.k8s.io/v1', 'audit.k8s.io/v1beta1'] as const;

type UnknownRecord = Record<string, unknown>;

function invalid(field: string, expectation: string, received: unknown): InvalidEventError {
  return new InvalidEventError(
    `audit event field "${field}" ${expectation}; received ${describeValue(received)}. ` +
      'Pass kube-apiserver audit Events (kind "Event", apiVersion audit.k8s.io/v1 or v1beta1).',
    { details: { field } },
  );
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function stringArray(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.filter((item): item is string => typeof item === 'string');
}

/** A record of only the string values of `value` (own properties, `__proto__` kept as data). */
function stringRecord(value: unknown): Record<string, string> | undefined {
  if (!isRecord(value)) return undefined;
  return Object.fromEntries(
    Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

function stringArrayRecord(value: unknown): Record<string, string[]> | undefined {
  if (!isRecord(value)) return undefined;
  const entries: [string, string[]][] = [];
  for (const [key, item] of Object.entries(value)) {
    const strings = stringArray(item);
    if (strings !== undefined) entries.push([key, strings]);
  }
  return Object.fromEntries(entries);
}

/** Drops undefined members so that `'field' in event` means the field has a usable value. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as T;
}

function parseUser(value: unknown): AuditUser | undefined {
  if (!isRecord(value)) return undefined;
  return compact({
    username: optionalString(value.username),
    uid: optionalString(value.uid),
    groups: stringArray(value.groups),
    extra: stringArrayRecord(value.extra),
  });
}

function parseObjectRef(value: unknown): AuditObjectRef | undefined {
  if (!isRecord(value)) return undefined;
  return compact({
    resource: optionalString(value.resource),
    namespace: optionalString(value.namespace),
    name: optionalString(value.name),
    apiGroup: optionalString(value.apiGroup),
    apiVersion: optionalString(value.apiVersion),
    subresource: optionalString(value.subresource),
  });
}

function parseResponseStatus(value: unknown): AuditEvent['responseStatus'] {
  if (!isRecord(value)) return undefined;
  const code = value.code;
  return compact({
    code: typeof code === 'number' && Number.isInteger(code) ? code : undefined,
    reason: optionalString(value.reason),
    status: optionalString(value.status),
    message: optionalString(value.message),
  });
}

// Fast path: real kube-apiserver events are well typed, and copying every one of them would cost
// more than all the rules together. These checks allocate nothing.

function isOptionalString(value: unknown): boolean {
  return value === undefined || typeof value === 'string';
}

function isStringArray(value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  for (const item of value) if (typeof item !== 'string') return false;
  return true;
}

function hasOnlyValues(value: unknown, check: (item: unknown) => boolean): boolean {
  if (!isRecord(value)) return false;
  for (const key in value) if (Object.hasOwn(value, key) && !check(value[key])) return false;
  return true;
}

function isWellTypedUser(value: unknown): boolean {
  if (value === undefined) return true;
  return (
    isRecord(value) &&
    isOptionalString(value.username) &&
    isOptionalString(value.uid) &&
    (value.groups === undefined || isStringArray(value.groups)) &&
    (value.extra === undefined || hasOnlyValues(value.extra, isStringArray))
  );
}

function isWellTypedObjectRef(value: unknown): boolean {
  if (value === undefined) return true;
  return (
    isRecord(value) &&
    isOptionalString(value.resource) &&
    isOptionalString(value.namespace) &&
    isOptionalString(value.name) &&
    isOptionalString(value.apiGroup) &&
    isOptionalString(value.apiVersion) &&
    isOptionalString(value.subresource)
  );
}

function isWellTypedResponseStatus(value: unknown): boolean {
  if (value === undefined) return true;
  return (
    isRecord(value) &&
    (value.code === undefined || Number.isInteger(value.code)) &&
    isOptionalString(value.reason) &&
    isOptionalString(value.status) &&
    isOptionalString(value.message)
  );
}

/** True when every field the rules read already has the type AuditEvent declares. */
function isWellTyped(raw: UnknownRecord): boolean {
  return (
    typeof raw.auditID === 'string' &&
    typeof raw.verb === 'string' &&
    isOptionalString(raw.apiVersion) &&
    isOptionalString(raw.level) &&
    isOptionalString(raw.stage) &&
    isOptionalString(raw.requestURI) &&
    isOptionalString(raw.userAgent) &&
    isOptionalString(raw.requestReceivedTimestamp) &&
    isOptionalString(raw.stageTimestamp) &&
    isOptionalString(raw.timestamp) &&
    (raw.sourceIPs === undefined || isStringArray(raw.sourceIPs)) &&
    (raw.annotations === undefined || hasOnlyValues(raw.annotations, (item) => typeof item === 'string')) &&
    isWellTypedUser(raw.user) &&
    isWellTypedUser(raw.impersonatedUser) &&
    isWellTypedObjectRef(raw.objectRef) &&
    isWellTypedResponseStatus(raw.responseStatus)
  );
}

export interface ParseAuditEventOptions {
  /**
   * Accept events that lack apiVersion, auditID or verb, as trimmed test traces do (the public
   * corpus, rule-test logs): a missing verb becomes '' and a missing auditID `fallbackAuditId`.
   * A present value of the wrong type is still rejected. Real kube-apiserver output always has all
   * three, so the Lambda never uses this. @default false
   */
  lenient?: boolean;
  /** The auditID of an event without one, in lenient mode. @default '(no auditID)' */
  fallbackAuditId?: string;
}

function requireEnvelope(value: unknown, options: ParseAuditEventOptions): UnknownRecord {
  if (!isRecord(value)) {
    throw new InvalidEventError(
      `an audit event must be a JSON object; received ${describeValue(value)}. ` +
        'Pass kube-apiserver audit Events (kind "Event", apiVersion audit.k8s.io/v1 or v1beta1).',
      { details: { field: '(root)' } },
    );
  }
  const lenient = options.lenient === true;
  const missing = (field: string) => lenient && value[field] === undefined;
  if (value.kind !== 'Event') throw invalid('kind', 'must be "Event"', value.kind);
  if (!missing('apiVersion') && !(AUDIT_API_VERSIONS as readonly unknown[]).includes(value.apiVersion)) {
    throw invalid('apiVersion', `must be one of ${AUDIT_API_VERSIONS.join(', ')}`, value.apiVersion);
  }
  if (!missing('auditID') && (typeof value.auditID !== 'string' || value.auditID === '')) {
    throw invalid('auditID', 'must be a non-empty string', value.auditID);
  }
  if (!missing('verb') && (typeof value.verb !== 'string' || value.verb === '')) {
    throw invalid('verb', 'must be a non-empty string', value.verb);
  }
  return value;
}

/**
 * Validates one kube-apiserver audit Event (`audit.k8s.io/v1` or `v1beta1`): kind, apiVersion,
 * auditID and verb are required. When every other field the rules read already has the type
 * `AuditEvent` declares (real events), the value itself is returned, uncopied; otherwise a normalized
 * copy in which every optional field of a wrong type is dropped (a number where a string belongs, a
 * non-array `sourceIPs`, non-string annotation values), so rules only ever see the declared types.
 * The input is never modified. `requestObject` and `responseObject` are passed through as they are:
 * rules read them with `getPath`.
 *
 * @throws InvalidEventError naming the field and the value received.
 */
export function parseAuditEvent(value: unknown, options: ParseAuditEventOptions = {}): AuditEvent {
  const raw = requireEnvelope(value, options);
  if (isWellTyped(raw)) return raw as unknown as AuditEvent;
  return compact<AuditEvent>({
    kind: 'Event',
    apiVersion: optionalString(raw.apiVersion),
    level: optionalString(raw.level),
    auditID: optionalString(raw.auditID) ?? options.fallbackAuditId ?? '(no auditID)',
    stage: optionalString(raw.stage),
    requestURI: optionalString(raw.requestURI),
    verb: optionalString(raw.verb) ?? '',
    user: parseUser(raw.user),
    impersonatedUser: parseUser(raw.impersonatedUser),
    sourceIPs: stringArray(raw.sourceIPs),
    userAgent: optionalString(raw.userAgent),
    objectRef: parseObjectRef(raw.objectRef),
    responseStatus: parseResponseStatus(raw.responseStatus),
    requestObject: raw.requestObject,
    responseObject: raw.responseObject,
    requestReceivedTimestamp: optionalString(raw.requestReceivedTimestamp),
    stageTimestamp: optionalString(raw.stageTimestamp),
    timestamp: optionalString(raw.timestamp),
    annotations: stringRecord(raw.annotations),
  });
}

/** True when `value` looks like an audit Event (used for input auto-detection; not a validation). */
export function looksLikeAuditEvent(value: unknown): boolean {
  return (
    isRecord(value) &&
    value.kind === 'Event' &&
    typeof value.apiVersion === 'string' &&
    value.apiVersion.startsWith('audit.k8s.io/')
  );
}
