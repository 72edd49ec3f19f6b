import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { esbuildBuildOptions } from '#infra/constructs/lambda-bundle.ts';
import { FUNCTION_ENTRIES } from '#infra/stacks/stateless-stack.ts';

/**
 * The two functions that reach EKS clusters (posture audit, action worker), built with the options
 * the CDK app deploys them with: they reach the API server over node:https with DescribeCluster's CA
 * and a bearer token (adapters/kubernetes/eks-access.ts), so client-node and what it drags in
 * (undici, ws, js-yaml, the proxy agents: 1.4 MB, D56) are not in their bundles.
 */

const KUBE_CLIENT = /node_modules\/(@kubernetes\/client-node|undici|ws|socks|js-yaml)\//;
const outdir = mkdtempSync(join(tmpdir(), 'kubeguard-cluster-bundles-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const metafiles = new Map<string, Metafile>();
beforeAll(async () => {
  for (const name of ['postureAudit', 'actionWorker'] as const) {
    const result = await build({
      ...esbuildBuildOptions(FUNCTION_ENTRIES[name], join(outdir, name)),
      metafile: true,
      logLevel: 'silent',
    });
    metafiles.set(name, result.metafile as Metafile);
  }
}, 120_000);

function inputs(name: string): string[] {
  return Object.keys(metafiles.get(name)?.inputs ?? {});
}

describe('the bundles of the functions that reach EKS', () => {
  it.each(['postureAudit', 'actionWorker'])('%s holds the Kubernetes adapter but not client-node', (name) => {
    expect(inputs(name)).toContain('adapters/kubernetes/eks-access.ts');
    expect(inputs(name)).toContain('adapters/kubernetes/http.ts');
    expect(inputs(name).filter((path) => KUBE_CLIENT.test(path))).toEqual([]);
  });

  it('posture audit imports its cluster collector when it first collects, not at load', () => {
    const composition = metafiles.get('postureAudit')?.inputs['lambdas/posture-audit/composition.ts'];
    const collector = composition?.imports.find(
      (imported) => imported.path === 'adapters/kubernetes/eks-cluster-collector.ts',
    );
    expect(collector?.kind).toBe('dynamic-import');
  });
});
