import { credentialReason } from '../posture/checks/kp-081-hardcoded-credentials.ts';

/**
 * Redaction of a configuration snapshot before it is stored or put in an evidence pack: an auditor
 * needs to see which Secrets, keys and variables exist, never their values. Keys and names are kept;
 * values are replaced by `[redacted]` (not a hash: a hash of a short password is a dictionary lookup
 * away from the password).
 *
 * Redacted wherever they appear (a `kind: List`, a CronJob's job template, a last-applied annotation):
 * - every value of a Secret's `data` and `stringData`;
 * - every container's inline environment value (`env[].value`);
 * - a ConfigMap value (`data`, `binaryData`) whose key names a credential or whose value looks like
 *   one — the same test as KP-081 (`credentialReason`) — and, in the other values, the value part of
 *   a `password = …` / `token: …` line;
 * - kubectl's `last-applied-configuration` annotation, which repeats the object as applied (a
 *   Secret's data included): redacted by the same rules, or whole when it is not JSON;
 * - AWS-side secret values (`SecretString`, `SecretBinary` of a Secrets Manager response).
 * Free texts a person typed (reasons) are scrubbed of values that are credentials whatever their
 * context (AWS access key ids, PEM private keys) by `redactText`.
 */

export const REDACTED = '[redacted]';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
/** Members of AWS responses that hold a secret's value. */
const AWS_SECRET_MEMBERS: ReadonlySet<string> = new Set(['SecretString', 'SecretBinary']);
/** `password = hunter2`, `db.token: abc`, `export API_KEY="…"` inside a configuration file. */
const SECRET_LINE =
  /^(\s*(?:export\s+)?["']?[\w.-]*(?:passw(?:or)?d|passphrase|pwd|secret|token|api[-_]?key|access[-_]?key|private[-_]?key|credential)[\w.-]*["']?\s*[:=]\s*)(\S.*)$/gim;
/** Values that are credentials in any text: AWS access key ids, PEM private key blocks. */
const SECRET_IN_TEXT =
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b|-----BEGIN ([A-Z ]+ )?PRIVATE KEY-----[\s\S]*?(?:-----END ([A-Z ]+ )?PRIVATE KEY-----|$)/g;

/** A ClusterSnapshot-shaped value with every secret value replaced by REDACTED (a copy; the input is untouched). */
export function redactSnapshot(snapshot: unknown): unknown {
  return redactValue(snapshot, undefined);
}

/** A free text with credentials that are recognizable whatever their context replaced by REDACTED. */
export function redactText(text: string): string {
  return text.replace(SECRET_IN_TEXT, REDACTED);
}

function redactValue(value: unknown, key: string | undefined): unknown {
  if (Array.isArray(value)) {
    if (key === 'env') return value.map(redactEnvVar);
    return value.map((item) => redactValue(item, undefined));
  }
  if (!isRecord(value)) {
    if (key !== undefined && AWS_SECRET_MEMBERS.has(key) && value !== undefined && value !== null)
      return REDACTED;
    return value;
  }
  const copy: Record<string, unknown> = {};
  for (const [field, child] of Object.entries(value)) {
    copy[field] = AWS_SECRET_MEMBERS.has(field) ? REDACTED : redactValue(child, field);
  }
  if (typeof value.kind === 'string') redactObject(value, copy);
  return copy;
}

/** The object-level rules, applied to `copy` (already redacted field by field) of the Kubernetes object `original`. */
function redactObject(original: Record<string, unknown>, copy: Record<string, unknown>): void {
  if (original.kind === 'Secret') {
    for (const field of ['data', 'stringData']) {
      const data = original[field];
      if (isRecord(data)) copy[field] = mapValues(data, () => REDACTED);
      else if (data !== undefined && data !== null) copy[field] = REDACTED;
    }
  }
  if (original.kind === 'ConfigMap') {
    for (const field of ['data', 'binaryData']) {
      const data = original[field];
      if (isRecord(data)) copy[field] = mapValues(data, (name, text) => redactConfigValue(name, text));
    }
  }
  const metadata = copy.metadata;
  if (!isRecord(metadata)) return;
  const annotations = metadata.annotations;
  if (isRecord(annotations) && annotations[LAST_APPLIED] !== undefined) {
    metadata.annotations = { ...annotations, [LAST_APPLIED]: redactApplied(annotations[LAST_APPLIED]) };
  }
}

function redactConfigValue(name: string, value: unknown): unknown {
  if (typeof value !== 'string') return REDACTED;
  if (credentialReason(name, value) !== undefined) return REDACTED;
  return redactText(value.replace(SECRET_LINE, `$1${REDACTED}`));
}

function redactApplied(applied: unknown): unknown {
  if (typeof applied !== 'string') return REDACTED;
  try {
    return JSON.stringify(redactValue(JSON.parse(applied), undefined));
  } catch {
    return REDACTED;
  }
}

function redactEnvVar(item: unknown): unknown {
  if (!isRecord(item)) return redactValue(item, undefined);
  const copy = redactValue(item, undefined) as Record<string, unknown>;
  if (item.value !== undefined && item.value !== null) copy.value = REDACTED;
  return copy;
}

function mapValues(
  data: Record<string, unknown>,
  map: (key: string, value: unknown) => unknown,
): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) copy[key] = map(key, value);
  return copy;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
