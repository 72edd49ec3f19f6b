import { open, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { asKubeguardError } from '#core/errors.ts';
import { inScope } from '#core/policy-as-code/checks.ts';
import {
  type GeneratedPolicies,
  generatePolicies,
  POLICY_ENGINES,
  POLICY_MODES,
  type PolicyCheckResult,
  type PolicyEngine,
  type PolicyInput,
  PolicyInputError,
  type PolicyMode,
} from '#core/policy-as-code/generate.ts';
import { policyInputFromParts, policyResultFromJson } from '#core/policy-as-code/input.ts';
import { unknownOption } from '../args.ts';
import { CliError, codeOf, usageError } from '../errors.ts';
import { type CliCommand, type CliIo, EXIT_OK, EXIT_USAGE } from '../io.ts';

/**
 * `kubeguard policy generate`: the failed Pod Security and registry/tag checks of an audit report
 * (`kubeguard audit --format json`) as admission policies — ValidatingAdmissionPolicies with their
 * bindings, or Kyverno ClusterPolicies — each bound to the namespaces where its check passed. The
 * YAML goes to standard output or --output; what must change first, and what could not be
 * generated, to standard error (and the full list as JSON to --must-change). See
 * docs/policy-as-code.md.
 * Exit codes: 0 generated (or nothing to generate); 2 bad arguments, or a report that cannot be
 * read or is not an audit report.
 */

export const USAGE =
  'kubeguard policy generate --from REPORT.json|- --engine vap|kyverno [--mode warn|deny]\n' +
  '         [--approved-registry PREFIX ...] [--output FILE|-] [--must-change FILE]';

const DETAILS = [
  '',
  'Turns each failed Pod Security check (KP-060…KP-079 that admission can express) and registry/tag',
  'check (KP-084, KP-086, KP-092) of an audit report into an admission policy whose expressions are the',
  "check's own rules, bound only to the namespaces where that check passed: enforcing it breaks nothing",
  'that runs today. The workloads that failed must change before their namespaces can be added.',
  '',
  'Options:',
  '  --from FILE|-             the JSON report of `kubeguard audit --format json` (- reads standard input)',
  '  --engine vap|kyverno      vap: ValidatingAdmissionPolicy + ValidatingAdmissionPolicyBinding',
  '                            (admissionregistration.k8s.io/v1); kyverno: kyverno.io/v1 ClusterPolicy',
  '  --mode warn|deny          warn (default): admitted with a warning (VAP [Warn, Audit], Kyverno Audit);',
  '                            deny: refused (VAP [Deny, Audit], Kyverno Enforce)',
  '  --approved-registry P     a registry prefix KP-086 allows (repeatable); default: the ones the',
  "                            report's KP-086 failures name; without any, KP-086 is not generated",
  '  --output FILE|-           write the YAML to FILE (default: standard output)',
  '  --must-change FILE        also write every workload that must change, as JSON, to FILE',
  '',
  'Standard error lists, per policy, the workloads that must change first, and the failed checks',
  'that got no policy with the reason.',
  '',
  'Exit codes: 0 policies written (or nothing to generate: no such check failed); 2 bad arguments, or',
  'a report that cannot be read or is not an audit report (the error names the field).',
].join('\n');

const OPTIONS = ['--from', '--engine', '--mode', '--approved-registry', '--output', '--must-change'] as const;

const SINGLE_VALUE = ['--from', '--engine', '--mode', '--output', '--must-change'] as const;

interface PolicyArgs {
  from: string;
  engine: PolicyEngine;
  mode: PolicyMode;
  approvedRegistries?: string[];
  output?: string;
  mustChange?: string;
}

/** Workloads listed per policy on standard error before "… and N more". */
const LISTED_PER_CHECK = 5;

export const policyCommand: CliCommand = {
  name: 'policy',
  usage: `${USAGE}\n${DETAILS}`,
  options: OPTIONS,
  run: async (args, io) => {
    try {
      const parsed = parseArgs(args);
      const report = await readReport(parsed.from, io);
      const generated = generatePolicies(report, {
        engine: parsed.engine,
        mode: parsed.mode,
        ...(parsed.approvedRegistries === undefined ? {} : { approvedRegistries: parsed.approvedRegistries }),
      });
      await write(parsed.output, generated.yaml, io);
      if (parsed.mustChange !== undefined) {
        await write(parsed.mustChange, `${JSON.stringify(generated.mustChange, null, 2)}\n`, io);
      }
      io.stderr(summary(generated, parsed, report));
      return EXIT_OK;
    } catch (error) {
      const known = error instanceof CliError ? error : asKubeguardError(error);
      if (known instanceof CliError || known.code === 'INVALID_ARGUMENT') {
        io.stderr(`kubeguard policy: ${known.message}\nUsage: ${USAGE.split('\n')[0]}\n`);
        return known instanceof CliError ? known.exitCode : EXIT_USAGE;
      }
      throw error;
    }
  },
};

function parseArgs(args: readonly string[]): PolicyArgs {
  const [subcommand, ...rest] = args;
  if (subcommand !== 'generate') {
    throw usageError(
      subcommand === undefined
        ? 'missing subcommand: kubeguard policy generate …'
        : `unknown subcommand ${JSON.stringify(subcommand)}: the only one is generate`,
    );
  }
  const values = new Map<string, string>();
  const registries: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    if (!(OPTIONS as readonly string[]).includes(flag as string)) {
      if (arg.startsWith('-')) throw usageError(unknownOption(arg, OPTIONS));
      throw usageError(`unexpected argument ${JSON.stringify(arg)}: the report goes after --from`);
    }
    const value = inline ?? rest[i + 1];
    if (value === undefined || (value.startsWith('--') && inline === undefined))
      throw usageError(`${flag} needs a value`);
    if (inline === undefined) i++;
    if (flag === '--approved-registry') {
      registries.push(value);
      continue;
    }
    if (values.has(flag as string)) throw usageError(`${flag} is given twice`);
    values.set(flag as (typeof SINGLE_VALUE)[number], value);
  }
  const from = values.get('--from');
  if (from === undefined)
    throw usageError('missing --from REPORT.json (from `kubeguard audit --format json`)');
  const engine = values.get('--engine');
  if (engine === undefined) throw usageError(`missing --engine (${POLICY_ENGINES.join(' or ')})`);
  if (!(POLICY_ENGINES as readonly string[]).includes(engine))
    throw usageError(`--engine ${JSON.stringify(engine)}: use ${POLICY_ENGINES.join(' or ')}`);
  const mode = values.get('--mode') ?? 'warn';
  if (!(POLICY_MODES as readonly string[]).includes(mode))
    throw usageError(`--mode ${JSON.stringify(mode)}: use ${POLICY_MODES.join(' or ')}`);
  const empty = registries.find((r) => r.replace(/\/+$/, '') === '');
  if (empty !== undefined)
    throw usageError(`--approved-registry ${JSON.stringify(empty)}: give a registry prefix`);
  const parsed: PolicyArgs = { from, engine: engine as PolicyEngine, mode: mode as PolicyMode };
  if (registries.length > 0) parsed.approvedRegistries = registries;
  const output = values.get('--output');
  if (output !== undefined && output !== '-') parsed.output = output;
  const mustChange = values.get('--must-change');
  if (mustChange !== undefined) parsed.mustChange = mustChange;
  return parsed;
}

/**
 * The report, read line by line: `kubeguard audit --format json` writes each result on its own line
 * (core/posture/export/stream.ts), so the results are parsed one at a time and only those of the
 * policy-as-code checks kept — a report of any size is read without holding it as one string. A
 * report in another layout (compact, hand-edited) is parsed whole.
 */
export async function readReport(from: string, io: CliIo): Promise<PolicyInput> {
  const name = from === '-' ? 'standard input' : from;
  let input: AsyncIterable<string>;
  try {
    if (from === '-' && io.stdinIsTTY)
      io.stderr('kubeguard policy: reading the report from the terminal; end with Ctrl-D\n');
    const stream = from === '-' ? Readable.from(io.stdin()) : await openStream(resolve(io.cwd, from));
    input = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  } catch (error) {
    throw usageError(`--from: cannot read "${from}" (${codeOf(error)})`);
  }
  const skeleton: string[] = [];
  const results: { index: number; result: PolicyCheckResult }[] = [];
  let inResults = false;
  let index = 0;
  try {
    for await (const line of input) {
      const trimmed = line.trim();
      if (!inResults) {
        skeleton.push(line);
        if (trimmed === '"results": [') inResults = true;
        continue;
      }
      if (trimmed.startsWith(']')) {
        skeleton.push(line);
        inResults = false;
        continue;
      }
      const value = parseJson(
        trimmed.endsWith(',') ? trimmed.slice(0, -1) : trimmed,
        `${name}: results[${index}]`,
      );
      const checkId = (value as { checkId?: unknown } | null)?.checkId;
      if (typeof checkId !== 'string' || inScope(checkId))
        results.push({ index, result: policyResultFromJson(value, index) });
      index++;
    }
  } catch (error) {
    if (error instanceof CliError) throw error;
    if (error instanceof PolicyInputError) throw usageError(`--from: ${name}: ${error.message}`);
    throw usageError(`--from: cannot read "${from}" (${codeOf(error)})`);
  }
  const json = parseJson(skeleton.join('\n'), name);
  try {
    return policyInputFromParts(json, index > 0 || inResults ? results : undefined);
  } catch (error) {
    throw usageError(`--from: ${name}: ${asKubeguardError(error).message}`);
  }
}

function parseJson(text: string, name: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw usageError(
      `--from: ${name} is not JSON (${error instanceof Error ? error.message : String(error)}); give the report of \`kubeguard audit --format json\``,
    );
  }
}

/** A file stream that has opened (so a missing file is an error here, not mid-iteration). */
async function openStream(path: string): Promise<Readable> {
  const handle = await open(path, 'r');
  return handle.createReadStream({ encoding: 'utf8' });
}

async function write(path: string | undefined, text: string, io: CliIo): Promise<void> {
  if (path === undefined) {
    io.stdout(text);
    return;
  }
  try {
    await writeFile(resolve(io.cwd, path), text, 'utf8');
  } catch (error) {
    throw usageError(`cannot write "${path}" (${codeOf(error)})`);
  }
}

function summary(generated: GeneratedPolicies, args: PolicyArgs, report: PolicyInput): string {
  const lines: string[] = [];
  const { policies, mustChange, notGenerated } = generated;
  if (policies.length === 0 && notGenerated.length === 0) {
    return `kubeguard policy: nothing to generate: no Pod Security or registry/tag check failed in the audit of ${report.cluster} at ${report.takenAt}\n`;
  }
  const unbound = policies.filter((p) => p.namespaces.length === 0).length;
  lines.push(
    `kubeguard policy: ${policies.length} polic${policies.length === 1 ? 'y' : 'ies'} (${args.engine}, ${args.mode}) from the audit of ${report.cluster} at ${report.takenAt}` +
      (unbound > 0 ? `; ${unbound} without a binding (no namespace passed its check)` : ''),
  );
  for (const policy of policies) {
    const workloads = mustChange.filter((w) => w.checkId === policy.checkId);
    const scope = policy.namespaces.length > 0 ? `bound to ${policy.namespaces.join(', ')}` : 'not bound';
    lines.push(
      `  ${policy.checkId} ${policy.name}: ${scope}; ${workloads.length} workload${workloads.length === 1 ? '' : 's'} must change`,
    );
    for (const workload of workloads.slice(0, LISTED_PER_CHECK)) {
      const { kind, namespace, name } = workload.object;
      lines.push(
        `    ${kind} ${namespace === undefined ? '' : `${namespace}/`}${name}${workload.file === undefined ? '' : ` (${workload.file})`}: ${workload.message}`,
      );
    }
    if (workloads.length > LISTED_PER_CHECK) {
      const more = workloads.length - LISTED_PER_CHECK;
      lines.push(
        `    … and ${more} more${args.mustChange === undefined ? ' (--must-change FILE lists them all)' : ''}`,
      );
    }
  }
  for (const skipped of notGenerated) lines.push(`  ${skipped.checkId} not generated: ${skipped.reason}`);
  return `${lines.join('\n')}\n`;
}
