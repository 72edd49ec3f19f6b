import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { esbuildBuildOptions, LAMBDA_BUNDLE } from '../../infra/constructs/lambda-bundle.ts';
import { FUNCTION_ENTRIES } from '../../infra/stacks/stateless-stack.ts';
import { type BenchSuite, type Figure, verdict } from '../figure.ts';

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
  /** Bundle inputs (esbuild metafile paths) of code the function never runs: there must be none. */
  neverRuns?: RegExp;
}

/**
 * Sizes from the roadmap (the ingest functions < 300 KB); import times and the code a function never
 * runs from D30: an event-driven function imports in < 200 ms (all three took 235–283 ms, back to
 * back with today's, when every function bundled every adapter); ingest never carries Slack, the AWS
 * SDK clients or a YAML parser, and delivery never carries the rules it only quotes.
 */
const INGEST_NEVER_RUNS =
  /node_modules\/(@slack\/|@aws-sdk\/client-|@aws-sdk\/lib-|yaml\/)|core\/slack-views\//;
const TARGETS: Record<string, BundleTarget> = {
  'audit-logs': { sizeKb: 300, importMs: 200, neverRuns: INGEST_NEVER_RUNS },
  'guardduty-findings': {
    sizeKb: 300,
    importMs: 200,
    neverRuns:
      /node_modules\/(@slack\/|@aws-sdk\/client-|@aws-sdk\/lib-|yaml\/)|core\/slack-views\/|core\/detection\/rules\//,
  },
  delivery: {
    importMs: 200,
    neverRuns: /node_modules\/(@aws-sdk\/client-|@aws-sdk\/lib-|yaml\/)|core\/detection\/rules\//,
  },
  // It acks every Slack request within 3 s, cold starts included (issue 11); only the action worker
  // talks to clusters.
  'slack-ingress': {
    sizeKb: 2048,
    importMs: 250,
    neverRuns: /node_modules\/@kubernetes\/client-node\/|adapters\/kubernetes\//,
  },
};

/** Every function the CDK app deploys: by its folder under lambdas/, else by its entry's key in kebab case. */
const FUNCTIONS: Record<string, string> = Object.fromEntries(
  Object.entries(FUNCTION_ENTRIES).map(([key, entry]) => [
    /\/lambdas\/[^/]+\/handler\.ts$/.test(entry)
      ? basename(dirname(entry))
      : key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`),
    entry,
  ]),
);

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
    // The options the CDK app deploys with; the metafile lists the inputs without changing the output.
    const result = await build({ ...esbuildBuildOptions(entry, outdir), metafile: true, logLevel: 'silent' });
    const bundlePath = join(outdir, LAMBDA_BUNDLE.outputFile);
    const bundle = readFileSync(bundlePath);
    const target = TARGETS[name] ?? {};
    const sizeKb = Math.round(bundle.length / 1024);
    const importMs = round(medianImportMs(bundlePath));
    const figures: Figure[] = [
      {
        name: `${name} bundle`,
        value: sizeKb,
        unit: 'KB',
        target: target.sizeKb === undefined ? '' : verdict(`< ${target.sizeKb} KB`, sizeKb < target.sizeKb),
      },
      {
        name: `${name} bundle gzip`,
        value: Math.round(gzipSync(bundle, { level: 9 }).length / 1024),
        unit: 'KB',
        target: '',
      },
      {
        name: `${name} import (median of ${IMPORT_RUNS})`,
        value: importMs,
        unit: 'ms',
        target:
          target.importMs === undefined ? '' : verdict(`< ${target.importMs} ms`, importMs < target.importMs),
      },
    ];
    if (target.neverRuns !== undefined) {
      const pattern = target.neverRuns;
      const inputs = Object.keys(result.metafile.inputs).filter((input) => pattern.test(input));
      figures.push({
        name: `${name} modules it never runs`,
        value: inputs.length,
        unit: 'modules',
        target: verdict('= 0', inputs.length === 0),
      });
    }
    return figures;
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
