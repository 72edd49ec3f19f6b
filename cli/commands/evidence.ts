import { resolve } from 'node:path';
import { asKubeguardError } from '#core/errors.ts';
import { FRAMEWORKS, type Framework } from '#core/evidence-pack/model.ts';
import { unknownOption } from '../args.ts';
import { CliError, usageError } from '../errors.ts';
import { type CliCommand, type CliIo, EXIT_OK, EXIT_USAGE } from '../io.ts';
import { type StoreInput, storeFailure, storeSources } from './evidence-store.ts';

/**
 * `kubeguard evidence`: a compliance evidence pack (docs/evidence-packs.md) as one reproducible
 * `.tar.gz` with a manifest and SHA256SUMS, from export files — the JSON audit reports of the period,
 * a findings export, an audit-trail export — or, with `--store`, from the deployed stores, read as
 * `/k8s evidence` reads them (the kubeguard table, the evidence bucket's report exports; decision
 * D72). Prints the archive's and the manifest's SHA-256 and how to verify them. The archive goes to
 * --output only: the Slack command and the schedule are what store packs in the bucket.
 * Exit codes: 0 written; 2 bad arguments, or an input that cannot be read; 3 a store that cannot be read.
 */

export const USAGE =
  'kubeguard evidence --from YYYY-MM-DD --to YYYY-MM-DD --reports DIR|FILE ... [--findings FILE]\n' +
  '         [--audit-trail FILE] [--cluster NAME ...|all] [--framework soc2|pci|iso27001 ...] --output PACK.tar.gz\n' +
  '       kubeguard evidence --from YYYY-MM-DD --to YYYY-MM-DD --store [--table NAME] [--bucket NAME|--evidence-dir DIR]\n' +
  '         [--config FILE] [--cluster NAME ...|all] [--framework soc2|pci|iso27001 ...] --output PACK.tar.gz';

const DETAILS = [
  '',
  'Builds one evidence pack of the period: the posture reports (and the configuration snapshot stored',
  'beside each, redacted), the findings open during it with who acknowledged, suppressed and resolved',
  'them, every remediation action with its plan, approver and outcome, the suppressions active at its',
  'end, and a summary per control of SOC 2, PCI DSS and ISO/IEC 27001 (Markdown, HTML, JSON). The',
  'archive holds everything under <pack id>/ with manifest.json and SHA256SUMS; the same inputs and',
  'SOURCE_DATE_EPOCH give the same bytes.',
  '',
  'Options:',
  '  --from DAY, --to DAY      the period, calendar days in UTC (YYYY-MM-DD), both included, 366 days at most',
  '  --reports DIR|FILE        JSON audit reports (`kubeguard audit --format json`), or folders searched for',
  "                            them — a copy of the evidence bucket's audits/ folder works as it is",
  '                            (`aws s3 sync s3://BUCKET/audits ./audits`); repeatable. A report.json gets',
  '                            the snapshot.json beside it, NAME.json the NAME.snapshot.json beside it',
  '  --findings FILE           stored findings: a JSON array, JSON Lines, or the output of',
  '                            `aws dynamodb scan --table-name TABLE` on the kubeguard table',
  '  --audit-trail FILE        the audit trail: JSON Lines, or `aws dynamodb scan` output of the',
  '                            kubeguard table (the AUDIT_RECORD items)',
  '  --store                   read the deployed stores instead of files, as /k8s evidence does: the',
  '                            kubeguard table (history, findings, trail) and the report exports of the',
  '                            evidence bucket; not with --reports, --findings or --audit-trail',
  '  --table NAME              with --store: the kubeguard table (default KUBEGUARD_TABLE_NAME; the',
  '                            Kubeguard-Stateful output FindingsTableName); its region: --table-region',
  '                            REGION or KUBEGUARD_TABLE_REGION, else AWS_REGION',
  '  --bucket NAME             with --store: the evidence bucket (default KUBEGUARD_EVIDENCE_BUCKET; the',
  '                            Kubeguard-Stateful output EvidenceBucketName)',
  '  --evidence-dir DIR        with --store: a local evidence directory instead of the bucket (default',
  '                            KUBEGUARD_EVIDENCE_DIR)',
  '  --config FILE             with --store: the deployed kubeguard.config.json, for the clusters (default',
  '                            KUBEGUARD_CONFIG, else ./kubeguard.config.json)',
  '  --cluster NAME|all        the clusters the pack covers (repeatable); default all: every cluster the',
  '                            reports name, or with --store every configured cluster',
  '  --framework F             soc2, pci or iso27001 (repeatable, or joined by commas); default all three',
  '  --output FILE             where the .tar.gz goes; an existing file is never overwritten',
  '',
  'Without --findings or --audit-trail the pack holds no findings or actions, and its summaries show',
  'those controls as gaps. --store reads the table with the AWS credentials of the environment',
  '(AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION: `eval "$(aws configure',
  'export-credentials --format env)"`); DYNAMODB_ENDPOINT points it at a local DynamoDB.',
  '',
  'Exit codes: 0 the pack was written; 2 bad arguments, an input that cannot be read, or an existing',
  '--output; 3 a store that cannot be read (access denied, no such table or bucket).',
].join('\n');

const OPTIONS = [
  '--from',
  '--to',
  '--reports',
  '--findings',
  '--audit-trail',
  '--cluster',
  '--framework',
  '--output',
  '--store',
  '--table',
  '--table-region',
  '--bucket',
  '--evidence-dir',
  '--config',
] as const;
/** The options that say where the stores are: only with --store. */
const STORE_OPTIONS = ['--table', '--table-region', '--bucket', '--evidence-dir', '--config'] as const;
const FILE_OPTIONS = ['--reports', '--findings', '--audit-trail'] as const;
const REPEATABLE = new Set(['--reports', '--cluster', '--framework']);
const MAX_DAYS = 366;
const DAY_MS = 86_400_000;

/** Export files (`--reports` …), or the deployed stores (`--store`) and what overrides their variables. */
type EvidenceInput =
  | { kind: 'files'; reports: string[]; findings?: string; auditTrail?: string }
  | StoreInput;

interface EvidenceArgs {
  from: string;
  to: string;
  input: EvidenceInput;
  clusters: string[] | 'all';
  frameworks: Framework[];
  output: string;
}

export const evidenceCommand: CliCommand = {
  name: 'evidence',
  usage: `${USAGE}\n${DETAILS}`,
  options: OPTIONS,
  run: async (args, io) => {
    try {
      const parsed = parseArgs(args, io);
      await writePack(parsed, io);
      return EXIT_OK;
    } catch (error) {
      const known = error instanceof CliError ? error : asKubeguardError(error);
      if (
        known instanceof CliError ||
        ['INVALID_ARGUMENT', 'CONFLICT', 'LIMIT_EXCEEDED'].includes(known.code)
      ) {
        const exitCode = known instanceof CliError ? known.exitCode : EXIT_USAGE;
        // A store that cannot be read is no misuse: no usage line then.
        const usage = exitCode === EXIT_USAGE ? `Usage: ${USAGE.split('\n')[0]}\n` : '';
        io.stderr(`kubeguard evidence: ${known.message}\n${usage}`);
        return exitCode;
      }
      throw error;
    }
  },
};

async function writePack(parsed: EvidenceArgs, io: CliIo): Promise<void> {
  // Loaded when the command runs, so `kubeguard --help` loads none of it (issue 14).
  const [{ createFileEvidenceSources }, { writeEvidenceArchive, sha256OfBytes, manifestText }] =
    await Promise.all([
      import('#adapters/evidence/pack-sources.ts'),
      import('#adapters/evidence/pack-archive.ts'),
    ]);
  const { input } = parsed;
  const sources =
    input.kind === 'store'
      ? await storeSources(input, parsed.clusters, io)
      : createFileEvidenceSources({
          reports: input.reports,
          ...(input.findings === undefined ? {} : { findings: input.findings }),
          ...(input.auditTrail === undefined ? {} : { auditTrail: input.auditTrail }),
        });
  const request = {
    clusters: parsed.clusters,
    period: { from: parsed.from, to: parsed.to },
    frameworks: parsed.frameworks,
    requestedBy: `cli:${io.env.USER ?? io.env.USERNAME ?? 'unknown'}`,
    generatedAt: generatedAt(io),
  };
  // Written as it is built: a quarter of many clusters is gigabytes, never held in memory at once.
  let written: Awaited<ReturnType<typeof writeEvidenceArchive>>;
  try {
    written = await writeEvidenceArchive(request, sources, parsed.output);
  } catch (error) {
    if (input.kind === 'store') storeFailure(error);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      throw usageError(
        `${parsed.output} already exists; an evidence pack is never overwritten — choose another --output`,
      );
    }
    if (typeof code === 'string' && code.startsWith('E')) {
      throw usageError(`cannot write ${parsed.output}: ${(error as Error).message}`);
    }
    throw error;
  }
  const pack = written.pack;
  const archive = { byteLength: written.bytes };
  const archiveSha256 = written.archiveSha256;
  const manifestSha256 = sha256OfBytes(Buffer.from(manifestText(pack), 'utf8'));
  const runs = pack.manifest.files.filter((file) => file.path.endsWith('/report.json')).length;
  if (runs === 0) {
    io.stderr(
      'kubeguard evidence: no posture report of the period was found; the summaries show every control as a gap\n',
    );
  }
  io.stdout(
    [
      `Evidence pack ${pack.id}: ${pack.manifest.files.length + 1} files, ${runs} posture report${runs === 1 ? '' : 's'}, ${archive.byteLength} bytes`,
      `  clusters:  ${pack.manifest.clusters.join(', ') || '(none)'}`,
      `  period:    ${pack.manifest.period.from} to ${pack.manifest.period.to} (end excluded)`,
      `  archive:   ${parsed.output}`,
      `  archive SHA-256:  ${archiveSha256}`,
      `  manifest SHA-256: ${manifestSha256}`,
      '',
      'To verify:',
      `  sha256sum ${quoteArg(parsed.output)}          # must print the archive SHA-256 above`,
      `  tar -xzf ${quoteArg(parsed.output)} && cd ${pack.id}`,
      '  sha256sum manifest.json                # must print the manifest SHA-256 above',
      '  sha256sum -c SHA256SUMS                # every file: OK',
      '',
    ].join('\n'),
  );
}

/** The pack's time: SOURCE_DATE_EPOCH when set (reproducible builds), else now. */
function generatedAt(io: CliIo): string {
  const epoch = io.env.SOURCE_DATE_EPOCH;
  if (epoch === undefined || epoch === '') return new Date().toISOString();
  if (!/^\d+$/.test(epoch)) throw usageError(`SOURCE_DATE_EPOCH=${epoch} is not a number of seconds`);
  return new Date(Number(epoch) * 1000).toISOString();
}

function quoteArg(path: string): string {
  return /^[\w./@:+-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}

function parseArgs(args: readonly string[], io: CliIo): EvidenceArgs {
  const single = new Map<string, string>();
  const repeated = new Map<string, string[]>();
  let store = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    if (!(OPTIONS as readonly string[]).includes(flag as string)) {
      if (arg.startsWith('-')) throw usageError(unknownOption(arg, OPTIONS));
      throw usageError(`unexpected argument ${JSON.stringify(arg)}: report files go after --reports`);
    }
    if (flag === '--store') {
      if (inline !== undefined)
        throw usageError('--store takes no value: say where the stores are with --table and --bucket');
      store = true;
      continue;
    }
    const value = inline ?? args[i + 1];
    if (value === undefined || (value.startsWith('--') && inline === undefined))
      throw usageError(`${flag} needs a value`);
    if (inline === undefined) i++;
    if (REPEATABLE.has(flag as string)) {
      repeated.set(flag as string, [...(repeated.get(flag as string) ?? []), value]);
      continue;
    }
    if (single.has(flag as string)) throw usageError(`${flag} is given twice`);
    single.set(flag as string, value);
  }
  const fromDay = single.get('--from');
  const toDay = single.get('--to');
  if (fromDay === undefined || toDay === undefined) {
    throw usageError(
      'missing --from and --to: the period, as calendar days (YYYY-MM-DD, UTC), both included',
    );
  }
  const from = dayStart(fromDay, '--from');
  const toStart = dayStart(toDay, '--to');
  const days = (toStart - from) / DAY_MS + 1;
  if (days < 1) throw usageError(`--to ${toDay} is before --from ${fromDay}: both days are included`);
  if (days > MAX_DAYS) {
    throw usageError(
      `the period ${fromDay} to ${toDay} is ${days} days; one pack covers at most ${MAX_DAYS}: build one per quarter`,
    );
  }
  const given = (flag: string) => single.has(flag) || repeated.has(flag);
  if (store) {
    const files = FILE_OPTIONS.filter(given);
    if (files.length > 0) {
      throw usageError(
        `--store reads the records from the stores; ${files.join(', ')} would give them again from files — use one or the other`,
      );
    }
  } else {
    const storeOnly = STORE_OPTIONS.find(given);
    if (storeOnly !== undefined)
      throw usageError(`${storeOnly} says where the stores are: it goes with --store`);
  }
  const reports = repeated.get('--reports') ?? [];
  if (!store && reports.length === 0) {
    throw usageError(
      'missing --reports DIR|FILE: the JSON audit reports of the period (kubeguard audit --format json), or --store to read the deployed stores',
    );
  }
  const output = single.get('--output');
  if (output === undefined) throw usageError('missing --output PACK.tar.gz');
  const clusterArgs = (repeated.get('--cluster') ?? []).flatMap((value) => value.split(',')).filter(Boolean);
  const clusters: string[] | 'all' =
    clusterArgs.length === 0 || clusterArgs.includes('all') ? 'all' : clusterArgs;
  const frameworkArgs = (repeated.get('--framework') ?? [])
    .flatMap((value) => value.split(','))
    .filter(Boolean);
  const unknown = frameworkArgs.find((name) => !(FRAMEWORKS as readonly string[]).includes(name));
  if (unknown !== undefined)
    throw usageError(`--framework ${JSON.stringify(unknown)}: use ${FRAMEWORKS.join(', ')}`);
  const frameworks =
    frameworkArgs.length === 0 ? [...FRAMEWORKS] : [...new Set(frameworkArgs as Framework[])];
  const findings = single.get('--findings');
  const auditTrail = single.get('--audit-trail');
  const input: EvidenceInput = store
    ? {
        kind: 'store',
        ...optional('table', single.get('--table')),
        ...optional('tableRegion', single.get('--table-region')),
        ...optional('bucket', single.get('--bucket')),
        ...optional('evidenceDir', single.get('--evidence-dir')),
        ...optional('config', single.get('--config')),
      }
    : {
        kind: 'files',
        reports: reports.map((path) => resolve(io.cwd, path)),
        ...(findings === undefined ? {} : { findings: resolve(io.cwd, findings) }),
        ...(auditTrail === undefined ? {} : { auditTrail: resolve(io.cwd, auditTrail) }),
      };
  if (store && single.has('--bucket') && single.has('--evidence-dir')) {
    throw usageError('--bucket and --evidence-dir both say where the reports are: give one');
  }
  return {
    from: new Date(from).toISOString(),
    to: new Date(toStart + DAY_MS).toISOString(),
    input,
    clusters,
    frameworks,
    output: resolve(io.cwd, output),
  };
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

/** Midnight UTC of a `YYYY-MM-DD` that exists (no 2026-02-30), in ms. */
function dayStart(value: string, flag: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const ms = match === null ? Number.NaN : Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  if (match === null || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value) {
    throw usageError(
      `${flag} ${JSON.stringify(value)} is not a date: write a calendar day as YYYY-MM-DD (UTC)`,
    );
  }
  return ms;
}
