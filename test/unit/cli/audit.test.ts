import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { type CliRun, runCli } from '#test/support/cli.ts';
import { fixturePath, readFixtureText } from '#test/support/fixtures.ts';

const REPO = join(import.meta.dirname, '..', '..', '..');
const CORPUS = fixturePath('corpus/public/manifests');
const WORK = mkdtempSync(join(tmpdir(), 'kubeguard-audit-cli-'));

afterAll(() => {
  rmSync(WORK, { recursive: true, force: true });
});

function write(relativePath: string, text: string): string {
  const path = join(WORK, relativePath);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}

async function audit(args: string[], cwd = WORK): Promise<CliRun> {
  return runCli(['audit', ...args], { cwd });
}

interface JsonOutput {
  score: number;
  summary: { pass: number; fail: number; skip: number };
  results: {
    checkId: string;
    status: string;
    severity: string;
    object: { kind: string; name: string };
    file?: string;
  }[];
}

describe('kubeguard audit --manifests', () => {
  it('prints the JSON report and exits 1 when a failure exists', async () => {
    const result = await audit(['--manifests', 'manifests/m29.yaml', '--format', 'json'], join(CORPUS, '..'));

    expect(result.code).toBe(1);
    expect(result.stderr).toBe('');
    const json = JSON.parse(result.stdout) as JsonOutput;
    expect(Object.keys(json).slice(0, 3)).toEqual(['score', 'summary', 'results']);
    expect(json.results.find((r) => r.checkId === 'KP-060')).toMatchObject({
      status: 'fail',
      severity: 'critical',
      object: { kind: 'Pod', name: 'pod-test-1' },
      file: 'manifests/m29.yaml',
    });
  });

  it('exits 0 when no failure reaches --fail-on, 1 when one does', async () => {
    expect((await audit(['--manifests', join(CORPUS, 'm11.yaml'), '--fail-on', 'critical'])).code).toBe(0);
    expect((await audit(['--manifests', join(CORPUS, 'm29.yaml'), '--fail-on', 'critical'])).code).toBe(1);
  });

  it('reads directories recursively (only *.yaml, *.yml, *.json), List kinds and JSON arrays', async () => {
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      items: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }],
    };
    write('tree/a/list.yml', stringify(list));
    // m27's NodePort Service, as a top-level JSON array.
    write(
      'tree/b/services.json',
      JSON.stringify([parse(readFixtureText('corpus/public/manifests/m27.yaml'))]),
    );
    write('tree/b/privileged.yaml', readFixtureText('corpus/public/manifests/m29.yaml'));
    write('tree/notes.txt', 'not a manifest');

    const result = await audit(['--manifests', 'tree', '--format', 'json']);

    const json = JSON.parse(result.stdout) as JsonOutput;
    const files = new Set(json.results.map((r) => r.file).filter((f) => f !== undefined));
    expect([...files].sort()).toEqual(['tree/a/list.yml', 'tree/b/privileged.yaml', 'tree/b/services.json']);
    expect(json.results.find((r) => r.checkId === 'KP-103')?.status).toBe('fail');
  });

  it('reports a YAML error with file and document index on stderr and audits the rest', async () => {
    const file = write(
      'broken.yaml',
      `${readFixtureText('corpus/public/manifests/m27.yaml')}---\nkind: [unclosed\n`,
    );

    const result = await audit(['--manifests', file, '--format', 'json']);

    expect(result.stderr).toMatch(/^kubeguard audit: warning: skipped broken\.yaml document 1: invalid YAML/);
    const json = JSON.parse(result.stdout) as JsonOutput;
    expect(json.results.some((r) => r.checkId === 'KP-103' && r.status === 'fail')).toBe(true);
  });

  it('prints SARIF 2.1.0 with the schema URI', async () => {
    const result = await audit(['--manifests', join(CORPUS, 'm29.yaml'), '--format', 'sarif']);

    const sarif = JSON.parse(result.stdout) as {
      version: string;
      $schema: string;
      runs: { results: unknown[] }[];
    };
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.$schema).toMatch(/sarif-schema-2\.1\.0\.json$/);
    expect(sarif.runs[0]?.results.length).toBeGreaterThan(0);
  });

  it('writes CSV and Markdown evidence to --output', async () => {
    const csv = join(WORK, 'evidence.csv');
    const markdown = join(WORK, 'evidence.md');

    await audit(['--manifests', join(CORPUS, 'm24.yaml'), '--format', 'csv', '--output', csv]);
    await audit(['--manifests', join(CORPUS, 'm24.yaml'), '--format', 'markdown', '--output', markdown]);

    expect(readFileSync(csv, 'utf8')).toMatch(/^checkId,title,status,severity,/);
    expect(readFileSync(csv, 'utf8')).not.toContain('abc123');
    expect(readFileSync(markdown, 'utf8')).toMatch(/^# kubeguard posture report: manifests/);
  });

  it('prints a readable text summary by default', async () => {
    const result = await audit(['--manifests', join(CORPUS, 'm29.yaml')]);

    expect(result.stdout).toMatch(/^kubeguard posture audit of manifests: score \d+\/100\n/);
    expect(result.stdout).toContain('CRITICAL (1)');
  });

  it('passes --approved-registry to KP-086', async () => {
    const result = await audit([
      '--manifests',
      join(CORPUS, 'm29.yaml'),
      '--format',
      'json',
      '--approved-registry',
      'docker.io/foo',
    ]);

    const json = JSON.parse(result.stdout) as JsonOutput;
    expect(json.results.find((r) => r.checkId === 'KP-086')?.status).toBe('pass');
  });
});

describe('kubeguard audit: unusable arguments exit 2', () => {
  it('names an unreadable path', async () => {
    const result = await audit(['--manifests', 'does/not/exist.yaml']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cannot read "does/not/exist.yaml" (ENOENT)');
  });

  it('rejects a directory without manifests', async () => {
    mkdirSync(join(WORK, 'empty'), { recursive: true });

    const result = await audit(['--manifests', 'empty']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no *.yaml, *.yml or *.json file under "empty"');
  });

  it.each([
    [
      ['--manifests', 'x.yaml', '--format', 'xml'],
      '--format "xml": use one of text, json, markdown, sarif, csv',
    ],
    [
      ['--manifests', 'x.yaml', '--fail-on', 'severe'],
      '--fail-on "severe": use one of low, medium, high, critical',
    ],
    [[], 'give exactly one source'],
    [['--manifests'], '--manifests needs at least one file or directory'],
    [['--manifests', 'x.yaml', '--bogus'], 'unknown option "--bogus"'],
    [['--manifests', 'x.yaml', '--context', 'prod'], '--context needs --kubeconfig'],
  ])('%j', async (args, message) => {
    const result = await audit(args);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('answers --kubeconfig it cannot use with exit 2, naming the flag', async () => {
    const result = await audit(['--kubeconfig', join(WORK, 'no-such-kubeconfig')]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--kubeconfig');
  });
});

describe('kubeguard audit (the real binary)', () => {
  it('runs through npx on a corpus manifest and exits 1 on its failures', async () => {
    const failure = await promisify(execFile)(
      'npx',
      [
        'kubeguard',
        'audit',
        '--manifests',
        'test/fixtures/corpus/public/manifests/m08.yaml',
        '--format',
        'json',
      ],
      { cwd: REPO, maxBuffer: 16 * 1024 * 1024 },
    ).catch((error: { code: number; stdout: string }) => error);

    expect(failure).toMatchObject({ code: 1 });
    const json = JSON.parse((failure as { stdout: string }).stdout) as JsonOutput;
    expect(json.results[0]).toMatchObject({
      checkId: 'KP-060',
      status: 'fail',
      file: 'test/fixtures/corpus/public/manifests/m08.yaml',
    });
  });
});
