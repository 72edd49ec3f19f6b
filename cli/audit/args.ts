import { isSeverity, SEVERITIES, type Severity } from '#core/model/severity.ts';
import type { AuditOptions } from '#core/posture/engine.ts';
import { unknownOption } from '../args.ts';
import { usageError } from '../errors.ts';
import { type CliIo, strictByDefault } from '../io.ts';

export const FORMATS = ['text', 'json', 'markdown', 'sarif', 'csv'] as const;
export type Format = (typeof FORMATS)[number];

export const USAGE = [
  'kubeguard audit (--manifests PATH... | --kubeconfig FILE [--context NAME])',
  `      [--format ${FORMATS.join('|')}] [--fail-on ${SEVERITIES.join('|')}] [--output FILE]`,
  '      [--strict | --no-strict] [--sarif-root DIR] [--approved-registry PREFIX]... [--approved-webhook NAME]...',
  '',
  'Options:',
  '  --manifests PATH...    YAML/JSON files or directories (searched recursively for *.yaml, *.yml, *.json,',
  '                         skipping node_modules/, .git/ and what a .kubeguardignore at the root of the',
  '                         directory ignores, in gitignore syntax); multi-document files, List kinds and',
  '                         JSON arrays are read; "-" reads standard input (helm template . | kubeguard audit',
  '                         --manifests -), gzip included',
  '  --kubeconfig FILE      audit a live cluster instead (optionally one --context of the kubeconfig), through',
  '                         its Kubernetes API only: the AWS-side checks are skipped (the scheduled audit runs them)',
  '  --context NAME         the kubeconfig context to use (default: its current-context)',
  '  --format FORMAT        text (default) or markdown, grouped per check and object kind for reading;',
  '                         json, sarif (2.1.0, for code scanning) or csv, with every result',
  '  --fail-on SEVERITY     exit 1 when a failure of this severity or higher exists (default: low, any failure)',
  '  --output FILE          write the report to FILE instead of standard output',
  '  --strict               a document that cannot be read (broken YAML, no kind, an unrendered Helm template)',
  '                         makes the run exit 2 after the report; the default when CI=true',
  '  --no-strict            such a document is a warning, listed in the report summary (default outside CI)',
  '  --sarif-root DIR       SARIF artifact URIs are relative to DIR, declared as SRCROOT',
  '                         (default: the working directory; use the repository root for code scanning)',
  '  --approved-registry P  image registry prefix allowed by KP-086 (repeatable; KP-086 is skipped without one)',
  '  --approved-webhook N   admission webhook configuration reviewed for KP-108 (repeatable)',
  '  -h, --help             this help',
  '',
  'Exit codes:',
  '  0  no failure at or above --fail-on',
  '  1  a failure at or above --fail-on',
  '  2  bad arguments, or input that produced nothing usable (no file, empty or binary files, no',
  '     Kubernetes object); with --strict also a document that could not be read',
  '  3  the cluster of --kubeconfig could not be reached or read (or its credentials could not be obtained)',
].join('\n');

export interface AuditArgs {
  manifests: string[];
  kubeconfig?: string;
  context?: string;
  format: Format;
  failOn: Severity;
  output?: string;
  strict: boolean;
  sarifRoot?: string;
  options: AuditOptions;
}

const VALUE_FLAGS = [
  '--kubeconfig',
  '--context',
  '--format',
  '--fail-on',
  '--output',
  '--sarif-root',
  '--approved-registry',
  '--approved-webhook',
];
const REPEATABLE = new Set(['--approved-registry', '--approved-webhook']);
export const OPTIONS: readonly string[] = [
  '--manifests',
  ...VALUE_FLAGS,
  '--strict',
  '--no-strict',
  '--help',
];

export function parseAuditArgs(args: readonly string[], io: Pick<CliIo, 'env'>): AuditArgs {
  const values = new Map<string, string[]>();
  const manifests: string[] = [];
  let strict: boolean | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--manifests') {
      const start = i + 1;
      // Paths run to the next option; `-` alone is not an option but standard input.
      const isPath = (next: string) => next === '-' || !next.startsWith('-');
      while (i + 1 < args.length && isPath(args[i + 1] as string)) i++;
      if (i + 1 === start) throw usageError('--manifests needs at least one file or directory');
      manifests.push(...args.slice(start, i + 1));
    } else if (arg === '--strict' || arg === '--no-strict') {
      if (strict !== undefined) throw usageError('give --strict or --no-strict once');
      strict = arg === '--strict';
    } else if (VALUE_FLAGS.includes(arg)) {
      const value = args[i + 1];
      if (value === undefined || value.startsWith('--')) throw usageError(`${arg} needs a value`);
      if (values.has(arg) && !REPEATABLE.has(arg)) throw usageError(`${arg} is given twice`);
      values.set(arg, [...(values.get(arg) ?? []), value]);
      i++;
    } else {
      throw usageError(unknownOption(arg, OPTIONS));
    }
  }
  const one = (flag: string) => values.get(flag)?.[0];
  const kubeconfig = one('--kubeconfig');
  if (manifests.length > 0 === (kubeconfig !== undefined)) {
    throw usageError('give exactly one source: --manifests PATH... or --kubeconfig FILE');
  }
  if (one('--context') !== undefined && kubeconfig === undefined)
    throw usageError('--context needs --kubeconfig');
  const format = one('--format') ?? 'text';
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw usageError(`--format ${JSON.stringify(format)}: use one of ${FORMATS.join(', ')}`);
  }
  const failOn = one('--fail-on') ?? 'low';
  if (!isSeverity(failOn))
    throw usageError(`--fail-on ${JSON.stringify(failOn)}: use one of ${SEVERITIES.join(', ')}`);
  const list = (flag: string) =>
    (values.get(flag) ?? [])
      .flatMap((v) => v.split(','))
      .map((v) => v.trim())
      .filter(Boolean);
  const options: AuditOptions = {};
  if (list('--approved-registry').length > 0) options.approvedRegistries = list('--approved-registry');
  if (list('--approved-webhook').length > 0) options.approvedWebhooks = list('--approved-webhook');
  const parsed: AuditArgs = {
    manifests,
    format: format as Format,
    failOn,
    strict: strict ?? strictByDefault(io.env),
    options,
  };
  if (kubeconfig !== undefined) parsed.kubeconfig = kubeconfig;
  const context = one('--context');
  if (context !== undefined) parsed.context = context;
  const output = one('--output');
  if (output !== undefined) parsed.output = output;
  const sarifRoot = one('--sarif-root');
  if (sarifRoot !== undefined) parsed.sarifRoot = sarifRoot;
  return parsed;
}
