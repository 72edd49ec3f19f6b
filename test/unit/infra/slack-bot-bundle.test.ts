import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { esbuildBuildOptions } from '#infra/constructs/lambda-bundle.ts';
import { FUNCTION_ENTRIES } from '#infra/stacks/stateless-stack.ts';
import { slashCommandBody } from '../../support/slack-requests.ts';
import { resourcesOf, type SynthesizedKubeguard, synthesizeKubeguard } from './synth.ts';

/**
 * The Slack ingress bundle, built with the options the CDK app deploys it with (lambda-bundle.ts):
 * it must stay small and fast to import to ack within 3 s, so it never carries the Kubernetes client,
 * which only the action worker needs.
 */

const ROOT = join(import.meta.dirname, '..', '..', '..');
const outdir = mkdtempSync(join(tmpdir(), 'kubeguard-ingress-bundle-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

let inputs: string[];
beforeAll(async () => {
  const result = await build({
    ...esbuildBuildOptions(FUNCTION_ENTRIES.slackIngress, outdir),
    metafile: true,
    logLevel: 'silent',
  });
  inputs = Object.keys((result.metafile as Metafile).inputs).map((path) =>
    relative(ROOT, join(ROOT, path)).replaceAll('\\', '/'),
  );
});

describe('the Slack ingress bundle', () => {
  it('is built from bot/lambda.ts with Bolt inside', () => {
    expect(inputs).toContain('bot/lambda.ts');
    expect(inputs.some((path) => path.includes('node_modules/@slack/bolt/'))).toBe(true);
  });

  it('never bundles @kubernetes/client-node, nor the Kubernetes adapter', () => {
    expect(inputs.filter((path) => path.includes('@kubernetes/client-node'))).toEqual([]);
    expect(inputs.filter((path) => path.startsWith('adapters/kubernetes/'))).toEqual([]);
  });
});

describe('the Lambda bundles without Socket Mode and raw-body', () => {
  it('leave out Socket Mode (and undici) and raw-body (and iconv-lite), which Bolt requires but Lambda never runs', () => {
    for (const name of ['@slack/socket-mode', 'undici', 'raw-body', 'iconv-lite']) {
      expect(inputs.filter((path) => path.includes(`node_modules/${name}/`))).toEqual([]);
    }
    expect(inputs).toContain('infra/bundle-stubs/slack-socket-mode.cjs');
    expect(inputs).toContain('infra/bundle-stubs/raw-body.cjs');
  });

  it('still run Bolt with AwsLambdaReceiver: a slash command built the same way is acknowledged', async () => {
    const bundleDir = mkdtempSync(join(tmpdir(), 'kubeguard-bolt-bundle-'));
    try {
      await build({
        ...esbuildBuildOptions('(stdin)', bundleDir),
        entryPoints: undefined,
        stdin: {
          resolveDir: ROOT,
          sourcefile: 'bolt-probe.ts',
          loader: 'ts',
          contents: `
            import { App, AwsLambdaReceiver } from './adapters/slack/bolt-runtime.ts';
            const receiver = new AwsLambdaReceiver({ signingSecret: 'unused', signatureVerification: false });
            const app = new App({ receiver, authorize: async () => ({ botToken: 'xoxb-probe' }), ignoreSelf: false });
            app.command('/k8s', async ({ ack }) => { await ack('probe answered'); });
            const response = await receiver.toHandler()(
              { body: process.argv[2], headers: { 'content-type': 'application/x-www-form-urlencoded' }, isBase64Encoded: false },
              {},
              () => {},
            );
            process.stdout.write(JSON.stringify(response));
          `,
        },
        logLevel: 'silent',
      });
      const output = execFileSync(process.execPath, [join(bundleDir, 'index.mjs'), slashCommandBody({})], {
        encoding: 'utf8',
      });
      expect(JSON.parse(output)).toMatchObject({ statusCode: 200, body: 'probe answered' });
    } finally {
      rmSync(bundleDir, { recursive: true, force: true });
    }
  });
});

/**
 * The action worker is deployed code-split (CODE_SPLIT_FUNCTIONS, D56) and draws the digest chart for
 * `/k8s digest preview`: the chart code (adapters/chart/png.ts) reads resvg.wasm and the font from the
 * directory of its own file, so the asset holds them beside the chunk holding that code, once.
 */
describe('the split action worker asset', () => {
  let synth: SynthesizedKubeguard;
  let assetDir: string;
  let files: string[];
  beforeAll(() => {
    synth = synthesizeKubeguard();
    const [worker] = Object.values(resourcesOf(synth.statelessTemplate, 'AWS::Lambda::Function')).filter(
      (fn) =>
        (fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables
          ?.POWERTOOLS_SERVICE_NAME === 'kubeguard-action-worker',
    );
    expect(worker?.Properties?.Handler).toBe('index.handler');
    assetDir = join(synth.assembly.directory, String(worker?.Metadata?.['aws:asset:path']));
    files = readdirSync(assetDir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name).slice(assetDir.length + 1))
      .sort();
  }, 240_000);

  it('is index.mjs and chunks', () => {
    expect(files).toContain('index.mjs');
    expect(files.filter((file) => /^chunks\/[\w-]+\.mjs$/.test(file)).length).toBeGreaterThan(1);
  });

  it('holds resvg.wasm and the chart font, byte for byte, beside the chunk holding the chart code', () => {
    const chartChunks = files.filter(
      (file) =>
        file.endsWith('.mjs.map') &&
        (JSON.parse(readFileSync(join(assetDir, file), 'utf8')) as { sources: string[] }).sources.some(
          (source) => source.endsWith('adapters/chart/png.ts'),
        ),
    );
    expect(chartChunks).toHaveLength(1);
    const dir = dirname(chartChunks[0] ?? '');
    expect(dir).toBe('chunks');
    expect(files.filter((file) => file.endsWith('resvg.wasm'))).toEqual([`${dir}/resvg.wasm`]);
    expect(files.filter((file) => file.endsWith('.ttf'))).toEqual([`${dir}/roboto-regular-ascii.ttf`]);
    const wasm = createRequire(import.meta.url).resolve('@resvg/resvg-wasm/index_bg.wasm');
    expect(readFileSync(join(assetDir, dir, 'resvg.wasm')).equals(readFileSync(wasm))).toBe(true);
    expect(
      readFileSync(join(assetDir, dir, 'roboto-regular-ascii.ttf')).equals(
        readFileSync(join(ROOT, 'adapters/chart/fonts/roboto-regular-ascii.ttf')),
      ),
    ).toBe(true);
  });
});
