import { execFile } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePath, loadFixture } from '#test/support/fixtures.ts';
import { type JsonObject, KubeApiDouble, POSTURE_RESOURCES } from '#test/support/kube-api-double.ts';
import {
  type InstalledCli,
  PACKAGE_VERSION,
  packAndInstall,
  REPO,
  SYSTEM_PATH,
  systemNode,
} from '#test/support/packed-cli.ts';
import { corpusManifest } from '#test/support/rbac-objects.ts';

/**
 * Issue 14, "installable anywhere": the tarball `npm pack` makes installs into a directory outside the
 * repository and runs there on the machine's own Node (20 here and in CI), not the repository's
 * pinned Node 24 — no source file, no dependency, no registry.
 */
const WORK = mkdtempSync(join(tmpdir(), 'kubeguard-package-'));
const PROJECT = join(WORK, 'project');
const SYSTEM_ENV = { ...process.env, PATH: SYSTEM_PATH, CI: undefined };
const NODE = systemNode();
const run = promisify(execFile);
let cli: InstalledCli;

/** The system Node's [major, minor]. */
async function nodeVersion(): Promise<number[]> {
  const { stdout } = await run(NODE, ['--version']);
  return stdout.trim().slice(1).split('.').map(Number);
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function kubeguard(args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await run(NODE, [cli.bin, ...args], {
      cwd: PROJECT,
      env: SYSTEM_ENV,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

beforeAll(async () => {
  mkdirSync(PROJECT, { recursive: true });
  cli = await packAndInstall(WORK);
  copyFileSync(fixturePath('corpus/public/manifests/m08.yaml'), join(PROJECT, 'm08.yaml'));
  writeFileSync(
    join(PROJECT, 'audit.jsonl'),
    `${JSON.stringify(loadFixture('eks-audit-clusterrolebinding-cluster-admin.json'))}\n`,
  );
  copyFileSync(fixturePath('digest/history.json'), join(PROJECT, 'history.json'));
}, 120_000);

afterAll(() => rmSync(WORK, { recursive: true, force: true }));

describe('the packed CLI (npm pack, npm install -g --prefix, the system Node)', () => {
  it('runs the system Node, 20 or newer, not the repository’s pinned one', async () => {
    const [major] = await nodeVersion();
    expect(major).toBeGreaterThanOrEqual(20);
    expect(relative(REPO, NODE).startsWith('..')).toBe(true);
  });

  it('holds the launcher, the bundle and the chart’s files — no sources, no dependencies', () => {
    const paths = cli.packed.files.map((file) => file.path).sort();
    expect(paths.filter((path) => !/^dist\/chunk-[A-Z0-9]+\.js$/.test(path))).toEqual([
      'README.md',
      'bin/kubeguard.js',
      'dist/OFL.txt',
      'dist/kubeguard.js',
      'dist/resvg.wasm',
      'dist/roboto-regular-ascii.ttf',
      'package.json',
    ]);
    const manifest = JSON.parse(readFileSync(join(cli.packageDir, 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(manifest.dependencies).toBeUndefined();
    expect(manifest.engines).toEqual({ node: '>=20' });
    expect(existsSync(join(cli.packageDir, 'node_modules'))).toBe(false);
  });

  it('kubeguard --version, through the installed command and #!/usr/bin/env node', async () => {
    const { stdout } = await run(join(cli.prefix, 'bin', 'kubeguard'), ['--version'], {
      cwd: PROJECT,
      env: SYSTEM_ENV,
    });
    expect(stdout).toBe(`kubeguard ${PACKAGE_VERSION}\n`);
  });

  it('kubeguard audit --manifests FILE exits 1 on the manifest’s failures', async () => {
    const result = await kubeguard(['audit', '--manifests', 'm08.yaml']);

    expect(result.code).toBe(1);
    expect(result.stdout).toContain('KP-060 No privileged containers — Pod/nginx (m08.yaml:1)');
  });

  it('kubeguard detect FILE reports the binding to cluster-admin', async () => {
    const result = await kubeguard(['detect', '--format', 'json', 'audit.jsonl']);

    const records = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { ruleId: string; file: string; line: number });
    expect(records.map((r) => r.ruleId)).toContain('KD-040');
    expect(records.find((r) => r.ruleId === 'KD-040')).toMatchObject({ file: 'audit.jsonl', line: 1 });
    expect(result.stderr).toContain(`detections: ${records.length}`);
  });

  it('kubeguard render digest finds the shipped WebAssembly and font and writes the chart', async () => {
    const result = await kubeguard(['render', 'digest', '--history', 'history.json', '--out', 'out']);

    expect(result.code).toBe(0);
    const png = readFileSync(join(PROJECT, 'out', 'digest-chart.png'));
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  });

  it('kubeguard audit --kubeconfig reads a live cluster on the system Node (undici 7 below Node 22.19)', async () => {
    const api = new KubeApiDouble({
      token: 'kubeguard-package-token',
      extraResources: [...POSTURE_RESOURCES],
      objects: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } },
        ...(corpusManifest('m08.yaml') as unknown as JsonObject[]),
      ],
    });
    await api.start();
    try {
      writeFileSync(join(PROJECT, 'kubeconfig'), api.kubeconfigYaml());
      const result = await kubeguard(['audit', '--kubeconfig', 'kubeconfig', '--format', 'json']);

      expect(result.code).toBe(1);
      const report = JSON.parse(result.stdout) as {
        results: { checkId: string; status: string; object?: { kind: string; name: string } }[];
      };
      expect(report.results).toContainEqual(
        expect.objectContaining({
          checkId: 'KP-060',
          status: 'fail',
          object: expect.objectContaining({ kind: 'Pod', name: 'nginx' }),
        }),
      );
      expect(result.stderr).toBe('');
    } finally {
      await api.stop();
    }
  });

  it('kubeguard start says the sandbox runs from a checkout', async () => {
    const result = await kubeguard(['start', '--memory', '--port', '0']);

    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('the sandbox is not part of the packaged CLI');
    expect(result.stderr).toContain('npm start');
  });
});
