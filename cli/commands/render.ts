import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type KubeguardConfig, parseConfig } from '#core/config/schema.ts';
import { InMemoryDenialCounter } from '#core/detection/burst.ts';
import { asKubeguardError } from '#core/errors.ts';
import { boundDetection } from '#core/findings/bound.ts';
import { type BatchIncident, incidentsOfBatch } from '#core/findings/record.ts';
import { renderFindingAlert } from '#core/findings/render.ts';
import { analyzeInput } from '#core/ingest/detect-input.ts';
import type { Detection } from '#core/model/detection.ts';
import { incidentSeverity, openFinding, rankedIncidentRules } from '#core/model/finding.ts';
import { ratedBy } from '#core/model/incident.ts';
import { routeDetection } from '#core/routing.ts';
import { printable, readInputs } from '../input-files.ts';
import { type CliCommand, type CliIo, EXIT_USAGE } from '../io.ts';
import { RENDER_DIGEST_USAGE, runRenderDigest } from './render-digest.ts';

/**
 * `kubeguard render alert [--config FILE] [--lenient] [--cluster NAME] [--per-detection] [FILE...]`:
 * what Slack would receive for the whole input (anything `kubeguard detect` reads), so teams can
 * preview alerts. By default one JSON line per incident — the detections of one actor on one target,
 * every rule that reported them folded in (decision D19) — with its counts and the message the bot
 * would post: `{fingerprint, severity, ratedBy, rules, occurrences, eventIds, channel, message}`; an
 * incident routing keeps quiet (LOW, no route opts in) has `quiet: true` and no message.
 * `--per-detection` prints one line per detection as its own alert, `{eventId, ruleId, message}`.
 * Routing comes from the configuration (default ./kubeguard.config.json when it exists).
 */
const ALERT_USAGE =
  'kubeguard render alert [--config FILE] [--lenient] [--cluster NAME] [--per-detection] [FILE...]   (no FILE: stdin)';
const USAGE = `${ALERT_USAGE}\n       ${RENDER_DIGEST_USAGE}`;

interface RenderOptions {
  configFile?: string;
  lenient: boolean;
  perDetection: boolean;
  cluster?: string;
  files: string[];
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
    if (arg === '--config' || arg === '--cluster') {
      const value = rest[++i];
      if (value === undefined || value === '') return { usage: `${arg} needs a value` };
      if (arg === '--config') options.configFile = value;
      else options.cluster = value;
    } else if (arg === '--lenient') {
      options.lenient = true;
    } else if (arg === '--per-detection') {
      options.perDetection = true;
    } else if (arg.startsWith('-') && arg !== '-') {
      return { usage: `unknown option ${JSON.stringify(arg)}` };
    } else {
      options.files.push(arg);
    }
  }
  return options;
}

/** The routing configuration: the named file, ./kubeguard.config.json, or a neutral default. */
async function loadSlackConfig(
  options: RenderOptions,
  io: CliIo,
): Promise<KubeguardConfig | { error: string }> {
  const path = resolve(io.cwd, options.configFile ?? 'kubeguard.config.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (options.configFile !== undefined) {
      return {
        error: `cannot read ${JSON.stringify(options.configFile)} (${(error as NodeJS.ErrnoException).code})`,
      };
    }
    return parseConfig({
      clusters: [{ name: 'preview', region: 'us-east-1' }],
      slack: { defaultChannel: '#kubeguard-alerts' },
    });
  }
  try {
    return parseConfig(JSON.parse(text), path);
  } catch (error) {
    return { error: asKubeguardError(error).message };
  }
}

export const renderCommand: CliCommand = {
  name: 'render',
  summary:
    'Preview what Slack would receive: the alert for each incident of the input, or a digest and its chart',
  usage: USAGE,
  run: async (args, io) => {
    if (args[0] === 'digest') return runRenderDigest(args.slice(1), io);
    const options = parseArgs(args);
    if ('usage' in options) {
      io.stderr(`kubeguard render: ${options.usage}\nUsage: ${USAGE}\n`);
      return EXIT_USAGE;
    }
    const config = await loadSlackConfig(options, io);
    if ('error' in config) {
      io.stderr(`kubeguard render: ${config.error}\n`);
      return EXIT_USAGE;
    }
    const inputs = await readInputs(options.files, io);
    if ('unreadable' in inputs) {
      io.stderr(`kubeguard render: ${inputs.unreadable}\n`);
      return EXIT_USAGE;
    }
    const now = new Date().toISOString();
    const counter = new InMemoryDenialCounter();
    const detections: Detection[] = [];
    for (const input of inputs) {
      const analysis = await analyzeInput(input.text, {
        now,
        counter,
        config: config.detection,
        lenient: options.lenient,
        cluster: options.cluster,
      });
      // Exactly what the finding pipeline stores: bounded detections.
      for (const { detection } of analysis.detections) detections.push(boundDetection(detection));
      for (const bad of analysis.malformed)
        io.stderr(`${printable(`${input.name}:${bad.line}: malformed: ${bad.reason}`)}\n`);
    }
    if (options.perDetection) {
      for (const detection of detections) {
        const message = renderFindingAlert(openFinding(detection, now), config.slack);
        io.stdout(`${JSON.stringify({ eventId: detection.eventId, ruleId: detection.ruleId, message })}\n`);
      }
      io.stderr(`alerts rendered: ${detections.length}\n`);
      return 0;
    }
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
    return 0;
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
  return { ...line, channel: finding.delivery.channel, message: renderFindingAlert(finding, config.slack) };
}
