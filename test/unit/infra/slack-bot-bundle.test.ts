import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { esbuildBuildOptions } from '#infra/constructs/lambda-bundle.ts';
import { FUNCTION_ENTRIES } from '#infra/stacks/stateless-stack.ts';

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
