import type { KubeguardConfig } from '#core/config/schema.ts';
import { boundDetection } from '#core/findings/bound.ts';
import { type BatchIncident, incidentsOfBatch } from '#core/findings/record.ts';
import { renderFindingAlert } from '#core/findings/render.ts';
import type { Detection } from '#core/model/detection.ts';
import { incidentSeverity, openFinding, rankedIncidentRules } from '#core/model/finding.ts';
import { ratedBy } from '#core/model/incident.ts';
import { routeDetection } from '#core/routing.ts';
import { unknownOption } from '../args.ts';
import { loadCommandConfig } from '../config-file.ts';
import { inputProblem, runInputs } from '../detect-run.ts';
import { openInputs } from '../input-files.ts';
import { type CliCommand, EXIT_OK, EXIT_USAGE, strictByDefault } from '../io.ts';
import { type InputFlags, parseInputFlag, STDIN_TTY_MESSAGE } from './input-args.ts';
import { RENDER_DIGEST_USAGE, runRenderDigest } from './render-digest.ts';

/**
 * `kubeguard render alert [--config FILE] [--lenient] [--cluster NAME] [--per-detection] [FILE...]`:
 * what Slack would receive for the whole input (anything `kubeguard detect` reads, streamed the same
 * way), so teams can preview alerts. By default one JSON line per incident — the detections of one
 * actor on one target, every rule that reported them folded in (decision D19) — with its counts and
 * the message the bot would post: `{fingerprint, severity, ratedBy, rules, occurrences, eventIds,
 * channel, message}`; an incident routing keeps quiet (LOW, no route opts in) has `quiet: true` and
 * no message. Grouping needs every detection, so the detections are kept (never the input text).
 * `--per-detection` prints one line per detection as its own alert, `{eventId, ruleId, message}`, as
 * each is found. Routing comes from the configuration (default ./kubeguard.config.json when it exists).
 */
const ALERT_USAGE =
  'kubeguard render alert [--config FILE] [--lenient] [--cluster NAME] [--per-detection] [--strict|--no-strict] [FILE...]';
const USAGE = `${ALERT_USAGE}\n       ${RENDER_DIGEST_USAGE}`;

const HELP = [
  ALERT_USAGE,
  `       ${RENDER_DIGEST_USAGE}`,
  '',
  'render alert: the Slack message of each incident of the input, as the bot would post it. Reads',
  'FILE... (or standard input: no FILE, or "-") as `kubeguard detect` does: every shape, any size.',
  '',
  'Options (render alert):',
  '  --config FILE      routing and rule settings; default ./kubeguard.config.json when it exists',
  '  --lenient          accept trimmed audit events without apiVersion, auditID or verb (test traces)',
  '  --cluster NAME     cluster name for audit events that do not come with one',
  '  --per-detection    one alert per detection ({eventId, ruleId, message}) instead of per incident',
  '  --strict           exit 2 when any record is malformed or an input is unreadable; default when CI=true',
  '  --no-strict        report malformed records and go on (the default outside CI)',
  '  -h, --help         this help',
  '',
  'render digest: see the digest section of docs/cli.md.',
  '',
  'Exit codes (render alert):',
  '  0  the alerts were rendered (incidents or none)',
  '  2  bad arguments; standard input is a terminal and no FILE was given; input that produced nothing',
  '     usable (empty, nothing parseable, every record malformed, binary); with --strict, any malformed',
  '     record or unreadable input',
].join('\n');

const OPTIONS = [
  '--config',
  '--lenient',
  '--cluster',
  '--per-detection',
  '--strict',
  '--no-strict',
  '--help',
] as const;

interface RenderOptions extends InputFlags {
  perDetection: boolean;
}

function parseArgs(args: readonly string[]): RenderOptions | { usage: string } {
  const [what, ...rest] = args;
  if (what !== 'alert') {
    return {
      usage: `render needs what to render: "alert" or "digest"; received ${what === undefined ? 'nothing' : JSON.stringify(what)}`,
    };
  }
  const options: RenderOptions = { lenient: false, perDetection: false, files: [] };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    const at = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = at === -1 ? arg : arg.slice(0, at);
    const inlineValue = at === -1 ? undefined : arg.slice(at + 1);
    if (flag === '--') {
      options.files.push(...rest.slice(i + 1));
      break;
    }
    if (flag === '--per-detection' && inlineValue === undefined) {
      options.perDetection = true;
      continue;
    }
    const input = parseInputFlag(flag, inlineValue, () => inlineValue ?? rest[++i], options);
    if (input === 'unknown') {
      if (arg.startsWith('-') && arg !== '-') return { usage: unknownOption(arg, OPTIONS) };
      options.files.push(arg);
    } else if (input !== 'ok') return input;
  }
  return options;
}

export const renderCommand: CliCommand = {
  name: 'render',
  usage: HELP,
  options: OPTIONS,
  run: async (args, io) => {
    if (args[0] === 'digest') return runRenderDigest(args.slice(1), io);
    const options = parseArgs(args);
    if ('usage' in options) {
      io.stderr(`kubeguard render: ${options.usage}\nUsage: ${USAGE}\n`);
      return EXIT_USAGE;
    }
    if (io.stdinIsTTY && (options.files.length === 0 || options.files.includes('-'))) {
      if (options.files.length === 0) {
        io.stderr(`kubeguard render: ${STDIN_TTY_MESSAGE}\nUsage: ${ALERT_USAGE}\n`);
        return EXIT_USAGE;
      }
      io.stderr('kubeguard render: reading audit events from the terminal ("-"); Ctrl-D ends\n');
    }
    const config = await loadCommandConfig(options.configFile, io);
    if ('error' in config) {
      io.stderr(`kubeguard render: ${config.error}\n`);
      return EXIT_USAGE;
    }
    const inputs = await openInputs(options.files, io);
    if ('unreadable' in inputs) {
      io.stderr(`kubeguard render: ${inputs.unreadable}\n`);
      return EXIT_USAGE;
    }
    const now = new Date().toISOString();
    // Exactly what the finding pipeline stores: bounded detections (kept only to group incidents).
    const detections: Detection[] = [];
    const totals = await runInputs(
      inputs,
      {
        now,
        config: config.detection,
        lenient: options.lenient,
        ...(options.cluster === undefined ? {} : { cluster: options.cluster }),
      },
      io,
      ({ detection }) => {
        const bounded = boundDetection(detection);
        if (!options.perDetection) {
          detections.push(bounded);
          return;
        }
        const message = renderFindingAlert(openFinding(bounded, now), config.slack, config.accounts);
        io.stdout(`${JSON.stringify({ eventId: bounded.eventId, ruleId: bounded.ruleId, message })}\n`);
      },
    );
    const problem = inputProblem(totals, options.strict ?? strictByDefault(io.env));
    if (options.perDetection) {
      io.stderr(`alerts rendered: ${totals.detections}\n`);
    } else {
      const incidents = await incidentsOfBatch(
        detections,
        { now, channelFor: (detection) => routeDetection(detection, config.slack).channel },
        config.incidents,
      );
      let quiet = 0;
      for (const incident of incidents) {
        if (incident.finding.delivery.state === 'quiet') quiet += 1;
        io.stdout(`${JSON.stringify(incidentLine(incident, config))}\n`);
      }
      io.stderr(
        `incidents: ${incidents.length} (alerts rendered: ${incidents.length - quiet}, quiet: ${quiet}) from ${detections.length} detections\n`,
      );
    }
    if (problem !== undefined) {
      io.stderr(`kubeguard render: ${problem}\n`);
      return EXIT_USAGE;
    }
    return EXIT_OK;
  },
};

/** One incident as the bot would record it and, unless it stays quiet, post it. */
function incidentLine(
  { finding, detections }: BatchIncident,
  config: KubeguardConfig,
): Record<string, unknown> {
  const rules = rankedIncidentRules(finding);
  const line: Record<string, unknown> = {
    fingerprint: finding.fingerprint,
    severity: incidentSeverity(finding),
    ratedBy: ratedBy(rules),
    rules: rules.map((rule) => ({
      ruleId: rule.ruleId,
      ...(rule.findingType === undefined ? {} : { findingType: rule.findingType }),
      severity: rule.severity,
      occurrences: rule.occurrences,
    })),
    occurrences: finding.occurrences,
    eventIds: detections.map((detection) => detection.eventId),
  };
  if (finding.delivery.state === 'quiet') return { ...line, channel: null, quiet: true };
  return {
    ...line,
    channel: finding.delivery.channel,
    message: renderFindingAlert(finding, config.slack, config.accounts),
  };
}
