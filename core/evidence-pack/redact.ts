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
 * - AWS-side secret values (`SecretString`, `SecretBinary` of a Secrets Manager response);
 * - on command lines (every `command` and `args` string array: containers, init and ephemeral
 *   containers, exec probes and hooks), the value of a flag whose name names a credential
 *   (`--db-password=…`, `--api-token …`, `-Dspring.datasource.password=…`) and, in any element (a
 *   `sh -c` script), `NAME=value` assignments and `"name": "value"` pairs whose name names one, the
 *   password of a URL (`postgres://user:…@host`), `password: …` lines; the rest of the command is kept,
 *   as an auditor needs to see it;
 * - an annotation whose key names a credential, whole; in the other annotations, what is redacted in
 *   a ConfigMap value and on a command line.
 * "Names a credential" is KP-081's test (`credentialReason`): a name with password, secret, token,
 * api-key… in it, unless it names a reference (`--password-file`, `--token-ttl`, `--db-secret-name`);
 * a value that is a placeholder or a variable (`$(API_TOKEN)`, `$DB_PASSWORD`, `true`) is kept. It errs
 * on the side of redacting (`--enable-token-auth x` loses its `x`): a false positive costs a value an
 * auditor can ask for, a miss leaks a credential into an archive kept for years.
 * Free texts a person typed (reasons) are scrubbed of values that are credentials whatever their
 * context (AWS access key ids, PEM private keys) by `redactText`.
 */

export const REDACTED = '[redacted]';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
/** Members of AWS responses that hold a secret's value. */
const AWS_SECRET_MEMBERS: ReadonlySet<string> = new Set(['SecretString', 'SecretBinary']);
/** A name with one of these in it names a credential (KP-081's words, `.` also a separator). */
const CREDENTIAL_WORD =
  /passw(?:or)?d|passphrase|pwd|secret|token|api[-_.]?key|access[-_.]?key|private[-_.]?key|credential/i;
/**
 * A `name = value` / `name: value` line of a configuration file (`export NAME="…"` too); its value is
 * redacted to the end of the line when the name has a CREDENTIAL_WORD in it (secretLines). The name is
 * tested apart, not inside this pattern: a word list between two `[\w.-]*` takes quadratic time on a long
 * word, and a leading `\s*` spanning lines does on many blank lines.
 */
const NAME_VALUE_LINE = /^([ \t]*(?:export[ \t]+)?["']?([\w.-]+)["']?[ \t]*[:=]\s*)(\S.*)$/gm;
/**
 * One shell word: unquoted characters and quoted parts run together (`abc`, `"a b"`, `ab"c d"`), so a
 * value is redacted up to where the shell would end it.
 */
const WORD = `(?:"(?:[^"\\\\]|\\\\.)*"|'[^']*'|[^\\s;&|"'])+`;
/** A command-line element that is a flag: `--name`, `--name=value`, `-Dname=value`. */
const FLAG_ELEMENT = /^(--?([A-Za-z][\w.-]*))(?:=([\s\S]*))?$/;
/** A flag inside a text (a `sh -c` script): `--name=value`, `--name value` (a value not a flag itself). */
const FLAG_IN_TEXT = new RegExp(`(?<![^\\s"'(;&|=])(--?[A-Za-z][\\w.-]*)(=|\\s+(?!-))(${WORD})`, 'g');
/** `NAME=value` (a shell assignment, `--from-literal=key=value`, a query parameter). */
const ASSIGNMENT = new RegExp(`(?<![\\w.$-])([A-Za-z_][\\w.-]*)=(${WORD})`, 'g');
/** `"name": "value"` in a JSON text. */
const JSON_PAIR = /("([^"\\]*)"\s*:\s*)"((?:[^"\\]|\\.)*)"/g;
/** `name: value`, `name = value` lines (a configuration file written by a script); `name=value` is an ASSIGNMENT. */
const NAMED_LINE =
  /^([ \t]*(?:export[ \t]+)?["']?([\w.-]+)["']?(?:[ \t]*:|[ \t]+=|=(?=[ \t]))[ \t]*)(\S.*)$/gm;
/**
 * The password of a URL's userinfo: `scheme://user:password@host` (up to the last `@` of the authority).
 * A scheme starts only where a run of scheme characters starts: trying every letter after a `.` or `-`
 * would take quadratic time on a long dotted value.
 */
const URL_PASSWORD = /(?<![a-z0-9+.-])([a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]*):([^\s/?#]*)@/gi;
/** A here-document's body (`cat > app.conf <<EOF … EOF`): a file, whose `name=value` lines run to the end of the line. */
const HEREDOC = /(<<-?[ \t]*(["']?)(\w+)\2[^\n]*\n)([\s\S]*?)(?=\n[ \t]*\3[ \t]*(?:\n|$)|$)/g;
/**
 * An HTTP credential: `Authorization: Bearer …`, `Authorization: Basic …`, and a `Bearer …` alone when
 * what follows looks like a token (16 characters or more), not prose ("a bearer token").
 */
const AUTHORIZATION =
  /\b((?:authorization[ \t]*[:=][ \t]*(?:(?:bearer|basic|token|digest)[ \t]+)?|bearer[ \t]+(?=[\w.~+/-]{16,})))([^\s'"]+)/gi;
/** `name: value` in a line (an HTTP header `X-Api-Key: …`, a YAML flow mapping `{token: …}`). */
const COLON_PAIR = /(?<![\w.-])([A-Za-z][\w.-]*)[ \t]*:[ \t]*([^\s'",}]+)/g;
/** `curl -u user:password`, `--user=user:password`, `--proxy-user …`: the part after the colon. */
const USER_PASSWORD = new RegExp(`(?<![^\\s"'])(-u|--user|--proxy-user)(=|\\s+)([^\\s:"']+):(${WORD})`, 'g');
/** A shell or Kubernetes variable (`$DB_PASSWORD`; `$(…)`, `${…}` are KP-081's placeholders): a reference, not a value. */
const VARIABLE = /^\$[A-Za-z_]\w*$/;
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
    if (key === 'command' || key === 'args') return redactCommandLine(value, undefined);
    return value.map((item) => redactValue(item, undefined));
  }
  if (!isRecord(value)) {
    if (key !== undefined && AWS_SECRET_MEMBERS.has(key) && value !== undefined && value !== null)
      return REDACTED;
    return value;
  }
  const copy: Record<string, unknown> = {};
  for (const [field, child] of Object.entries(value)) {
    if (AWS_SECRET_MEMBERS.has(field)) copy[field] = REDACTED;
    else if (field === 'annotations' && isRecord(child)) copy[field] = mapValues(child, redactAnnotation);
    // Kubernetes runs `command` then `args` as one line: `command: [app, --token]`, `args: [value]`.
    else if (field === 'args' && Array.isArray(child) && Array.isArray(value.command))
      copy[field] = redactCommandLine(child, pendingFlag(value.command));
    else copy[field] = redactValue(child, field);
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
}

/** An annotation (of an object, of a pod template): last-applied by the object rules, one named a credential whole. */
function redactAnnotation(key: string, value: unknown): unknown {
  if (key === LAST_APPLIED) return redactApplied(value);
  if (typeof value !== 'string') return redactValue(value, key);
  // Whole only when the key names a credential: a key in the text of a note is replaced alone below.
  if (namesCredential(key) && hidesCredential(key, value)) return REDACTED;
  return redactCommandText(secretLines(value));
}

/**
 * A `command` or `args` array: a credential flag's value (`--password=…`, or the next element after
 * `--password`), and in every element what redactCommandText finds. `pending` is the credential flag
 * that ended the `command` array, whose value is the first of `args`.
 */
function redactCommandLine(items: unknown[], pending: string | undefined): unknown[] {
  let flag = pending;
  return items.map((item) => {
    const previous = flag;
    flag = undefined;
    if (typeof item !== 'string') return redactValue(item, undefined);
    if (previous !== undefined && !item.startsWith('-'))
      return hidesCredential(previous, item) ? REDACTED : item;
    const match = FLAG_ELEMENT.exec(item);
    if (match !== null) {
      const [, prefix, name = '', value] = match;
      if (value === undefined) {
        if (namesCredential(name)) flag = name;
        return item;
      }
      if (hidesCredential(name, value)) return `${prefix}=${REDACTED}`;
    }
    return redactCommandText(item);
  });
}

/** The name of the credential flag (`--password`) that ends a command line, whose value comes next. */
function pendingFlag(command: unknown[]): string | undefined {
  const last = command.at(-1);
  const match = typeof last === 'string' ? FLAG_ELEMENT.exec(last) : null;
  if (match === null || match[3] !== undefined) return undefined;
  const name = match[2] ?? '';
  return namesCredential(name) ? name : undefined;
}

/**
 * A text that may be a shell script or a configuration (an element of a command line, an annotation)
 * with the values of named credentials, URL passwords and AWS keys / PEM keys replaced.
 */
function redactCommandText(text: string): string {
  const redacted = text
    .replace(HEREDOC, (_all, head: string, _quote, _end, body: string) => `${head}${secretLines(body)}`)
    .replace(JSON_PAIR, (all, head: string, name: string, value: string) =>
      hidesCredential(name, value) ? `${head}"${REDACTED}"` : all,
    )
    .replace(FLAG_IN_TEXT, (all, flag: string, separator: string, value: string) =>
      hidesCredential(flag.replace(/^--?/, ''), value) ? `${flag}${separator}${redactWord(value)}` : all,
    )
    .replace(ASSIGNMENT, (all, name: string, value: string) =>
      hidesCredential(name, value) ? `${name}=${redactWord(value)}` : all,
    )
    .replace(NAMED_LINE, (all, head: string, name: string, value: string) =>
      hidesCredential(name, value) ? `${head}${REDACTED}` : all,
    )
    .replace(COLON_PAIR, (all, name: string, value: string) =>
      hidesCredential(name, value) ? all.slice(0, all.length - value.length) + REDACTED : all,
    )
    .replace(AUTHORIZATION, (all, head: string, value: string) =>
      hidesCredential('token', value) ? `${head}${REDACTED}` : all,
    )
    .replace(USER_PASSWORD, (all, flag: string, separator: string, user: string, password: string) =>
      hidesCredential('password', password) ? `${flag}${separator}${user}:${redactWord(password)}` : all,
    )
    .replace(URL_PASSWORD, (all, head: string, password: string) =>
      hidesCredential('password', password) ? `${head}:${REDACTED}@` : all,
    );
  return redactText(redacted);
}

/** `password = hunter2`, `db.token: abc`, `export API_KEY="…"` lines with their value redacted. */
function secretLines(text: string): string {
  return text.replace(NAME_VALUE_LINE, (all, head: string, name: string) =>
    CREDENTIAL_WORD.test(name) ? `${head}${REDACTED}` : all,
  );
}

/** A shell word's value redacted, its quotes kept when it is one quoted string. */
function redactWord(word: string): string {
  const quote = word[0];
  if (
    (quote === '"' || quote === "'") &&
    word.length > 1 &&
    word.endsWith(quote) &&
    !word.slice(1, -1).includes(quote)
  )
    return `${quote}${REDACTED}${quote}`;
  return REDACTED;
}

/** Whether the name names a credential (KP-081's names, references such as `password-file` excepted). */
function namesCredential(name: string): boolean {
  // A value that is neither a placeholder nor a key leaves only the name to decide.
  return credentialReason(kp081Name(name), 'value') !== undefined;
}

/** KP-081 separates words by `-` and `_` (`api_key`); property names use `.` too (`api.key`). */
function kp081Name(name: string): string {
  return name.replaceAll('.', '-');
}

/** Whether `value` (a shell word, quotes included) given for `name` is a credential to redact. */
function hidesCredential(name: string, value: string): boolean {
  const bare = value.replace(/^(["'])([\s\S]*)\1$/, '$2');
  if (bare.startsWith(REDACTED) || VARIABLE.test(bare)) return false;
  return credentialReason(kp081Name(name), bare) !== undefined;
}

function redactConfigValue(name: string, value: unknown): unknown {
  if (typeof value !== 'string') return REDACTED;
  if (credentialReason(kp081Name(name), value) !== undefined) return REDACTED;
  return redactText(secretLines(value));
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
