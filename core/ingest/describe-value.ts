/**
 * A short, safe description of an untrusted value for error messages: its JSON type and, for
 * scalars, a truncated rendering. Never returns more than about 100 characters, so a 1 MB string in
 * a hostile record cannot blow up a log line.
 */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing (the field is missing)';
  if (Array.isArray(value)) return `an array of ${value.length} item(s)`;
  switch (typeof value) {
    case 'string':
      return `the string ${quote(value)}`;
    case 'number':
    case 'boolean':
      return `${typeof value} ${String(value)}`;
    case 'object':
      return `an object with keys ${listKeys(value as Record<string, unknown>)}`;
    default:
      return typeof value;
  }
}

const MAX_PREVIEW = 60;

/** A JSON-quoted, truncated rendering of a string (control characters escaped). */
export function quote(text: string): string {
  const preview = text.length > MAX_PREVIEW ? `${text.slice(0, MAX_PREVIEW)}…` : text;
  const suffix = text.length > MAX_PREVIEW ? ` (${text.length} characters)` : '';
  return `${JSON.stringify(preview)}${suffix}`;
}

function listKeys(value: Record<string, unknown>): string {
  const keys = Object.keys(value);
  if (keys.length === 0) return '(none)';
  const shown = keys.slice(0, 6).map((key) => quote(key));
  return keys.length > 6 ? `${shown.join(', ')} and ${keys.length - 6} more` : shown.join(', ');
}
