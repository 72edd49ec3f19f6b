import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createResvgRasterizer } from '#adapters/chart/png.ts';
import { parseConfig } from '#core/config/schema.ts';
import type { Suppression } from '#core/detection/config.ts';
import { renderTrendChart } from '#core/digest/chart.ts';
import { gatherDigest } from '#core/digest/gather.ts';
import { parseDigestHistoryFile } from '#core/digest/history-file.ts';
import { periodEndingAt } from '#core/digest/schedule.ts';
import { staticDigestSources } from '#core/digest/sources.ts';
import { DEFAULT_DIGEST_SETTINGS, type DigestSettings } from '#core/digest/subscriptions.ts';
import { asKubeguardError } from '#core/errors.ts';
import { buildDigestMessage } from '#core/slack-views/digest.ts';
import { unknownOption } from '../args.ts';
import { type CliIo, EXIT_USAGE } from '../io.ts';

/**
 * `kubeguard render digest --history FILE [--out DIR] [--config FILE]`: the digest a subscriber would
 * get, without AWS or Slack. Prints one JSON document — the period, the digest's figures and the
 * Slack message — and writes the chart as `digest-chart.png` in DIR (default: the current directory).
 * The history file's format is in docs/digests.md; test/fixtures/digest/history.json is an example.
 */
export const RENDER_DIGEST_USAGE = 'kubeguard render digest --history FILE [--out DIR] [--config FILE]';
export const RENDER_DIGEST_OPTIONS = ['--history', '--out', '--config'] as const;

export const RENDER_DIGEST_OPTIONS_HELP = [
  'Options of render digest:',
  '  --history FILE  the posture history and findings to build the digest from (format: docs/digests.md)',
  '  --out DIR       where the chart is written as digest-chart.png (default: the current directory)',
  '  --config FILE   a kubeguard.config.json: digest settings and suppressions (default: none)',
].join('\n');

export const DIGEST_CHART_FILE = 'digest-chart.png';

interface Options {
  history?: string;
  out: string;
  config?: string;
}

function parseArgs(args: readonly string[]): Options | { usage: string } {
  const options: Options = { out: '.' };
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] as string;
    if (arg !== '--history' && arg !== '--out' && arg !== '--config')
      return { usage: unknownOption(arg, RENDER_DIGEST_OPTIONS) };
    const value = args[++i];
    if (value === undefined || value === '') return { usage: `${arg} needs a value` };
    if (arg === '--history') options.history = value;
    else if (arg === '--out') options.out = value;
    else options.config = value;
  }
  return options.history === undefined ? { usage: 'render digest needs --history FILE' } : options;
}

export async function runRenderDigest(args: readonly string[], io: CliIo): Promise<number> {
  const options = parseArgs(args);
  if ('usage' in options || options.history === undefined) {
    io.stderr(
      `kubeguard render: ${'usage' in options ? options.usage : ''}\nUsage: ${RENDER_DIGEST_USAGE}\n`,
    );
    return EXIT_USAGE;
  }
  try {
    const { settings, suppressions } = await loadConfig(options.config, io);
    const path = resolve(io.cwd, options.history);
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(path, 'utf8'));
    } catch (error) {
      io.stderr(
        `kubeguard render: cannot read ${JSON.stringify(options.history)} as JSON (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})\n`,
      );
      return EXIT_USAGE;
    }
    const file = parseDigestHistoryFile(raw, settings.ownerLabel, options.history);
    const period = periodEndingAt(file.frequency, file.at ?? new Date().toISOString());
    const content = await gatherDigest(
      staticDigestSources({
        history: file.history,
        findings: file.findings,
        trail: file.trail,
        facts: file.facts,
      }),
      period,
      { clusters: file.clusters, suppressions: file.suppressions ?? suppressions },
    );
    const chart = renderTrendChart(content.clusters);
    const outDir = resolve(io.cwd, options.out);
    await mkdir(outDir, { recursive: true });
    const chartPath = join(outDir, DIGEST_CHART_FILE);
    await writeFile(chartPath, await createResvgRasterizer().png(chart));
    const message = buildDigestMessage(content, { chart: true });
    io.stdout(
      `${JSON.stringify({ period, digest: content, message, chart: { file: chartPath, width: chart.width, height: chart.height, altText: chart.altText } }, null, 2)}\n`,
    );
    io.stderr(`digest of ${content.clusters.length} clusters rendered; chart written to ${chartPath}\n`);
    return 0;
  } catch (error) {
    io.stderr(`kubeguard render: ${asKubeguardError(error).message}\n`);
    return EXIT_USAGE;
  }
}

/** The digest settings and configured suppressions: from --config, ./kubeguard.config.json, or defaults. */
async function loadConfig(
  file: string | undefined,
  io: CliIo,
): Promise<{ settings: DigestSettings; suppressions: readonly Suppression[] }> {
  const path = resolve(io.cwd, file ?? 'kubeguard.config.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (file !== undefined)
      throw new Error(`cannot read ${JSON.stringify(file)} (${(error as NodeJS.ErrnoException).code})`);
    return { settings: DEFAULT_DIGEST_SETTINGS, suppressions: [] };
  }
  const config = parseConfig(JSON.parse(text), path);
  return { settings: config.digest, suppressions: config.detection.suppressions };
}
