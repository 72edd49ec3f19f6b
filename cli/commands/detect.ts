import { InMemoryDenialCounter } from '#core/detection/burst.ts';
import { analyzeInput, type InputAnalysis, type InputDetection } from '#core/ingest/detect-input.ts';
import { actorLabel } from '#core/model/actor.ts';
import type { Detection } from '#core/model/detection.ts';
import { type Input, printable, readInputs } from '../input-files.ts';
import { type CliCommand, type CliIo, EXIT_USAGE } from '../io.ts';

/**
 * `kubeguard detect [--format json|text] [--lenient] [--cluster NAME] [FILE...]`: runs the detection
 * rules on audit logs or GuardDuty findings, read from files or standard input, in any format the
 * input auto-detection knows (JSON Lines, JSON documents and arrays, CloudWatch Logs subscription
 * events, decoded envelopes, GuardDuty EventBridge events). Detections go to stdout; malformed and
 * skipped records and the summary go to stderr. Exit 0 once the input was processed (malformed
 * records included), 2 for unusable arguments (unknown option, unreadable file).
 */

const USAGE =
  'kubeguard detect [--format json|text] [--lenient] [--cluster NAME] [FILE...]   (no FILE or "-": stdin)';

const OPTIONS_HELP = [
  'Options:',
  '  --format json|text  one JSON object per detection per line, or one readable line (default: text)',
  '  --lenient           accept trimmed audit events without apiVersion, auditID or verb (test traces)',
  '  --cluster NAME      cluster name for audit events that do not come with one',
].join('\n');

type Format = 'json' | 'text';

interface DetectOptions {
  format: Format;
  lenient: boolean;
  cluster?: string;
  files: string[];
}

type ParsedArgs = { options: DetectOptions } | { usage: string };

function parseArgs(args: readonly string[]): ParsedArgs {
  const options: DetectOptions = { format: 'text', lenient: false, files: [] };
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
    } else if (flag === '--cluster') {
      const cluster = value();
      if (cluster === undefined || cluster === '') return { usage: '--cluster needs a cluster name' };
      options.cluster = cluster;
    } else if (flag === '--lenient' && inlineValue === undefined) {
      options.lenient = true;
    } else if (arg.startsWith('-') && arg !== '-') {
      return { usage: `unknown option ${JSON.stringify(arg)}` };
    } else {
      options.files.push(arg);
    }
  }
  return { options };
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

function report(analysis: InputAnalysis, input: Input, format: Format, io: CliIo): void {
  const render = format === 'json' ? jsonLine : textLine;
  for (const found of analysis.detections) io.stdout(render(found, input));
  for (const bad of analysis.malformed)
    io.stderr(`${printable(`${input.name}:${bad.line}: malformed: ${bad.reason}`)}\n`);
  for (const skip of analysis.skipped)
    io.stderr(`${printable(`${input.name}:${skip.line}: skipped: ${skip.reason}`)}\n`);
  if (analysis.burstFailure !== undefined) {
    io.stderr(`${printable(`${input.name}: KD-061 burst not evaluated: ${analysis.burstFailure}`)}\n`);
  }
  for (const failure of analysis.ruleFailures) {
    io.stderr(
      `${printable(`${input.name}:${failure.line}: rule ${failure.ruleId} failed on audit event ${failure.auditId}: ${failure.message}`)}\n`,
    );
  }
}

export const detectCommand: CliCommand = {
  name: 'detect',
  summary: 'Run the detection rules on audit logs or GuardDuty findings (files or stdin)',
  usage: `${USAGE}\n\n${OPTIONS_HELP}`,
  run: async (args, io) => {
    const parsed = parseArgs(args);
    if ('usage' in parsed) {
      io.stderr(`kubeguard detect: ${parsed.usage}\nUsage: ${USAGE}\n`);
      return EXIT_USAGE;
    }
    const { options } = parsed;
    const inputs = await readInputs(options.files, io);
    if ('unreadable' in inputs) {
      io.stderr(`kubeguard detect: ${inputs.unreadable}\n`);
      return EXIT_USAGE;
    }
    // One counter for the whole run: a denial burst may span files (e.g. hourly exports).
    const counter = new InMemoryDenialCounter();
    const now = new Date().toISOString();
    const totals = { records: 0, detections: 0, malformed: 0, skipped: 0 };
    for (const input of inputs) {
      const analysis = await analyzeInput(input.text, {
        now,
        counter,
        lenient: options.lenient,
        cluster: options.cluster,
      });
      report(analysis, input, options.format, io);
      totals.records += analysis.records;
      totals.detections += analysis.detections.length;
      totals.malformed += analysis.malformed.length;
      totals.skipped += analysis.skipped.length;
    }
    const skipped = totals.skipped > 0 ? `, skipped: ${totals.skipped}` : '';
    io.stderr(
      `records: ${totals.records}, detections: ${totals.detections}, malformed: ${totals.malformed}${skipped}\n`,
    );
    return 0;
  },
};
