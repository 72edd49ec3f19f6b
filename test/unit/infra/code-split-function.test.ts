import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '#core/errors.ts';
import { CHART_FILES } from '#infra/constructs/digest.ts';
import { KubeguardFunction } from '#infra/constructs/kubeguard-function.ts';
import {
  CODE_SPLIT_FUNCTIONS,
  copyBesideReaders,
  esbuildSplitBuildOptions,
  LAMBDA_BUNDLE,
} from '#infra/constructs/lambda-bundle.ts';
import { FUNCTION_ENTRIES } from '#infra/stacks/stateless-stack.ts';
import type { CfnResource } from './synth.ts';

/**
 * The posture audit is deployed code-split (D56): the construct's asset is exactly the split build
 * (`esbuildSplitBuildOptions`, the options `npm run bench` measures), entry index.mjs, and the
 * function keeps what every kubeguard function has (Node 24, ESM, handler, NODE_OPTIONS, tracing).
 */

const tmp = mkdtempSync(join(tmpdir(), 'kubeguard-code-split-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let fn: CfnResource;
let assetDir: string;
let workerAssetDir: string;
beforeAll(() => {
  const app = new App({
    outdir: join(tmp, 'cdk.out'),
    context: { 'aws:cdk:enable-asset-metadata': true },
  });
  const stack = new Stack(app, 'CodeSplit');
  new KubeguardFunction(stack, 'PostureAudit', {
    name: 'posture-audit',
    entry: FUNCTION_ENTRIES.postureAudit,
    description: 'posture audit',
    configJson: '{}',
  });
  // A second split function in the same app, with the files it reads beside its code: CDK caches a
  // bundled asset by its options, which must tell the two builds apart.
  new KubeguardFunction(stack, 'ActionWorker', {
    name: 'action-worker',
    entry: FUNCTION_ENTRIES.actionWorker,
    description: 'action worker',
    configJson: '{}',
    files: CHART_FILES,
  });
  const assembly = app.synth();
  const functions = Object.values(
    Template.fromStack(stack).findResources('AWS::Lambda::Function'),
  ) as CfnResource[];
  const byService = (service: string) => {
    const found = functions.find(
      (candidate) =>
        (candidate.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables
          ?.POWERTOOLS_SERVICE_NAME === service,
    );
    const assetPath = found?.Metadata?.['aws:asset:path'];
    if (found === undefined || typeof assetPath !== 'string')
      throw new Error(`${service} has no asset metadata`);
    return { found, dir: join(assembly.directory, assetPath) };
  };
  const audit = byService('kubeguard-posture-audit');
  fn = audit.found;
  assetDir = audit.dir;
  workerAssetDir = byService('kubeguard-action-worker').dir;
}, 180_000);

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

describe('a code-split KubeguardFunction (the posture audit)', () => {
  it('is listed as deployed code-split', () => {
    expect(CODE_SPLIT_FUNCTIONS).toContain('posture-audit');
  });

  it('deploys exactly the split build: index.mjs, its chunks and their source maps', async () => {
    // Beside the asset, as deep as CDK's bundling directory: the source maps name the sources by
    // relative path, and the chunks' names hash their maps.
    const outdir = join(tmp, 'cdk.out', 'split-build');
    await build({ ...esbuildSplitBuildOptions(FUNCTION_ENTRIES.postureAudit, outdir), logLevel: 'silent' });

    const deployed = filesUnder(assetDir);
    expect(deployed).toEqual(filesUnder(outdir));
    expect(deployed).toContain('index.mjs');
    expect(deployed.filter((file) => /^chunks\/[\w-]+\.mjs$/.test(file)).length).toBeGreaterThan(1);
    for (const file of deployed) {
      expect(readFileSync(join(assetDir, file)).equals(readFileSync(join(outdir, file)))).toBe(true);
    }
  });

  it('keeps handler index.handler on Node 24 (arm64), tracing and the NODE_OPTIONS', () => {
    expect(fn.Properties).toMatchObject({
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      Environment: {
        Variables: {
          NODE_OPTIONS: LAMBDA_BUNDLE.nodeOptions,
          POWERTOOLS_SERVICE_NAME: 'kubeguard-posture-audit',
        },
      },
    });
  });

  it('loads in Node as ESM and exports the handler', () => {
    expectLoadsAsEsmHandler(assetDir);
  });

  it('refuses files and command hooks together', () => {
    const stack = new Stack(new App(), 'FilesAndHooks');
    expect(
      () =>
        new KubeguardFunction(stack, 'Digest', {
          name: 'digest',
          entry: FUNCTION_ENTRIES.postureAudit,
          description: 'digest',
          configJson: '{}',
          files: CHART_FILES,
          commandHooks: { beforeBundling: () => [], beforeInstall: () => [], afterBundling: () => [] },
        }),
    ).toThrow(ConfigError);
  });

  it('refuses a file whose reader is in no output of the build', async () => {
    const outdir = join(tmp, 'no-reader');
    const { metafile } = await build({
      ...esbuildSplitBuildOptions(FUNCTION_ENTRIES.postureAudit, outdir),
      metafile: true,
      logLevel: 'silent',
    });
    expect(() => copyBesideReaders(metafile, outdir, CHART_FILES)).toThrow(
      /adapters\/chart\/png\.ts, which reads resvg\.wasm, is in no output/,
    );
  });

  it('refuses command hooks, which only a one-file NodejsFunction runs', () => {
    const stack = new Stack(new App(), 'Hooks');
    expect(
      () =>
        new KubeguardFunction(stack, 'PostureAudit', {
          name: 'posture-audit',
          entry: FUNCTION_ENTRIES.postureAudit,
          description: 'posture audit',
          configJson: '{}',
          commandHooks: {
            beforeBundling: () => [],
            beforeInstall: () => [],
            afterBundling: () => ['cp a b'],
          },
        }),
    ).toThrow(ConfigError);
  });
});

describe('the action worker, code-split with the chart files', () => {
  it('is listed as deployed code-split', () => {
    expect(CODE_SPLIT_FUNCTIONS).toContain('action-worker');
  });

  it('gets its own build, not the other split function’s', () => {
    expect(workerAssetDir).not.toBe(assetDir);
    expect(readFileSync(join(workerAssetDir, 'index.mjs.map'), 'utf8')).toContain(
      'lambdas/action-worker/handler.ts',
    );
  });

  it('holds resvg.wasm and the chart font once, byte for byte, beside the chunk holding the chart code', () => {
    const files = filesUnder(workerAssetDir);
    const chartChunks = files.filter(
      (file) =>
        file.endsWith('.mjs.map') &&
        (JSON.parse(readFileSync(join(workerAssetDir, file), 'utf8')) as { sources: string[] }).sources.some(
          (source) => source.endsWith('adapters/chart/png.ts'),
        ),
    );
    expect(chartChunks.map((file) => file.split('/')[0])).toEqual(['chunks']);
    expect(files.filter((file) => /\.(wasm|ttf)$/.test(file))).toEqual([
      'chunks/resvg.wasm',
      'chunks/roboto-regular-ascii.ttf',
    ]);
    for (const file of CHART_FILES) {
      expect(readFileSync(join(workerAssetDir, 'chunks', file.name)).equals(readFileSync(file.source))).toBe(
        true,
      );
    }
  });

  it('loads in Node as ESM and exports the handler', () => {
    expectLoadsAsEsmHandler(workerAssetDir);
  });
});

/** The asset's entry imports in Node, with the function's NODE_OPTIONS, as ESM exporting `handler`. */
function expectLoadsAsEsmHandler(assetDir: string): void {
  const child = spawnSync(
    process.execPath,
    [
      ...LAMBDA_BUNDLE.nodeOptions.split(' '),
      '--input-type=module',
      '-e',
      'const m = await import(process.argv[1]); process.stdout.write(typeof m.handler);',
      pathToFileURL(join(assetDir, 'index.mjs')).href,
    ],
    { encoding: 'utf8' },
  );
  expect(child.stderr).toBe('');
  expect(child.stdout).toBe('function');
}
