import type { Role } from '../authz/policy.ts';

/**
 * The audit trail: who asked kubeguard to do what through Slack, when, on which cluster and target,
 * what was decided and what came of it — compliance evidence, shown in Slack and exported as JSON
 * Lines. A record holds references and short texts written by kubeguard, plus the reason a person
 * typed (bounded); never a token, a response URL, a secret value or event data.
 */

export const AUDIT_RECORD_TYPES = [
  'request',
  'denial',
  'approval-requested',
  'approval',
  'action',
  'outcome',
] as const;
/**
 * `request`: a command, click or submission accepted (or answered at once); `denial`: refused by
 * authorization; `approval-requested`: a confirmed action waits for a second person (its plan, the
 * approver role, until when); `approval`: a second person approved or denied it, or found it expired;
 * `action`: a change is about to be made (its plan); `outcome`: what the change or the answer came to.
 */
export type AuditRecordType = (typeof AUDIT_RECORD_TYPES)[number];

export const AUDIT_RESULTS = [
  'accepted',
  'answered',
  'invalid',
  'denied',
  'done',
  'unchanged',
  'failed',
] as const;
/**
 * `accepted`: queued for the worker; `answered`: replied at once (help); `invalid`: refused for its
 * arguments; `denied`: refused by authorization; `done`: the change was made; `unchanged`: nothing
 * needed changing (already in that state); `failed`: the change or the answer failed.
 */
export type AuditResult = (typeof AUDIT_RESULTS)[number];

/** `event`: an Events API event the person caused (opening the App Home tab). */
export const AUDIT_SOURCES = ['command', 'button', 'modal', 'event'] as const;
export type AuditSource = (typeof AUDIT_SOURCES)[number];

export interface AuditRecord {
  /** `<requestId>:<type>`: one record of each type per request, so a retried write is the same record. */
  id: string;
  requestId: string;
  type: AuditRecordType;
  /** ISO-8601. */
  at: string;
  /** Slack user id of the person (or `kubeguard`). */
  actor: string;
  /** Slack workspace (team) id. */
  team?: string;
  /** What was asked: a command or action kind (`ack`, `suppress`, `findings`, `help` …). */
  kind: string;
  source: AuditSource;
  cluster?: string;
  /** Finding fingerprint. */
  finding?: string;
  /** The object acted on, e.g. `finding 3f2a…`, `Pod shop/web-1`. */
  target?: string;
  /** The plan, in one line: `status open → acknowledged`. */
  plan?: string;
  result?: AuditResult;
  /** kubeguard's one-line explanation (the error text, the answer's summary). */
  detail?: string;
  /** The reason the person gave. */
  reason?: string;
  /** For a denial: the role that was needed. */
  role?: Role;
}

/** Caps so a record stays small and a pasted wall of text does not fill the trail. */
export const AUDIT_TEXT_LIMITS = { detail: 500, reason: 500, target: 300, plan: 500 } as const;

/** A record with every free text bounded (cut with an ellipsis) and single-line. */
export function boundedRecord(record: AuditRecord): AuditRecord {
  const bounded: AuditRecord = { ...record };
  for (const field of ['detail', 'reason', 'target', 'plan'] as const) {
    const value = bounded[field];
    if (value !== undefined) bounded[field] = oneLine(value, AUDIT_TEXT_LIMITS[field]);
  }
  return bounded;
}

function oneLine(text: string, max: number): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed.
  const line = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

/** The id of a request's record of one type. */
export function auditRecordId(requestId: string, type: AuditRecordType): string {
  return `${requestId}:${type}`;
}
