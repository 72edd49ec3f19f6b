import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type KubeguardConfig, parseConfig } from '#core/config/schema.ts';
import { InMemoryDenialCounter } from '#core/detection/burst.ts';
import { asKubeguardError } from '#core/errors.ts';
import { boundDetection } from '#core/findings/bound.ts';
import { renderFindingAlert } from '#core/findings/render.ts';
import { analyzeInput } from '#core/ingest/detect-input.ts';
import { openFinding } from '#core/model/finding.ts';
import { printable, readInputs } from '../input-files.ts';
import { type CliCommand, type CliIo, EXIT_USAGE } from '../io.ts';

/**
 * `kubeguard render alert [--config FILE] [--lenient] [--cluster NAME] [FILE...]`: for every
 * detection in the input (anything `kubeguard detect` reads), the exact Slack payload the bot would
 * post for it as a new finding — one JSON line `{eventId, ruleId, message: {text, blocks}}` — so
 * teams can preview alerts. Routing mentions come from the configuration (default
 * ./kubeguard.config.json when it exists).
 */
const USAGE =
  'kubeguard render alert [--config FILE] [--lenient] [--cluster NAME] [FILE...]   (no FILE: stdin)';

interface RenderOptions {
  configFile?: string;
  lenient: boolean;
  cluster?: string;
  files: string[];
}

function parseArgs(args: readonly string[]): RenderOptions | { usage: string } {
  const [what, ...rest] = args;
  if (what !== 'alert') {
    return {
      usage: `render needs what to render: "alert"; received ${what === undefined ? 'nothing' : JSON.stringify(what)}`,
    };
  }
  const options: RenderOptions = { lenient: false, files: [] };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    if (arg === '--config' || arg === '--cluster') {
      const value = rest[++i];
      if (value === undefined || value === '') return { usage: `${arg} needs a value` };
      if (arg === '--config') options.configFile = value;
      else options.cluster = value;
    } else if (arg === '--lenient') {
      options.lenient = true;
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
  summary: 'Print the Slack alert payload the bot would post for each detection (preview)',
  usage: USAGE,
  run: async (args, io) => {
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
    let rendered = 0;
    for (const input of inputs) {
      const analysis = await analyzeInput(input.text, {
        now,
        counter,
        config: config.detection,
        lenient: options.lenient,
        cluster: options.cluster,
      });
      for (const { detection } of analysis.detections) {
        // Exactly what the finding pipeline posts for a new finding: bounded, then rendered.
        const message = renderFindingAlert(openFinding(boundDetection(detection), now), config.slack);
        io.stdout(`${JSON.stringify({ eventId: detection.eventId, ruleId: detection.ruleId, message })}\n`);
        rendered += 1;
      }
      for (const bad of analysis.malformed)
        io.stderr(`${printable(`${input.name}:${bad.line}: malformed: ${bad.reason}`)}\n`);
    }
    io.stderr(`alerts rendered: ${rendered}\n`);
    return 0;
  },
};
