import { KubeguardError } from '../../errors.ts';
import { SEVERITIES, type Severity } from '../../model/severity.ts';

/**
 * Reading `/k8s` arguments: words and `--flag value` / `--flag=value`, each value checked with an
 * error that says what was wrong, the value received and what to do. Messages are plain text: the
 * one place errors become Slack text (core/chatops/replies.ts) escapes them.
 */

/** A value as the error quotes it: in double quotes, cut at `max` characters. */
export function quoted(value: string, max = 60): string {
  return JSON.stringify(value.length <= max ? value : `${value.slice(0, max - 1)}…`);
}

export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string>;
}

/** Splits on whitespace; `--name value` and `--name=value` are flags, everything else positional. */
export function parseArgs(
  words: readonly string[],
  allowedFlags: readonly string[],
  usage: string,
): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < words.length; i += 1) {
    const word = words[i] ?? '';
    if (!word.startsWith('--')) {
      positionals.push(word);
      continue;
    }
    const [name = '', inline] = splitOnce(word.slice(2), '=');
    if (!allowedFlags.includes(name)) {
      const known =
        allowedFlags.length === 0
          ? 'it takes no flags'
          : `flags: ${allowedFlags.map((f) => `--${f}`).join(', ')}`;
      throw invalid(`unknown flag ${quoted(word, 60)}; ${known}. Usage: ${usage}`);
    }
    const value = inline ?? words[i + 1];
    if (value === undefined || value === '' || (inline === undefined && value.startsWith('--'))) {
      throw invalid(`--${name} needs a value. Usage: ${usage}`);
    }
    if (inline === undefined) i += 1;
    if (flags.has(name)) throw invalid(`--${name} is given twice. Usage: ${usage}`);
    flags.set(name, value);
  }
  return { positionals, flags };
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const index = text.indexOf(separator);
  return index === -1 ? [text, undefined] : [text.slice(0, index), text.slice(index + 1)];
}

export function invalid(message: string): KubeguardError {
  return new KubeguardError('INVALID_ARGUMENT', message);
}

/** Exactly `count` positional arguments, named in the error. */
export function expectPositionals(
  args: ParsedArgs,
  names: readonly string[],
  usage: string,
  optional = 0,
): string[] {
  const min = names.length - optional;
  if (args.positionals.length < min) {
    throw invalid(`missing ${names.slice(args.positionals.length, min).join(' ')}. Usage: ${usage}`);
  }
  if (args.positionals.length > names.length) {
    const extra = args.positionals.slice(names.length).join(' ');
    throw invalid(`unexpected ${quoted(extra, 80)}. Usage: ${usage}`);
  }
  return args.positionals;
}

const FINDING_REF = /^[0-9a-f]{8,32}$/;

/** A finding id, whole (32 hex digits) or its first 8 or more (as `/k8s findings` shows them). */
export function findingRef(value: string, usage: string): string {
  const ref = value.toLowerCase();
  if (!FINDING_REF.test(ref)) {
    throw invalid(
      `${quoted(value, 60)} is not a finding id: use the id /k8s findings shows (8 to 32 hex digits). Usage: ${usage}`,
    );
  }
  return ref;
}

/** A configured cluster; the error lists the configured ones. */
export function clusterName(value: string, configured: readonly string[]): string {
  if (configured.includes(value)) return value;
  throw invalid(
    `unknown cluster ${quoted(value, 102)}; configured clusters: ${configured.join(', ')} — use one of them, or add the cluster to kubeguard.config.json`,
  );
}

export function severity(value: string): Severity {
  const lower = value.toLowerCase();
  if ((SEVERITIES as readonly string[]).includes(lower)) return lower as Severity;
  throw invalid(`unknown severity ${quoted(value, 40)}; use one of ${SEVERITIES.join(', ')}`);
}

const DURATION = /^(\d{1,4})([mhdw])$/;
const MINUTES_PER: Record<string, number> = { m: 1, h: 60, d: 60 * 24, w: 60 * 24 * 7 };
/** The longest suppression: 30 days. */
export const MAX_SUPPRESSION_MINUTES = 60 * 24 * 30;

/** `30m`, `4h`, `2d`, `1w` → minutes, from 1 minute to 30 days. */
export function durationMinutes(value: string): number {
  const match = DURATION.exec(value.toLowerCase());
  const minutes =
    match === null ? Number.NaN : Number(match[1]) * (MINUTES_PER[match[2] ?? ''] ?? Number.NaN);
  if (!Number.isFinite(minutes) || minutes < 1 || minutes > MAX_SUPPRESSION_MINUTES) {
    throw invalid(
      `${quoted(value, 40)} is not a duration from 1 minute to 30 days: write a number and m, h, d or w, e.g. 30m, 4h, 2d, 1w`,
    );
  }
  return minutes;
}

/** `4h`, `2d`, `90m`: the shortest exact way to write a number of minutes. */
export function formatMinutes(minutes: number): string {
  for (const [unit, size] of [
    ['w', MINUTES_PER.w],
    ['d', MINUTES_PER.d],
    ['h', MINUTES_PER.h],
  ] as const) {
    if (size !== undefined && minutes % size === 0) return `${minutes / size}${unit}`;
  }
  return `${minutes}m`;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A namespace name: a DNS-1123 label (what the API server accepts), at most 63 characters. */
export function namespaceName(value: string): string {
  if (value.length <= 63 && DNS_LABEL.test(value)) return value;
  throw invalid(
    `${quoted(value, 80)} is not a namespace name: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters`,
  );
}

/** A pod name: a DNS-1123 subdomain, at most 253 characters. */
export function podName(value: string): string {
  if (value.length <= 253 && DNS_SUBDOMAIN.test(value)) return value;
  throw invalid(
    `${quoted(value, 80)} is not a pod name: lower-case letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters`,
  );
}

/** `NAMESPACE/POD`, each part validated. */
export function namespacedPod(value: string, usage: string): { namespace: string; pod: string } {
  const [namespace, pod, ...rest] = value.split('/');
  if (namespace === undefined || pod === undefined || rest.length > 0) {
    throw invalid(`${quoted(value, 80)} is not NAMESPACE/POD. Usage: ${usage}`);
  }
  return { namespace: namespaceName(namespace), pod: podName(pod) };
}
