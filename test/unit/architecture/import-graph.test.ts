import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  buildImportGraph,
  importCycles,
  type LayerRule,
  layerViolations,
  runtimeClosure,
} from '../../support/import-graph.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');

const ONLY_ADAPTERS = 'only adapters/ imports an SDK (AWS, Kubernetes, Slack, dynalite): add a factory there';
/** SDKs and clients of the outside world: only adapters/ imports them (design §2, §3.12). */
const SDK = {
  pattern: /^(@aws-sdk\/|@smithy\/|@aws-crypto\/|@kubernetes\/client-node$|@slack\/|dynalite$)/,
  why: ONLY_ADAPTERS,
};
/** The same, except @slack/bolt: the Bolt app in bot/ is built on it. */
const SDK_BUT_BOLT = {
  pattern: /^(@aws-sdk\/|@smithy\/|@aws-crypto\/|@kubernetes\/client-node$|@slack\/(?!bolt$)|dynalite$)/,
  why: ONLY_ADAPTERS,
};

/** One folder per function: a function composes only what it runs, and shares only lambdas/shared/. */
function ownFunctionOnly(from: string, to: string): string | undefined {
  const own = from.split('/')[1];
  const target = to.split('/')[1];
  if (!to.startsWith('lambdas/') || target === own || target === 'shared') return undefined;
  return `lambdas/${own}/ may import lambdas/shared/ but not another function's folder`;
}

/**
 * What each source layer may import (docs/architecture.md "Layers", design guide §2). test/ and
 * bench/ are harnesses and may import anything; no production layer imports them.
 */
const LAYERS: Record<string, LayerRule> = {
  // Pure domain: core/ and small pure libraries. node:crypto (hashes) and node:zlib (CloudWatch Logs
  // data) are computation; the purity test keeps the file system, environment and clock out.
  core: {
    layers: ['core'],
    packages: ['zod', 'zod/mini', 'zod/locales', 'yaml', 're2js', 'node:crypto', 'node:zlib'],
  },
  adapters: { layers: ['core', 'adapters'], packages: true },
  lambdas: {
    layers: ['core', 'adapters', 'lambdas'],
    packages: true,
    forbiddenPackages: [SDK],
    check: ownFunctionOnly,
  },
  bot: { layers: ['core', 'adapters', 'bot'], packages: true, forbiddenPackages: [SDK_BUT_BOLT] },
  // The CLI runs functions and the bot locally (`kubeguard start`), so it may import lambdas/ and bot/.
  cli: { layers: ['core', 'adapters', 'lambdas', 'bot', 'cli'], packages: true, forbiddenPackages: [SDK] },
  // infra/ shares the table definition with the store (adapters/aws/findings-table.ts).
  infra: { layers: ['core', 'adapters', 'infra'], packages: true, forbiddenPackages: [SDK] },
  // scripts/checkov.ts synthesizes the CDK app to check its templates.
  scripts: { layers: ['core', 'adapters', 'infra', 'scripts'], packages: true, forbiddenPackages: [SDK] },
};

describe('the import graph of the repository', () => {
  const graph = buildImportGraph(ROOT);

  it('resolves every relative and # import to a source file', () => {
    const files = new Set(graph.files);
    const unresolved = graph.edges.filter((e) => e.target.kind === 'file' && !files.has(e.target.path));
    expect(unresolved.map((e) => `${e.from} → ${e.specifier}`)).toEqual([]);
    expect(graph.edges.some((e) => e.specifier.startsWith('#core/'))).toBe(true);
  });

  it('has no edge its layer forbids, type imports included', () => {
    expect(layerViolations(graph, LAYERS)).toEqual([]);
  });

  it('has no import cycle, type imports included', () => {
    expect(importCycles(graph)).toEqual([]);
  });
});

describe('what each function loads', () => {
  const graph = buildImportGraph(ROOT);
  const loads = (fn: string) => runtimeClosure(graph, `lambdas/${fn}/handler.ts`);
  const sdks = (packages: Set<string>) =>
    [...packages].filter((name) => /^@aws-sdk\/client-|^@slack\//.test(name));

  it('ingest functions record and never talk to Slack or Secrets Manager, nor render alerts', () => {
    for (const fn of ['audit-logs', 'guardduty-findings']) {
      const { files, packages } = loads(fn);
      expect(sdks(packages), fn).toEqual([]);
      expect(
        [...files].filter((f) => f.startsWith('core/slack-views/') || f === 'core/findings/render.ts'),
        fn,
      ).toEqual([]);
    }
  });

  it('only audit-logs runs the audit-log rules; the delivery function renders from their guidance alone', () => {
    const registry = 'core/detection/registry.ts';
    expect(loads('audit-logs').files.has(registry)).toBe(true);
    expect(loads('guardduty-findings').files.has(registry)).toBe(false);
    expect(loads('delivery').files.has(registry)).toBe(false);
    expect([...loads('delivery').files].filter((f) => f.startsWith('core/detection/rules/'))).toEqual([]);
  });

  it('no function but the posture audit loads a YAML parser or the AWS SDK clients', () => {
    for (const fn of ['audit-logs', 'guardduty-findings', 'delivery']) {
      const { packages } = loads(fn);
      expect(
        [...packages].filter((name) => name === 'yaml' || /^@aws-sdk\/(client-|lib-)/.test(name)),
        fn,
      ).toEqual([]);
    }
  });
});

describe('the import graph checker', () => {
  let root: string | undefined;
  afterEach(() => {
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
    root = undefined;
  });

  /** A throw-away repository with kubeguard's package.json "imports" and the given files. */
  function repository(files: Record<string, string>): string {
    root = mkdtempSync(join(tmpdir(), 'kubeguard-import-graph-'));
    const manifest = { type: 'module', imports: { '#core/*': './core/*', '#adapters/*': './adapters/*' } };
    writeFileSync(join(root, 'package.json'), JSON.stringify(manifest));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    return root;
  }

  it('catches a core file importing adapters/ by a relative path or a # subpath (purity test and Biome did not)', () => {
    const graph = buildImportGraph(
      repository({
        'adapters/aws/store.ts':
          "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nexport const client = new DynamoDBClient({});\n",
        'core/ingest/relative.ts':
          "import { client } from '../../adapters/aws/store.ts';\nexport const a = client;\n",
        'core/findings/subpath.ts':
          "import type { client } from '#adapters/aws/store.ts';\nexport type B = typeof client;\n",
        'core/ok.ts':
          "// import { client } from '../adapters/aws/store.ts';\nexport const text = \"import '#adapters/aws/store.ts'\";\n",
      }),
    );

    expect(layerViolations(graph, LAYERS)).toEqual([
      'core/findings/subpath.ts → #adapters/aws/store.ts (type import): core/ may import only core/',
      'core/ingest/relative.ts → ../../adapters/aws/store.ts (import): core/ may import only core/',
    ]);
  });

  it('catches an SDK imported outside adapters/ and one function importing another', () => {
    const graph = buildImportGraph(
      repository({
        'lambdas/audit-logs/composition.ts':
          "import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';\nimport { x } from '../delivery/handler.ts';\nimport { log } from '../shared/logger.ts';\nexport const c = [SecretsManagerClient, x, log];\n",
        'lambdas/delivery/handler.ts': 'export const x = 1;\n',
        'lambdas/shared/logger.ts': 'export const log = 1;\n',
        'core/model/uses-yaml.ts':
          "import { parse } from 'yaml';\nimport { readFileSync } from 'node:fs';\nexport const p = [parse, readFileSync];\n",
      }),
    );

    expect(layerViolations(graph, LAYERS)).toEqual([
      `core/model/uses-yaml.ts → node:fs (import): core/ may import only the packages ${LAYERS.core?.packages.toString().replaceAll(',', ', ')}`,
      `lambdas/audit-logs/composition.ts → @aws-sdk/client-secrets-manager (import): ${ONLY_ADAPTERS}`,
      "lambdas/audit-logs/composition.ts → ../delivery/handler.ts (import): lambdas/audit-logs/ may import lambdas/shared/ but not another function's folder",
    ]);
  });

  it('finds a cycle made of type imports, through a # subpath, and a file importing itself', () => {
    const graph = buildImportGraph(
      repository({
        'core/model/a.ts': "import type { B } from './b.ts';\nexport interface A { b?: B }\n",
        'core/model/b.ts': "import type { C } from '#core/model/c.ts';\nexport interface B { c?: C }\n",
        'core/model/c.ts': "export type { A } from './a.ts';\nexport interface C { n: number }\n",
        'core/self.ts': "export * from './self.ts';\n",
        'core/leaf.ts': "import type { A } from './model/a.ts';\nexport type L = A;\n",
      }),
    );

    expect(importCycles(graph)).toEqual([
      ['core/model/a.ts', 'core/model/b.ts', 'core/model/c.ts'],
      ['core/self.ts'],
    ]);
  });
});
