import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import {
  CODE_SPLIT_FUNCTIONS,
  esbuildBuildOptions,
  esbuildSplitBuildOptions,
  LAMBDA_BUNDLE,
  outputsReadAtLoad,
} from '../../infra/constructs/lambda-bundle.ts';
import { FUNCTION_ENTRIES } from '../../infra/stacks/stateless-stack.ts';
import { type BenchSuite, type Figure, verdict } from '../figure.ts';

/**
 * Each Lambda bundle built exactly as the CDK app builds it (the same options object), then its size
 * and the time a fresh Node process takes to import it: the part of a cold start the code controls.
 * Three imports after one warm-up keep the suite under a minute and a half for eight functions.
 */
const IMPORT_RUNS = 3;

interface BundleTarget {
  /**
   * Upper bound on the minified code compiled at load, in MB (MiB, as esbuild and the Lambda console
   * count): the one file, or for a split function (CODE_SPLIT_FUNCTIONS) the entry and the chunks it
   * imports statically ("code loaded at import"), since the chunks imported on first use are neither
   * read nor compiled at load. A split function's total code is reported beside it with no target.
   */
  sizeMb?: number;
  /** Upper bound on the median import time, in ms. */
  importMs?: number;
  /** Bundle inputs (esbuild metafile paths) of code the function never runs: there must be none. */
  neverRuns?: RegExp;
}

/**
 * Sizes from the roadmap (the ingest functions < 300 KB); import times and the code a function never
 * runs from D30: an event-driven function imports in < 200 ms (all three took 235–283 ms, back to
 * back with today's, when every function bundled every adapter); ingest never carries Slack, the AWS
 * SDK clients or a YAML parser, and delivery never carries the rules it only quotes. Posture audit's
 * targets are issue 15's (D56: it was 2.4 MB with client-node and undici, which no function loads since
 * the functions reach EKS over node:https). The other targets were set from the sizes measured when
 * that one was met, the Powertools tracer included, with ~10-25 % headroom rather than from a wish:
 * delivery 0.36 MB, digest 0.34 MB, alarm-notifier 0.16 MB, slack-ingress 0.38 MB, action-worker
 * 1.9 MB (its netpol engine's full zod build is 0.45 MB of that; the rest of kubeguard uses zod/mini).
 * Import targets of 200 ms (250 ms for the ingress, 300 ms for the action worker, which loads the
 * remediation engine) are for an idle machine: on a loaded one every import takes 2-4 times longer.
 * The size targets bound what a function compiles at load (`BundleTarget.sizeMb`): for the split
 * functions, posture audit and action worker, that is the code loaded at import, not every chunk.
 */
const INGEST_NEVER_RUNS =
  /node_modules\/(@slack\/|@aws-sdk\/client-|@aws-sdk\/lib-|yaml\/)|core\/slack-views\//;
/** Reaching EKS needs node:https, a CA and a bearer token (adapters/kubernetes/eks-access.ts), never these. */
const KUBE_CLIENT_NEVER_RUNS = /node_modules\/(@kubernetes\/client-node|undici|ws|socks|js-yaml)\//;
const TARGETS: Record<string, BundleTarget> = {
  'audit-logs': { sizeMb: 0.3, importMs: 200, neverRuns: INGEST_NEVER_RUNS },
  'guardduty-findings': {
    sizeMb: 0.3,
    importMs: 200,
    neverRuns:
      /node_modules\/(@slack\/|@aws-sdk\/client-|@aws-sdk\/lib-|yaml\/)|core\/slack-views\/|core\/detection\/rules\//,
  },
  delivery: {
    sizeMb: 0.4,
    importMs: 200,
    neverRuns: /node_modules\/(@aws-sdk\/client-|@aws-sdk\/lib-|yaml\/)|core\/detection\/rules\//,
  },
  // It acks every Slack request within 3 s, cold starts included (issue 11); only the action worker
  // talks to clusters.
  'slack-ingress': {
    sizeMb: 0.5,
    importMs: 250,
    neverRuns: /node_modules\/@kubernetes\/client-node\/|adapters\/kubernetes\//,
  },
  'posture-audit': { sizeMb: 1.5, importMs: 200, neverRuns: KUBE_CLIENT_NEVER_RUNS },
  // Inspector and EKS SDK clients and STS (member roles) are its job: 0.54 MB measured when added
  // (D63); never Slack, a YAML parser, the detection rules or client-node.
  'image-findings': {
    sizeMb: 0.65,
    importMs: 250,
    neverRuns: new RegExp(
      `${KUBE_CLIENT_NEVER_RUNS.source}|node_modules/(@slack/|yaml/)|core/slack-views/|core/detection/rules/`,
    ),
  },
  'action-worker': { sizeMb: 2, importMs: 300, neverRuns: KUBE_CLIENT_NEVER_RUNS },
  digest: { sizeMb: 0.4, importMs: 200, neverRuns: KUBE_CLIENT_NEVER_RUNS },
  'alarm-notifier': { sizeMb: 0.2, importMs: 200, neverRuns: KUBE_CLIENT_NEVER_RUNS },
};

/**
 * Every function the CDK app deploys, by its folder under lambdas/, else by its entry's key in kebab
 * case: the stateless stack's entries, and every other `lambdas/<name>/handler.ts` (functions other
 * constructs deploy, such as the alarm notifier), so a new function is measured without editing this.
 */
const LAMBDAS_DIR = fileURLToPath(new URL('../../lambdas/', import.meta.url));
const FUNCTIONS: Record<string, string> = {
  ...Object.fromEntries(
    readdirSync(LAMBDAS_DIR)
      .filter((name) => existsSync(join(LAMBDAS_DIR, name, 'handler.ts')))
      .map((name) => [name, join(LAMBDAS_DIR, name, 'handler.ts')]),
  ),
  ...Object.fromEntries(
    Object.entries(FUNCTION_ENTRIES).map(([key, entry]) => [
      /\/lambdas\/[^/]+\/handler\.ts$/.test(entry)
        ? basename(dirname(entry))
        : key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`),
      entry,
    ]),
  ),
};

export const suite: BenchSuite = {
  name: 'lambda-bundles',
  run: async () => {
    const figures: Figure[] = [];
    for (const [name, entry] of Object.entries(FUNCTIONS)) figures.push(...(await measure(name, entry)));
    return figures;
  },
};

async function measure(name: string, entry: string): Promise<Figure[]> {
  const outdir = mkdtempSync(join(tmpdir(), `kubeguard-bench-${name}-`));
  try {
    // The options the CDK app deploys with (one file, or code-split for CODE_SPLIT_FUNCTIONS); the
    // metafile lists the inputs and outputs without changing the output.
    const split = CODE_SPLIT_FUNCTIONS.includes(name);
    const options = split ? esbuildSplitBuildOptions(entry, outdir) : esbuildBuildOptions(entry, outdir);
    const result = await build({ ...options, metafile: true, logLevel: 'silent' });
    const bundlePath = join(outdir, LAMBDA_BUNDLE.outputFile);
    // The size is all the code deployed: the one file, or the entry and every chunk (not the maps).
    const code = Object.keys(result.metafile.outputs).filter((output) => output.endsWith('.mjs'));
    const bundle = Buffer.concat(code.map((output) => readFileSync(output)));
    const target = TARGETS[name] ?? {};
    const sizeMb = Math.round((bundle.length / 1024 / 1024) * 1000) / 1000;
    const importMs = round(medianImportMs(bundlePath));
    const sizeTarget = (mb: number) =>
      target.sizeMb === undefined ? '' : verdict(`< ${target.sizeMb} MB`, mb < target.sizeMb);
    const figures: Figure[] = [
      {
        name: split ? `${name} bundle (all chunks)` : `${name} bundle`,
        value: sizeMb,
        unit: 'MB',
        target: split ? '' : sizeTarget(sizeMb),
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
    if (split) {
      const atLoad = outputsReadAtLoad(result.metafile.outputs, bundlePath);
      const bytes = atLoad.reduce((sum, output) => sum + (result.metafile.outputs[output]?.bytes ?? 0), 0);
      const loadedMb = Math.round((bytes / 1024 / 1024) * 1000) / 1000;
      figures.push({
        name: `${name} code loaded at import (${atLoad.length} of ${code.length} files)`,
        value: loadedMb,
        unit: 'MB',
        target: sizeTarget(loadedMb),
      });
    }
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
