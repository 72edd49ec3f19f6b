import type { Dirent } from 'node:fs';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { type LoadedObject, parseManifests } from '#core/manifests/load.ts';
import { isAtLeast, isSeverity, SEVERITIES, type Severity } from '#core/model/severity.ts';
import { type AuditOptions, runAudit } from '#core/posture/engine.ts';
import { toCsv } from '#core/posture/export/csv.ts';
import { toJson } from '#core/posture/export/json.ts';
import { toMarkdown } from '#core/posture/export/markdown.ts';
import { toSarif } from '#core/posture/export/sarif.ts';
import { toText } from '#core/posture/export/text.ts';
import { snapshotFromManifests } from '#core/posture/manifest-snapshot.ts';
import type { AuditReport } from '#core/posture/report.ts';
import type { ClusterSnapshot, ResourceType } from '#core/posture/snapshot.ts';
import { type CliCommand, type CliIo, EXIT_USAGE } from '../io.ts';

/**
 * `kubeguard audit`: the posture checks over manifests (offline) or a live cluster. Prints the report
 * (text, json, markdown, sarif or csv) and exits 1 when a failure at or above --fail-on exists,
 * 0 otherwise, 2 for unusable arguments or unreadable files (named in the error).
 */

const FORMATS = ['text', 'json', 'markdown', 'sarif', 'csv'] as const;
type Format = (typeof FORMATS)[number];

const USAGE = [
  'kubeguard audit (--manifests PATH... | --kubeconfig FILE [--context NAME])',
  `      [--format ${FORMATS.join('|')}] [--fail-on ${SEVERITIES.join('|')}] [--output FILE]`,
  '      [--approved-registry PREFIX]... [--approved-webhook NAME]...',
  '',
  '  --manifests PATH...    YAML/JSON files or directories (searched recursively for *.yaml, *.yml, *.json);',
  '                         multi-document files, List kinds and JSON arrays are read',
  '  --kubeconfig FILE      audit a live cluster instead (optionally one --context of the kubeconfig), through',
  '                         its Kubernetes API only: the AWS-side checks are skipped (the scheduled audit runs them)',
  '  --format FORMAT        text (default), json, markdown, sarif (2.1.0, for code scanning) or csv',
  '  --fail-on SEVERITY     exit 1 when a failure of this severity or higher exists (default: low, any failure)',
  '  --output FILE          write the report to FILE instead of standard output',
  '  --approved-registry P  image registry prefix allowed by KP-086 (repeatable; KP-086 is skipped without one)',
  '  --approved-webhook N   admission webhook configuration reviewed for KP-108 (repeatable)',
].join('\n');

const EXIT_FAILURES = 1;
const MANIFEST_FILE = /\.(ya?ml|json)$/i;

interface AuditArgs {
  manifests: string[];
  kubeconfig?: string;
  context?: string;
  format: Format;
  failOn: Severity;
  output?: string;
  options: AuditOptions;
}

/** An error the user can fix: printed with its message, exit code 2. */
class UsageError extends Error {}

export const auditCommand: CliCommand = {
  name: 'audit',
  summary: 'Posture audit (Pod Security, RBAC, network, EKS) of manifests or a live cluster',
  usage: USAGE,
  run: async (args, io) => {
    try {
      const parsed = parseArgs(args);
      const snapshot = await loadSnapshot(parsed, io);
      const report = runAudit(snapshot, undefined, parsed.options);
      await emit(render(report, parsed.format), parsed.output, io);
      return hasFailureAtOrAbove(report, parsed.failOn) ? EXIT_FAILURES : 0;
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      io.stderr(`kubeguard audit: ${error.message}\nUsage: ${USAGE.split('\n')[0]}\n`);
      return EXIT_USAGE;
    }
  },
};

export function hasFailureAtOrAbove(report: AuditReport, minimum: Severity): boolean {
  return report.results.some((result) => result.status === 'fail' && isAtLeast(result.severity, minimum));
}

const VALUE_FLAGS = new Set([
  '--kubeconfig',
  '--context',
  '--format',
  '--fail-on',
  '--output',
  '--approved-registry',
  '--approved-webhook',
]);
const REPEATABLE = new Set(['--approved-registry', '--approved-webhook']);

function parseArgs(args: string[]): AuditArgs {
  const values = new Map<string, string[]>();
  const manifests: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--manifests') {
      const start = i + 1;
      while (i + 1 < args.length && !(args[i + 1] as string).startsWith('--')) i++;
      if (i + 1 === start) throw new UsageError('--manifests needs at least one file or directory');
      manifests.push(...args.slice(start, i + 1));
    } else if (VALUE_FLAGS.has(arg)) {
      const value = args[i + 1];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`${arg} needs a value`);
      if (values.has(arg) && !REPEATABLE.has(arg)) throw new UsageError(`${arg} is given twice`);
      values.set(arg, [...(values.get(arg) ?? []), value]);
      i++;
    } else {
      throw new UsageError(`unknown argument "${arg}"`);
    }
  }
  const one = (flag: string) => values.get(flag)?.[0];
  const kubeconfig = one('--kubeconfig');
  if (manifests.length > 0 === (kubeconfig !== undefined)) {
    throw new UsageError('give exactly one source: --manifests PATH... or --kubeconfig FILE');
  }
  if (one('--context') !== undefined && kubeconfig === undefined)
    throw new UsageError('--context needs --kubeconfig');
  const format = one('--format') ?? 'text';
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format ${JSON.stringify(format)}: use one of ${FORMATS.join(', ')}`);
  }
  const failOn = one('--fail-on') ?? 'low';
  if (!isSeverity(failOn))
    throw new UsageError(`--fail-on ${JSON.stringify(failOn)}: use one of ${SEVERITIES.join(', ')}`);
  const list = (flag: string) =>
    (values.get(flag) ?? [])
      .flatMap((v) => v.split(','))
      .map((v) => v.trim())
      .filter(Boolean);
  const options: AuditOptions = {};
  if (list('--approved-registry').length > 0) options.approvedRegistries = list('--approved-registry');
  if (list('--approved-webhook').length > 0) options.approvedWebhooks = list('--approved-webhook');
  const parsed: AuditArgs = { manifests, format: format as Format, failOn, options };
  if (kubeconfig !== undefined) parsed.kubeconfig = kubeconfig;
  const context = one('--context');
  if (context !== undefined) parsed.context = context;
  const output = one('--output');
  if (output !== undefined) parsed.output = output;
  return parsed;
}

async function loadSnapshot(args: AuditArgs, io: CliIo): Promise<ClusterSnapshot> {
  if (args.kubeconfig !== undefined) return collectLive(args.kubeconfig, args.context, io);
  const loaded: LoadedObject[] = [];
  for (const path of args.manifests) {
    for (const file of await manifestFiles(path, io)) {
      const display = displayPath(file, io.cwd);
      const parsed = parseManifests(await readText(file, display), display);
      for (const error of parsed.errors) {
        const item = error.item === undefined ? '' : ` item ${error.item}`;
        io.stderr(
          `kubeguard audit: warning: skipped ${error.file} document ${error.index}${item}: ${error.reason}\n`,
        );
      }
      loaded.push(...parsed.objects);
    }
  }
  return snapshotFromManifests(loaded, new Date().toISOString());
}

/** A path relative to the working directory (forward slashes) when it is inside it: stable across machines. */
function displayPath(file: string, cwd: string): string {
  const path = relative(cwd, file);
  return path.startsWith('..') || path === '' ? file : path.split(sep).join('/');
}

async function readText(file: string, display: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read "${display}" (${codeOf(error)})`);
  }
}

/** The file itself, or every YAML/JSON file under a directory (sorted, recursively). */
async function manifestFiles(path: string, io: CliIo): Promise<string[]> {
  const absolute = resolve(io.cwd, path);
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(absolute);
  } catch (error) {
    throw new UsageError(`cannot read "${path}" (${codeOf(error)})`);
  }
  if (!info.isDirectory()) return [absolute];
  let entries: Dirent[];
  try {
    entries = await readdir(absolute, { recursive: true, withFileTypes: true });
  } catch (error) {
    throw new UsageError(`cannot read directory "${path}" (${codeOf(error)})`);
  }
  const files = entries
    .filter((entry) => entry.isFile() && MANIFEST_FILE.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
  if (files.length === 0) throw new UsageError(`no *.yaml, *.yml or *.json file under "${path}"`);
  return files;
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
}

/** Kubernetes resource types the collector lists; when none could be read the cluster was not reached. */
const CLUSTER_TYPES: readonly ResourceType[] = [
  'pods',
  'workloads',
  'roles',
  'rolebindings',
  'serviceaccounts',
  'networkpolicies',
  'services',
  'ingresses',
  'namespaces',
  'nodes',
  'poddisruptionbudgets',
  'webhooks',
];

/**
 * A live cluster through the Kubernetes API only (the AWS-side checks are skipped with that reason).
 * The adapters are loaded on demand so an offline audit never loads client-node.
 */
async function collectLive(
  kubeconfig: string,
  context: string | undefined,
  io: CliIo,
): Promise<ClusterSnapshot> {
  const [{ kubeConfigFromFile }, { collectClusterSnapshot }] = await Promise.all([
    import('#adapters/kubernetes/kubeconfig.ts'),
    import('#adapters/kubernetes/snapshot-collector.ts'),
  ]);
  let kubeConfig: ReturnType<typeof kubeConfigFromFile>;
  try {
    kubeConfig = kubeConfigFromFile({
      path: resolve(io.cwd, kubeconfig),
      ...(context === undefined ? {} : { context }),
    });
  } catch (error) {
    throw new UsageError(`--kubeconfig "${kubeconfig}": ${messageOf(error)}`);
  }
  const cluster = kubeConfig.getCurrentCluster();
  const server = cluster?.server ?? '(no server)';
  let snapshot: ClusterSnapshot;
  try {
    snapshot = await collectClusterSnapshot({
      kubeConfig,
      name: clusterLabel(cluster?.name ?? kubeConfig.getCurrentContext()),
      clock: () => new Date().toISOString(),
    });
  } catch (error) {
    // The audit could not run: neither "clean" (0) nor "failures found" (1).
    throw new UsageError(`--kubeconfig: collecting from ${server} failed: ${messageOf(error)}`);
  }
  const unread = CLUSTER_TYPES.filter((type) => snapshot.unavailable[type] !== undefined);
  if (unread.length === CLUSTER_TYPES.length) {
    // Every list failed (unreachable, 401, wrong server): an audit of nothing must not exit 0.
    throw new UsageError(
      `--kubeconfig: could not read anything from ${server} (${snapshot.unavailable.pods}); check the server, the credentials and --context`,
    );
  }
  for (const type of unread) {
    io.stderr(
      `kubeguard audit: warning: ${type} unavailable (${snapshot.unavailable[type]}); the checks reading them are skipped\n`,
    );
  }
  return snapshot;
}

/** `my-cluster` from an EKS kubeconfig's `arn:aws:eks:<region>:<account>:cluster/my-cluster`. */
function clusterLabel(name: string): string {
  return /^arn:aws[\w-]*:eks:[^:]*:\d*:cluster\/(.+)$/.exec(name)?.[1] ?? name;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function render(report: AuditReport, format: Format): string {
  switch (format) {
    case 'json':
      return toJson(report);
    case 'markdown':
      return toMarkdown(report);
    case 'sarif':
      return toSarif(report);
    case 'csv':
      return toCsv(report);
    default:
      return toText(report);
  }
}

async function emit(text: string, output: string | undefined, io: CliIo): Promise<void> {
  if (output === undefined) {
    io.stdout(text);
    return;
  }
  try {
    await writeFile(resolve(io.cwd, output), text, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot write "${output}" (${codeOf(error)})`);
  }
}
