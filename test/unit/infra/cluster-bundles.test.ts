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

/**
 * The bundle inputs evaluated when the bundle loads: those its entry reaches through static imports.
 * A dynamically imported module stays in the one-file bundle but is evaluated only when imported.
 */
function evaluatedAtLoad(name: string): Set<string> {
  const all = metafiles.get(name)?.inputs ?? {};
  const entry = FUNCTION_ENTRIES[name as keyof typeof FUNCTION_ENTRIES].replace(
    /^.*?\/lambdas\//,
    'lambdas/',
  );
  const reached = new Set([entry]);
  const queue = [entry];
  for (let path = queue.shift(); path !== undefined; path = queue.shift()) {
    for (const imported of all[path]?.imports ?? []) {
      if (imported.kind === 'dynamic-import' || imported.external || reached.has(imported.path)) continue;
      reached.add(imported.path);
      queue.push(imported.path);
    }
  }
  return reached;
}

function packagesAtLoad(name: string, pattern: RegExp): string[] {
  const found = [...evaluatedAtLoad(name)].flatMap((path) => pattern.exec(path)?.[1] ?? []);
  return [...new Set(found)].sort();
}

describe('what the functions that reach EKS evaluate when their bundle loads (D56)', () => {
  it.each(['postureAudit', 'actionWorker'])(
    '%s loads the Powertools tracer at its first invocation',
    (name) => {
      expect(inputs(name)).toContain('adapters/observability/tracer.ts');
      expect(
        packagesAtLoad(name, /node_modules\/(@aws-lambda-powertools\/tracer|aws-xray-sdk-core|cls-hooked)\//),
      ).toEqual([]);
    },
  );

  it('posture audit loads its AWS clients, the audit, Slack and the YAML parser on first use', () => {
    expect(evaluatedAtLoad('postureAudit').has('lambdas/posture-audit/handler.ts')).toBe(true);
    expect(
      packagesAtLoad('postureAudit', /node_modules\/(@aws-sdk\/client-[a-z-]+|@slack\/web-api|yaml)\//),
    ).toEqual([]);
    const atLoad = evaluatedAtLoad('postureAudit');
    expect(
      ['core/posture/scheduled-audit.ts', 'core/remediation/forensics.ts', 'adapters/evidence/s3.ts'].filter(
        (path) => atLoad.has(path),
      ),
    ).toEqual([]);
  });
});
