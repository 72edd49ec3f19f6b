import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { esbuildBuildOptions, LAMBDA_BUNDLE } from '../../infra/constructs/lambda-bundle.ts';
import { FUNCTION_ENTRIES } from '../../infra/stacks/stateless-stack.ts';
import type { BenchSuite, Figure } from '../figure.ts';

/**
 * Each Lambda bundle built exactly as the CDK app builds it (the same options object), then its size
 * and the time a fresh Node process takes to import it: the part of a cold start the code controls.
 */
const IMPORT_RUNS = 5;

interface BundleTarget {
  /** Upper bound on the minified bundle, in KB. */
  sizeKb?: number;
  /** Upper bound on the median import time, in ms. */
  importMs?: number;
}

/** From the roadmap; functions without a target are reported for information. */
const TARGETS: Record<string, BundleTarget> = {
  'audit-logs': { sizeKb: 300 },
  // The Slack ingress function (bot) will be held to < 2 MB and < 250 ms when it lands.
};

const FUNCTIONS: Record<string, string> = {
  'guardduty-findings': FUNCTION_ENTRIES.guardDutyFindings,
  'audit-logs': FUNCTION_ENTRIES.auditLogs,
  delivery: FUNCTION_ENTRIES.delivery,
  'posture-audit': FUNCTION_ENTRIES.postureAudit,
};

export const suite: BenchSuite = {
  name: 'bundles',
  run: async () => {
    const figures: Figure[] = [];
    for (const [name, entry] of Object.entries(FUNCTIONS)) figures.push(...(await measure(name, entry)));
    return figures;
  },
};

async function measure(name: string, entry: string): Promise<Figure[]> {
  const outdir = mkdtempSync(join(tmpdir(), `kubeguard-bench-${name}-`));
  try {
    await build({ ...esbuildBuildOptions(entry, outdir), logLevel: 'silent' });
    const bundlePath = join(outdir, LAMBDA_BUNDLE.outputFile);
    const bundle = readFileSync(bundlePath);
    const target = TARGETS[name] ?? {};
    return [
      {
        name: `${name} bundle`,
        value: Math.round(bundle.length / 1024),
        unit: 'KB',
        target: target.sizeKb === undefined ? '' : `< ${target.sizeKb} KB`,
      },
      {
        name: `${name} bundle gzip`,
        value: Math.round(gzipSync(bundle, { level: 9 }).length / 1024),
        unit: 'KB',
        target: '',
      },
      {
        name: `${name} import (median of ${IMPORT_RUNS})`,
        value: round(medianImportMs(bundlePath)),
        unit: 'ms',
        target: target.importMs === undefined ? '' : `< ${target.importMs} ms`,
      },
    ];
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * Imports the bundle in fresh Node processes, with the NODE_OPTIONS the function runs with (after one
 * warm-up for the file cache); returns the median.
 */
function medianImportMs(bundlePath: string): number {
  const script =
    'const start = performance.now(); await import(process.argv[1]); ' +
    'process.stdout.write(String(performance.now() - start));';
  const url = pathToFileURL(bundlePath).href;
  const run = () => {
    const child = spawnSync(
      process.execPath,
      [...LAMBDA_BUNDLE.nodeOptions.split(' '), '--input-type=module', '-e', script, url],
      {
        encoding: 'utf8',
      },
    );
    if (child.status !== 0) throw new Error(`importing ${bundlePath} failed:\n${child.stderr}`);
    return Number(child.stdout);
  };
  run();
  const times = Array.from({ length: IMPORT_RUNS }, run).sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
