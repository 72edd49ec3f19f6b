import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CODE_SPLIT_FUNCTIONS,
  esbuildBuildOptions,
  esbuildSplitBuildOptions,
  outputsReadAtLoad,
} from '#infra/constructs/lambda-bundle.ts';
import { FUNCTION_ENTRIES } from '#infra/stacks/stateless-stack.ts';

/**
 * The two functions that reach EKS clusters (posture audit, action worker), built with the options
 * the CDK app deploys them with: they reach the API server over node:https with DescribeCluster's CA
 * and a bearer token (adapters/kubernetes/eks-access.ts), so client-node and what it drags in
 * (undici, ws, js-yaml, the proxy agents: 1.4 MB, D56) are not in their bundles. The posture audit
 * and the action worker are built code-split, as they are deployed (CODE_SPLIT_FUNCTIONS).
 */

const KUBE_CLIENT = /node_modules\/(@kubernetes\/client-node|undici|ws|socks|js-yaml)\//;
const outdir = mkdtempSync(join(tmpdir(), 'kubeguard-cluster-bundles-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const FUNCTION_NAMES = { postureAudit: 'posture-audit', actionWorker: 'action-worker' } as const;
const metafiles = new Map<string, Metafile>();
beforeAll(async () => {
  for (const name of ['postureAudit', 'actionWorker'] as const) {
    const options = CODE_SPLIT_FUNCTIONS.includes(FUNCTION_NAMES[name])
      ? esbuildSplitBuildOptions(FUNCTION_ENTRIES[name], join(outdir, name))
      : esbuildBuildOptions(FUNCTION_ENTRIES[name], join(outdir, name));
    const result = await build({
      ...options,
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

  it('action worker loads its dispatch table and its dependencies with the first request', () => {
    const atLoad = evaluatedAtLoad('actionWorker');
    expect(atLoad.has('lambdas/action-worker/handler.ts')).toBe(true);
    expect(
      [
        'core/chatops/worker.ts',
        'core/netpol/schemas.ts',
        'core/posture/scheduled-audit.ts',
        'adapters/slack/worker-from-env.ts',
        'adapters/kubernetes/audit-worker-from-env.ts',
        'adapters/kubernetes/remediation-runtime.ts',
      ].filter((path) => atLoad.has(path)),
    ).toEqual([]);
    expect(
      packagesAtLoad(
        'actionWorker',
        /node_modules\/(@aws-sdk\/client-[a-z-]+|@slack\/web-api|yaml|re2js|zod\/v4\/classic)\//,
      ),
    ).toEqual([]);
  });
});

/**
 * The inputs of the files that importing the posture audit's entry (index.mjs) reads: the entry and the
 * chunks it imports statically. What is in no such file is neither read nor compiled at load.
 */
function inputsReadAtLoad(name: string): Set<string> {
  const outputs = metafiles.get(name)?.outputs ?? {};
  const files = outputsReadAtLoad(outputs, join(outdir, name, 'index.mjs'));
  return new Set(files.flatMap((file) => Object.keys(outputs[file]?.inputs ?? {})));
}

describe('the posture audit is deployed code-split (D56)', () => {
  it('is one entry, index.mjs, and chunks, each with its source map', () => {
    const files = Object.keys(metafiles.get('postureAudit')?.outputs ?? {}).map((output) =>
      resolve(output).slice(resolve(outdir, 'postureAudit').length + 1),
    );
    expect(files).toContain('index.mjs');
    expect(files).toContain('index.mjs.map');
    const chunks = files.filter((file) => /^chunks\/[\w-]+\.mjs$/.test(file));
    expect(chunks.length).toBeGreaterThan(1);
    expect(files.filter((file) => !file.endsWith('.map')).sort()).toEqual(['index.mjs', ...chunks].sort());
    expect(files.filter((file) => file.endsWith('.map')).sort()).toEqual(
      ['index.mjs', ...chunks].map((file) => `${file}.map`).sort(),
    );
  });

  it('reads at load the handler and what it imports statically, not the lazily imported modules', () => {
    const readAtLoad = inputsReadAtLoad('postureAudit');
    expect(readAtLoad.has('lambdas/posture-audit/handler.ts')).toBe(true);
    expect(
      [
        'adapters/kubernetes/eks-cluster-collector.ts',
        'core/posture/scheduled-audit.ts',
        'adapters/observability/tracer.ts',
        'adapters/evidence/s3.ts',
      ].filter((path) => readAtLoad.has(path)),
    ).toEqual([]);
    expect(
      [...readAtLoad].filter((path) =>
        /node_modules\/(@aws-sdk\/client-[a-z-]+|@slack\/web-api|yaml|aws-xray-sdk-core)\//.test(path),
      ),
    ).toEqual([]);
  });
});
