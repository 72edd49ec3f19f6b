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
import { KubeguardFunction } from '#infra/constructs/kubeguard-function.ts';
import {
  CODE_SPLIT_FUNCTIONS,
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
  const assembly = app.synth();
  const [only] = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
  fn = only as CfnResource;
  const assetPath = fn.Metadata?.['aws:asset:path'];
  if (typeof assetPath !== 'string') throw new Error('the function has no asset metadata');
  assetDir = join(assembly.directory, assetPath);
}, 120_000);

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
