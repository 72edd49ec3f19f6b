import type { InputDetection } from '#core/ingest/detect-input.ts';
import { actorLabel } from '#core/model/actor.ts';
import type { Detection } from '#core/model/detection.ts';
import { isAtLeast, isSeverity, SEVERITIES, type Severity } from '#core/model/severity.ts';
import { unknownOption } from '../args.ts';
import { loadCommandConfig } from '../config-file.ts';
import { inputProblem, runInputs, totalsLine } from '../detect-run.ts';
import { type Input, openInputs, printable } from '../input-files.ts';
import { type CliCommand, EXIT_FAILURES, EXIT_OK, EXIT_USAGE, strictByDefault } from '../io.ts';
import { type InputFlags, parseInputFlag, STDIN_TTY_MESSAGE } from './input-args.ts';

/**
 * `kubeguard detect`: runs the detection rules on audit logs or GuardDuty findings, read as streams
 * from files or standard input in any shape the input auto-detection knows (core/ingest). Each
 * detection is written to stdout as soon as it is found; malformed and skipped records and the
 * totals go to stderr. Exit codes as every command (cli/io.ts); --fail-on decides which detections
 * fail the run (decision D51).
 */

const USAGE_LINE =
  'kubeguard detect [--format json|text] [--fail-on SEVERITY] [--config FILE] [--lenient] [--cluster NAME] [--strict|--no-strict] [FILE...]';

const HELP = [
  USAGE_LINE,
  '',
  'Reads FILE... (or standard input: no FILE, or "-") as streams, in any size. Shapes, recognized by',
  'content: kube-apiserver audit events (JSON Lines, JSON documents, arrays, EventList), CloudWatch Logs',
  'subscription events and decoded envelopes, `aws logs filter-log-events` / `get-log-events` output,',
  'CloudWatch Logs exports to S3 (gzip), GuardDuty EventBridge events, `aws guardduty get-findings` output',
  'and bare findings. gzip (by magic bytes), a UTF-8 byte-order mark and CRLF line ends are handled.',
  '',
  'Options:',
  '  --format json|text   one JSON object per detection per line, or one readable line (default: text)',
  `  --fail-on SEVERITY   exit 1 when a detection of this severity or higher is found: ${SEVERITIES.join(', ')}`,
  '                       (default: low, any detection)',
  '  --config FILE        kubeguard configuration (rule settings, allow-lists, suppressions); default',
  '                       ./kubeguard.config.json when it exists, as `render alert` reads it',
  '  --lenient            accept trimmed audit events without apiVersion, auditID or verb (test traces)',
  '  --cluster NAME       cluster name for audit events that do not come with one',
  '  --strict             exit 2 when any record is malformed or an input is unreadable (after reporting',
  '                       every detection); the default when CI=true',
  '  --no-strict          report malformed records and go on (the default outside CI)',
  '  -h, --help           this help',
  '',
  'Exit codes:',
  '  0  no detection at or above --fail-on',
  '  1  detections at or above --fail-on',
  '  2  bad arguments; standard input is a terminal and no FILE was given; input that produced nothing',
  '     usable (empty, nothing parseable, every record malformed, binary); with --strict, any malformed',
  '     record or unreadable input',
].join('\n');

const OPTIONS = [
  '--format',
  '--fail-on',
  '--config',
  '--lenient',
  '--cluster',
  '--strict',
  '--no-strict',
  '--help',
] as const;

type Format = 'json' | 'text';

interface DetectOptions extends InputFlags {
  format: Format;
  failOn: Severity;
}

function parseArgs(args: readonly string[]): DetectOptions | { usage: string } {
  const options: DetectOptions = { format: 'text', failOn: 'low', lenient: false, files: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const [flag, inlineValue] = arg.startsWith('--') && arg.includes('=') ? splitOnce(arg) : [arg, undefined];
    const value = () => inlineValue ?? args[++i];
    if (flag === '--') {
      options.files.push(...args.slice(i + 1));
      break;
    }
    if (flag === '--format') {
      const format = value();
      if (format !== 'json' && format !== 'text') {
        return {
          usage: `--format must be json or text; received ${format === undefined ? 'nothing' : JSON.stringify(format)}`,
        };
      }
      options.format = format;
      continue;
    }
    if (flag === '--fail-on') {
      const severity = value();
      if (!isSeverity(severity)) {
        return {
          usage: `--fail-on must be one of ${SEVERITIES.join(', ')}; received ${severity === undefined ? 'nothing' : JSON.stringify(severity)}`,
        };
      }
      options.failOn = severity;
      continue;
    }
    const input = parseInputFlag(flag, inlineValue, value, options);
    if (input === 'unknown') {
      if (arg.startsWith('-') && arg !== '-') return { usage: unknownOption(arg, OPTIONS) };
      options.files.push(arg);
    } else if (input !== 'ok') return input;
  }
  return options;
}

function splitOnce(arg: string): [string, string] {
  const at = arg.indexOf('=');
  return [arg.slice(0, at), arg.slice(at + 1)];
}

function jsonLine(found: InputDetection, input: Input): string {
  const d: Detection = found.detection;
  const record = {
    ruleId: d.ruleId,
    title: d.title,
    severity: d.severity,
    source: d.source,
    findingType: d.findingType,
    cluster: d.cluster,
    namespace: d.namespace,
    pod: d.pod,
    workload: d.workload,
    principal: d.principal,
    actor: d.actor,
    sourceIps: d.sourceIps.length > 0 ? d.sourceIps : undefined,
    eventId: d.eventId,
    // The API server's auditID (client-chosen, so not the event's identity; grep the logs for it).
    auditId: d.evidence.auditId,
    line: found.line,
    file: input.fromFile ? input.name : undefined,
    mitre: d.mitre,
  };
  return `${JSON.stringify(record)}\n`;
}

function textLine(found: InputDetection, input: Input): string {
  const d = found.detection;
  const where = [d.cluster, d.namespace, d.pod ?? d.workload].filter((part) => part !== undefined).join('/');
  const parts = [
    `${input.name}:${found.line}`,
    d.severity.toUpperCase().padEnd(8),
    d.ruleId,
    d.title,
    where === '' ? undefined : `— ${where}`,
    d.principal === undefined && d.actor === undefined ? undefined : `by ${actorLabel(d)}`,
    // What a responder greps for: the auditID of an audit event, the finding id of GuardDuty.
    `[${d.evidence.auditId ?? d.eventId}]`,
  ];
  return `${printable(parts.filter((part) => part !== undefined).join(' '))}\n`;
}

export const detectCommand: CliCommand = {
  name: 'detect',
  usage: HELP,
  options: OPTIONS,
  run: async (args, io) => {
    const parsed = parseArgs(args);
    if ('usage' in parsed) {
      io.stderr(`kubeguard detect: ${parsed.usage}\nUsage: ${USAGE_LINE}\n`);
      return EXIT_USAGE;
    }
    const options = parsed;
    if (io.stdinIsTTY && (options.files.length === 0 || options.files.includes('-'))) {
      if (options.files.length === 0) {
        io.stderr(`kubeguard detect: ${STDIN_TTY_MESSAGE}\nUsage: ${USAGE_LINE}\n`);
        return EXIT_USAGE;
      }
      io.stderr('kubeguard detect: reading audit events from the terminal ("-"); Ctrl-D ends\n');
    }
    const config = await loadCommandConfig(options.configFile, io);
    if ('error' in config) {
      io.stderr(`kubeguard detect: ${config.error}\n`);
      return EXIT_USAGE;
    }
    const inputs = await openInputs(options.files, io);
    if ('unreadable' in inputs) {
      io.stderr(`kubeguard detect: ${inputs.unreadable}\n`);
      return EXIT_USAGE;
    }
    const render = options.format === 'json' ? jsonLine : textLine;
    let failing = 0;
    const totals = await runInputs(
      inputs,
      {
        now: new Date().toISOString(),
        config: config.detection,
        lenient: options.lenient,
        ...(options.cluster === undefined ? {} : { cluster: options.cluster }),
      },
      io,
      (found, input) => {
        io.stdout(render(found, input));
        if (isAtLeast(found.detection.severity, options.failOn)) failing += 1;
      },
    );
    io.stderr(totalsLine(totals));
    const problem = inputProblem(totals, options.strict ?? strictByDefault(io.env));
    if (problem !== undefined) {
      io.stderr(`kubeguard detect: ${problem}\n`);
      return EXIT_USAGE;
    }
    return failing > 0 ? EXIT_FAILURES : EXIT_OK;
  },
};
