import { open, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { asKubeguardError, KubeguardError } from '#core/errors.ts';
import { parseManifests } from '#core/manifests/load.ts';
import { parseIp } from '#core/netpol/cidr.ts';
import type { NetpolEvaluator } from '#core/netpol/evaluate.ts';
import {
  type ConnectionQuery,
  type ConnectionVerdict,
  type EndpointRef,
  type NetpolCluster,
  PROTOCOLS,
  type Protocol,
  type SideVerdict,
  type UnevaluatedPolicy,
} from '#core/netpol/types.ts';
import { unknownOption } from '../args.ts';
import { CliError } from '../errors.ts';
import { type CliCommand, type CliIo, EXIT_UNREACHABLE, EXIT_USAGE } from '../io.ts';
import { manifestFiles } from '../manifests/walk.ts';

/**
 * `kubeguard netpol`: what-if for network policies. Loads pods, namespaces, NetworkPolicies,
 * AdminNetworkPolicies and the BaselineAdminNetworkPolicy from manifests or a live cluster, then
 * answers allow/deny for one connection (text, or `--json`) or for every line of a JSON Lines file
 * (`--queries`), naming the policies that decide each side. A side a policy may decide that cannot be
 * evaluated (it does not parse, it is a Calico or Cilium policy, its kind could not be read) is
 * `unknown`, with the reason, never a guess.
 * Exit codes: 0 every answer is allow or deny; 1 an answer is unknown or a pod/query could not be
 * answered; 2 unusable arguments; 3 the cluster could not be read.
 */

const USAGE =
  'kubeguard netpol (--manifests PATH... | --kubeconfig FILE [--context NAME])\n' +
  '         (--from NS/POD|IP --to NS/POD|IP --port N|NAME [--protocol TCP|UDP|SCTP] [--json] | --queries FILE|-)';

const DETAILS = [
  '',
  'Sources: --manifests reads YAML/JSON files or directories (Pods with status.podIP, Namespaces,',
  'Nodes, NetworkPolicies, AdminNetworkPolicies, the BaselineAdminNetworkPolicy); --kubeconfig lists',
  'them from the cluster (needs list on pods, namespaces and networkpolicies; the admin policy, Calico',
  'and Cilium kinds are listed too, and a kind it may not list makes the answers it may decide unknown).',
  '--queries reads JSON Lines of {"from", "to", "port", "protocol"} and writes one JSON line each:',
  '{from, to, port, protocol, verdict, egress: {verdict, isolated, decidedBy, rule?, passedBy?, reason?},',
  'ingress: {…}}. An IP that is no known pod has no side of its own: only the pod end is evaluated (n/a).',
  'Verdicts: allow, deny, or unknown when a policy that may decide could not be evaluated (reason says',
  'which: a malformed policy, a Calico or Cilium policy, an unreadable kind, an undecidable admin rule).',
  '',
  'Options:',
  '  --manifests PATH...    YAML/JSON files or directories (recursively *.yaml, *.yml, *.json)',
  '  --kubeconfig FILE      read the objects from the cluster of the kubeconfig instead',
  '  --context NAME         the kubeconfig context to use (default: its current context)',
  '  --from NS/POD|IP       the client end of the connection',
  '  --to NS/POD|IP         the server end of the connection',
  '  --port N|NAME          the destination port (number, or a container port name of the --to pod)',
  '  --protocol P           TCP (default), UDP or SCTP',
  '  --json                 one JSON object instead of the text answer',
  '  --queries FILE|-       answer every JSON Lines query of FILE (or standard input), one JSON line each',
  '',
  'Exit codes: 0 every answer is allow or deny; 1 an answer is unknown or a pod or query could not be',
  'answered; 2 bad arguments or an unreadable file; 3 the cluster could not be read (unreachable,',
  'list refused).',
].join('\n');

const EXIT_UNANSWERED = 1;

const NETPOL_OPTIONS = [
  '--manifests',
  '--kubeconfig',
  '--context',
  '--from',
  '--to',
  '--port',
  '--protocol',
  '--json',
  '--queries',
] as const;

export const netpolCommand: CliCommand = {
  name: 'netpol',
  usage: `${USAGE}\n${DETAILS}`,
  options: NETPOL_OPTIONS,
  run: async (args, io) => {
    const parsed = parseArgs(args);
    if ('usage' in parsed) return usageError(io, parsed.usage);
    const options = parsed.options;
    let evaluator: NetpolEvaluator;
    try {
      const cluster = await loadCluster(options, io);
      // Loaded on demand, like clusterFromObjects below: the policy schemas use zod's full API.
      const { createEvaluator } = await import('#core/netpol/evaluate.ts');
      evaluator = createEvaluator(cluster);
    } catch (error) {
      if (error instanceof CliError) return usageError(io, `--manifests: ${error.message}`, error.exitCode);
      return failure(io, asKubeguardError(error));
    }
    if (options.queries !== undefined) return answerQueries(options.queries, evaluator, io);
    return answerOne(options.single as SingleQuery, options.json, evaluator, io);
  },
};

interface SingleQuery {
  from: EndpointRef;
  to: EndpointRef;
  port: number | string;
  protocol: Protocol;
}

interface NetpolOptions {
  manifests: string[];
  kubeconfig?: string;
  context?: string;
  queries?: string;
  single?: SingleQuery;
  json: boolean;
}

type ParsedArgs = { options: NetpolOptions } | { usage: string };

const VALUE_FLAGS = [
  '--kubeconfig',
  '--context',
  '--from',
  '--to',
  '--port',
  '--protocol',
  '--queries',
] as const;

function parseArgs(args: string[]): ParsedArgs {
  const values = new Map<string, string>();
  const manifests: string[] = [];
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--json') {
      json = true;
    } else if (arg === '--manifests') {
      const start = i + 1;
      while (i + 1 < args.length && !(args[i + 1] as string).startsWith('--')) i++;
      if (i + 1 === start) return { usage: '--manifests needs at least one file or directory' };
      manifests.push(...args.slice(start, i + 1));
    } else if ((VALUE_FLAGS as readonly string[]).includes(arg)) {
      const value = args[i + 1];
      if (value === undefined || (value.startsWith('--') && value !== '-'))
        return { usage: `${arg} needs a value` };
      if (values.has(arg)) return { usage: `${arg} is given twice` };
      values.set(arg, value);
      i++;
    } else {
      if (arg.startsWith('-')) return { usage: unknownOption(arg, NETPOL_OPTIONS) };
      return { usage: `unexpected argument ${JSON.stringify(arg)}: files go after --manifests` };
    }
  }
  return optionsFrom(values, manifests, json);
}

function optionsFrom(values: Map<string, string>, manifests: string[], json: boolean): ParsedArgs {
  const kubeconfig = values.get('--kubeconfig');
  if (manifests.length > 0 === (kubeconfig !== undefined)) {
    return { usage: 'give exactly one source: --manifests PATH... or --kubeconfig FILE' };
  }
  if (values.has('--context') && kubeconfig === undefined) return { usage: '--context needs --kubeconfig' };
  const base = { manifests, kubeconfig, context: values.get('--context'), json };
  const queryFlags = ['--from', '--to', '--port', '--protocol'].filter((flag) => values.has(flag));
  const queries = values.get('--queries');
  if (queries !== undefined) {
    if (queryFlags.length > 0) return { usage: `--queries cannot be combined with ${queryFlags.join(', ')}` };
    return { options: { ...base, queries } };
  }
  const missing = ['--from', '--to', '--port'].filter((flag) => !values.has(flag));
  if (missing.length > 0) return { usage: `missing ${missing.join(', ')} (or give --queries FILE)` };
  const single = singleQuery(values);
  return 'usage' in single ? single : { options: { ...base, single } };
}

function singleQuery(values: Map<string, string>): SingleQuery | { usage: string } {
  const from = endpointArg(values.get('--from') as string);
  if (from === undefined)
    return { usage: `--from ${JSON.stringify(values.get('--from'))}: ${ENDPOINT_HINT}` };
  const to = endpointArg(values.get('--to') as string);
  if (to === undefined) return { usage: `--to ${JSON.stringify(values.get('--to'))}: ${ENDPOINT_HINT}` };
  const port = portArg(values.get('--port') as string);
  if (port === undefined) return { usage: `--port ${JSON.stringify(values.get('--port'))}: ${PORT_HINT}` };
  const protocol = protocolArg(values.get('--protocol') ?? 'TCP');
  if (protocol === undefined) {
    return {
      usage: `--protocol ${JSON.stringify(values.get('--protocol'))}: use one of ${PROTOCOLS.join(', ')}`,
    };
  }
  return { from, to, port, protocol };
}

const ENDPOINT_HINT = 'expected a pod as NS/POD (e.g. default/web) or an IPv4/IPv6 address';
const PORT_HINT = 'expected a port number from 1 to 65535 or a container port name (e.g. http)';
const POD_REF = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/;
/** IANA service name, as Kubernetes validates container port names. */
const PORT_NAME = /^(?=.*[a-z])[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/;

function endpointArg(text: string): EndpointRef | undefined {
  if (parseIp(text) !== undefined) return { ip: text };
  return POD_REF.test(text) ? { pod: text } : undefined;
}

function portArg(text: string): number | string | undefined {
  if (/^\d+$/.test(text)) {
    const port = Number(text);
    return port >= 1 && port <= 65535 ? port : undefined;
  }
  return PORT_NAME.test(text) ? text : undefined;
}

function protocolArg(text: string): Protocol | undefined {
  const upper = text.toUpperCase();
  return PROTOCOLS.find((p) => p === upper);
}

async function loadCluster(options: NetpolOptions, io: CliIo): Promise<NetpolCluster> {
  const objects: SourceObjects =
    options.kubeconfig === undefined
      ? { objects: await readManifestObjects(options.manifests, io), unreadable: [] }
      : await readKubeconfigObjects(options.kubeconfig, options.context, io);
  // Loaded on demand: the policy schemas use zod's full API, a third of the CLI's start-up (cli-startup bench).
  const { clusterFromObjects } = await import('#core/netpol/objects.ts');
  const { cluster, problems } = clusterFromObjects(objects.objects, { unreadable: objects.unreadable });
  for (const problem of problems) {
    io.stderr(
      problem.unevaluated
        ? `kubeguard netpol: warning: cannot evaluate ${problem.object}: ${problem.reason}; connections it may decide are answered unknown\n`
        : `kubeguard netpol: warning: skipped ${problem.object}: ${problem.reason}\n`,
    );
  }
  return cluster;
}

interface SourceObjects {
  objects: unknown[];
  unreadable: UnevaluatedPolicy[];
}

async function readKubeconfigObjects(
  file: string,
  context: string | undefined,
  io: CliIo,
): Promise<SourceObjects> {
  // Loaded on demand: the Kubernetes client is most of the CLI bundle, and manifests never need it.
  const { readClusterObjects } = await import('#adapters/kubernetes/netpol-source.ts');
  const objects = await readClusterObjects({
    kubeconfigFile: resolve(io.cwd, file),
    ...(context === undefined ? {} : { context }),
  });
  return {
    objects: [...objects.namespaces, ...objects.pods, ...objects.networkPolicies, ...objects.customPolicies],
    unreadable: objects.unreadable,
  };
}

async function readManifestObjects(paths: string[], io: CliIo): Promise<unknown[]> {
  const objects: unknown[] = [];
  for (const path of paths) {
    for (const file of await manifestFiles(path, io)) {
      const parsed = parseManifests(await readFile(file, 'utf8'), file);
      for (const error of parsed.errors) {
        const where = `${error.file} document ${error.index}${error.item === undefined ? '' : ` item ${error.item}`}`;
        io.stderr(`kubeguard netpol: warning: skipped ${where}: ${error.reason}\n`);
      }
      objects.push(...parsed.objects.map((o) => o.object));
    }
  }
  return objects;
}

function answerOne(query: SingleQuery, json: boolean, evaluator: NetpolEvaluator, io: CliIo): number {
  let result: ConnectionVerdict;
  try {
    result = evaluator.evaluate(checkedPods(query, evaluator));
  } catch (error) {
    return failure(io, asKubeguardError(error));
  }
  io.stdout(json ? `${JSON.stringify(jsonAnswer(result, query))}\n` : textAnswer(result));
  return result.verdict === 'unknown' ? EXIT_UNANSWERED : 0;
}

/** Looks the pods up first so an unknown one is reported against the flag that named it. */
function checkedPods(query: SingleQuery, evaluator: NetpolEvaluator): ConnectionQuery {
  for (const [flag, ref] of [
    ['--from', query.from],
    ['--to', query.to],
  ] as const) {
    if (!('pod' in ref)) continue;
    try {
      evaluator.pod(ref.pod);
    } catch (error) {
      const known = asKubeguardError(error);
      throw new KubeguardError(known.code, `${flag}: ${known.message}`, { cause: error });
    }
  }
  return query;
}

async function answerQueries(source: string, evaluator: NetpolEvaluator, io: CliIo): Promise<number> {
  const name = source === '-' ? 'standard input' : source;
  if (source === '-' && io.stdinIsTTY) {
    io.stderr('kubeguard netpol: reading JSON Lines queries from the terminal; end with Ctrl-D\n');
  }
  let lines: AsyncIterable<string>;
  try {
    lines = createInterface({
      input: source === '-' ? Readable.from(io.stdin()) : await openReadable(resolve(io.cwd, source)),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
  } catch (error) {
    return usageError(io, `--queries: cannot read "${source}" (${codeOf(error)})`);
  }
  let failed = 0;
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    const answer = answerLine(line, evaluator);
    if ('error' in answer) {
      failed++;
      io.stderr(`kubeguard netpol: ${name} line ${lineNumber}: ${answer.error}\n`);
      io.stdout(`${JSON.stringify({ line: lineNumber, error: answer.error })}\n`);
    } else {
      if (answer.verdict === 'unknown') failed++;
      io.stdout(`${JSON.stringify(answer)}\n`);
    }
  }
  return failed > 0 ? EXIT_UNANSWERED : 0;
}

/** A file stream that has opened (so a missing file is an error here, not mid-iteration). */
async function openReadable(path: string): Promise<Readable> {
  const handle = await open(path, 'r');
  return handle.createReadStream();
}

interface RawQueryLine {
  from: unknown;
  to: unknown;
  port: unknown;
  protocol?: unknown;
}

function answerLine(line: string, evaluator: NetpolEvaluator): Record<string, unknown> | { error: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (error) {
    return { error: `not JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { error: 'expected an object {"from", "to", "port", "protocol"}' };
  }
  const query = queryFromLine(raw as RawQueryLine);
  if ('error' in query) return query;
  try {
    return jsonAnswer(evaluator.evaluate(query), query, raw as RawQueryLine);
  } catch (error) {
    return { error: asKubeguardError(error).message };
  }
}

/** A line names its ends like the flags (`"default/web"`, `"10.0.0.1"`) or like the corpus (`{"pod": …}`). */
function queryFromLine(raw: RawQueryLine): SingleQuery | { error: string } {
  const from = lineEndpoint(raw.from);
  if (from === undefined)
    return { error: `"from" ${JSON.stringify(raw.from) ?? 'is missing'}: ${ENDPOINT_HINT}` };
  const to = lineEndpoint(raw.to);
  if (to === undefined) return { error: `"to" ${JSON.stringify(raw.to) ?? 'is missing'}: ${ENDPOINT_HINT}` };
  const port =
    typeof raw.port === 'number'
      ? portArg(String(raw.port))
      : typeof raw.port === 'string'
        ? portArg(raw.port)
        : undefined;
  if (port === undefined)
    return { error: `"port" ${JSON.stringify(raw.port) ?? 'is missing'}: ${PORT_HINT}` };
  const protocol =
    raw.protocol === undefined
      ? 'TCP'
      : typeof raw.protocol === 'string'
        ? protocolArg(raw.protocol)
        : undefined;
  if (protocol === undefined)
    return { error: `"protocol" ${JSON.stringify(raw.protocol)}: use one of ${PROTOCOLS.join(', ')}` };
  return { from, to, port, protocol };
}

function lineEndpoint(value: unknown): EndpointRef | undefined {
  if (typeof value === 'string') return endpointArg(value);
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (typeof record.pod === 'string') return POD_REF.test(record.pod) ? { pod: record.pod } : undefined;
  if (typeof record.ip === 'string') return parseIp(record.ip) === undefined ? undefined : { ip: record.ip };
  return undefined;
}

function jsonAnswer(
  result: ConnectionVerdict,
  query: SingleQuery,
  raw?: RawQueryLine,
): Record<string, unknown> {
  const asWritten = (ref: EndpointRef, written: unknown) =>
    typeof written === 'object' && written !== null ? ref : 'pod' in ref ? ref.pod : ref.ip;
  return {
    from: asWritten(query.from, raw?.from),
    to: asWritten(query.to, raw?.to),
    port: result.port,
    protocol: result.protocol,
    verdict: result.verdict,
    egress: result.egress,
    ingress: result.ingress,
  };
}

function textAnswer(result: ConnectionVerdict): string {
  const from = endName(result.from);
  const to = endName(result.to);
  return [
    `${result.verdict}: ${from} -> ${to} on ${result.protocol}/${result.port}`,
    `  egress  from ${from}: ${sideText(result.egress, from, 'egress')}`,
    `  ingress to ${to}: ${sideText(result.ingress, to, 'ingress')}`,
    '',
  ].join('\n');
}

function sideText(side: SideVerdict, end: string, direction: 'egress' | 'ingress'): string {
  if (side.verdict === 'n/a') return `n/a (${end} is not a known pod; only the pod side applies)`;
  if (side.verdict === 'unknown') return `unknown (${side.reason ?? 'a policy could not be evaluated'})`;
  const passed = side.passedBy === undefined ? '' : `, after ${side.passedBy}`;
  if (side.rule !== undefined) return `${side.verdict} (${side.rule}${passed})`;
  if (!side.isolated) return `allow (not isolated: no NetworkPolicy selects it for ${direction}${passed})`;
  if (side.verdict === 'allow') return `allow (allowed by ${side.decidedBy.join(', ')}${passed})`;
  return `deny (isolated by ${side.decidedBy.join(', ')}; none of them allows this connection${passed})`;
}

function endName(ref: EndpointRef): string {
  return 'pod' in ref ? ref.pod : ref.ip;
}

function usageError(io: CliIo, message: string, code: number = EXIT_USAGE): number {
  io.stderr(`kubeguard netpol: ${message}\nUsage: ${USAGE}\n`);
  return code;
}

/** Error codes that mean the cluster (the source) could not be read: exit 3, as `audit` does. */
const SOURCE_UNREADABLE = new Set(['UPSTREAM', 'FORBIDDEN', 'RATE_LIMITED']);

function failure(io: CliIo, error: KubeguardError): number {
  if (error.code === 'INVALID_ARGUMENT') return usageError(io, error.message);
  io.stderr(`kubeguard netpol: ${error.message}\n`);
  return SOURCE_UNREADABLE.has(error.code) ? EXIT_UNREACHABLE : EXIT_UNANSWERED;
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
}
