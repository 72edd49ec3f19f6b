import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { type CliRun, runCli } from '#test/support/cli.ts';
import { readFixtureText } from '#test/support/fixtures.ts';

/** `kubeguard audit` in CI pipelines (issue 14): exit codes, strictness, the walk, SARIF, help. */

const WORK = mkdtempSync(join(tmpdir(), 'kubeguard-audit-pipeline-'));
const M27 = readFixtureText('corpus/public/manifests/m27.yaml'); // a NodePort Service (KP-103 fails)
const M29 = readFixtureText('corpus/public/manifests/m29.yaml'); // a privileged Pod (KP-060 fails)

afterAll(() => {
  rmSync(WORK, { recursive: true, force: true });
});

function write(relativePath: string, content: string | Uint8Array): string {
  const path = join(WORK, relativePath);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
  return path;
}

async function audit(args: string[], env: Record<string, string> = {}, cwd = WORK): Promise<CliRun> {
  return runCli(['audit', ...args], { cwd, env });
}

interface JsonOutput {
  summary: { pass: number; fail: number; skip: number };
  input: { files: number; objects: number; skipped: { file: string; document: number; reason: string }[] };
  results: {
    checkId: string;
    status: string;
    object: { kind: string; name: string };
    file?: string;
    message: string;
  }[];
}

describe('kubeguard audit: input that produced nothing usable exits 2', () => {
  it.each([
    ['an empty file', 'empty.yaml', '', 'no Kubernetes object in nothing/empty.yaml'],
    [
      'a comment-only file',
      'comments.yaml',
      '# nothing here\n---\n',
      'no Kubernetes object in nothing/comments.yaml',
    ],
    [
      'YAML without a Kubernetes object',
      'config.yaml',
      'foo: bar\n',
      'no Kubernetes object in nothing/config.yaml (1 document skipped)',
    ],
    [
      'a binary file',
      'image.yaml',
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
      'nothing/image.yaml is binary, not YAML or JSON',
    ],
  ])('%s', async (_, name, content, message) => {
    write(`nothing/${name}`, content);

    const result = await audit(['--manifests', `nothing/${name}`, '--fail-on', 'high']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stdout).toBe('');
  });
});

describe('kubeguard audit: a broken document in a multi-document file', () => {
  const broken = () => write('broken/multi.yaml', `${M27}---\nkind: [unclosed\n`);

  it('is a warning that appears in the report summary without --strict', async () => {
    const result = await audit(['--manifests', broken(), '--format', 'json']);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^kubeguard audit: warning: skipped broken\/multi\.yaml document 1: invalid YAML/,
    );
    const json = JSON.parse(result.stdout) as JsonOutput;
    expect(json.input).toMatchObject({ files: 1, objects: 1 });
    expect(json.input.skipped).toEqual([expect.objectContaining({ file: 'broken/multi.yaml', document: 1 })]);
    const text = await audit(['--manifests', broken()]);
    expect(text.stdout).toContain('1 document skipped: broken/multi.yaml document 1: invalid YAML');
  });

  it('makes --strict exit 2 after printing the report', async () => {
    const result = await audit(['--manifests', broken(), '--format', 'json', '--strict']);

    expect(result.code).toBe(2);
    expect((JSON.parse(result.stdout) as JsonOutput).results.some((r) => r.checkId === 'KP-103')).toBe(true);
    expect(result.stderr).toContain('--strict: 1 document could not be read');
  });

  it('is strict by default in CI (CI=true), and --no-strict turns it off', async () => {
    expect((await audit(['--manifests', broken()], { CI: 'true' })).code).toBe(2);
    expect((await audit(['--manifests', broken(), '--no-strict'], { CI: 'true' })).code).toBe(1);
  });
});

describe('kubeguard audit: an unrendered Helm template', () => {
  it('is reported as an error naming the file and document, without a Node warning', async () => {
    const file = write(
      'chart/templates/deployment.yaml',
      `${M27}---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n  labels: {{ .Values.labels }}\n`,
    );
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    try {
      const result = await audit(['--manifests', file]);
      await new Promise((resolve) => setTimeout(resolve, 20)); // process warnings are emitted on next tick

      expect(result.stderr).toContain(
        'skipped chart/templates/deployment.yaml document 1: looks like an unrendered Helm template: run helm template first',
      );
      expect(result.code).toBe(1);
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => w.includes('mapAsMap'))).toEqual([]);
  });
});

describe('kubeguard audit --manifests DIR: what the walk reads', () => {
  it('skips node_modules, .git and what .kubeguardignore ignores', async () => {
    write('repo/k8s/app.yaml', M29);
    write('repo/k8s/keep.tmp.yaml', M27);
    write('repo/k8s/scratch.tmp.yaml', M27);
    write('repo/node_modules/pkg/test.yaml', M27);
    write('repo/.git/config.yaml', M27);
    write('repo/charts/x/values.yaml', M27);
    write('repo/src/generated/crd.yaml', M27);
    write('repo/generated.yaml', M29);
    write(
      'repo/.kubeguardignore',
      ['# rendered elsewhere', 'charts/', '*.tmp.yaml', '!keep.tmp.yaml', '**/generated', ''].join('\n'),
    );

    const result = await audit(['--manifests', 'repo', '--format', 'json']);

    const json = JSON.parse(result.stdout) as JsonOutput;
    const files = [...new Set(json.results.map((r) => r.file).filter((f) => f !== undefined))].sort();
    expect(files).toEqual(['repo/generated.yaml', 'repo/k8s/app.yaml', 'repo/k8s/keep.tmp.yaml']);
    expect(json.input.files).toBe(3);
    expect(result.stderr).toBe('');
  });
});

describe('kubeguard audit --format sarif: URIs code scanning can place', () => {
  it('makes URIs relative to --sarif-root and declares that root as SRCROOT', async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'kubeguard-sarif-root-'));
    try {
      mkdirSync(join(elsewhere, 'deploy'));
      writeFileSync(join(elsewhere, 'deploy', 'pod.yaml'), M29);

      const result = await audit([
        '--manifests',
        join(elsewhere, 'deploy', 'pod.yaml'),
        '--format',
        'sarif',
        '--sarif-root',
        elsewhere,
      ]);

      const run = JSON.parse(result.stdout).runs[0];
      expect(run.originalUriBaseIds).toEqual({
        SRCROOT: { uri: `${pathToFileURL(elsewhere).href}/` },
      });
      const location = run.results[0].locations[0].physicalLocation;
      expect(location.artifactLocation).toEqual({ uri: 'deploy/pod.yaml', uriBaseId: 'SRCROOT' });
      expect(location.region.startLine).toBe(1);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('defaults the root to the working directory; a file outside it gets an absolute file URI', async () => {
    write('sarif/pod.yaml', M29);
    const outside = mkdtempSync(join(tmpdir(), 'kubeguard-sarif-outside-'));
    try {
      writeFileSync(join(outside, 'pod.yaml'), M29);

      const inside = JSON.parse((await audit(['--manifests', 'sarif/pod.yaml', '--format', 'sarif'])).stdout)
        .runs[0];
      const away = JSON.parse(
        (await audit(['--manifests', join(outside, 'pod.yaml'), '--format', 'sarif'])).stdout,
      ).runs[0];

      expect(inside.originalUriBaseIds.SRCROOT.uri).toBe(`${pathToFileURL(WORK).href}/`);
      expect(inside.results[0].locations[0].physicalLocation.artifactLocation).toEqual({
        uri: 'sarif/pod.yaml',
        uriBaseId: 'SRCROOT',
      });
      expect(away.results[0].locations[0].physicalLocation.artifactLocation).toEqual({
        uri: pathToFileURL(join(outside, 'pod.yaml')).href,
      });
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});

describe('kubeguard audit: results aggregated where a person reads them', () => {
  const pods = Array.from({ length: 12 }, (_, i) => M29.replace('name: pod-test-1', `name: pod-${i}`)).join(
    '\n---\n',
  );

  it('groups text per check and kind, showing the first 5; JSON and CSV keep every result', async () => {
    const file = write('many/pods.yaml', pods);

    const text = await audit(['--manifests', file]);
    const json = JSON.parse((await audit(['--manifests', file, '--format', 'json'])).stdout) as JsonOutput;
    const csv = (await audit(['--manifests', file, '--format', 'csv'])).stdout;

    expect(text.stdout).toContain('KP-060 No privileged containers — failed on 12 Pods; first 5:');
    expect(text.stdout).toContain('… and 7 more Pods (--format json or csv lists every result)');
    const kp060 = text.stdout.slice(text.stdout.indexOf('KP-060'), text.stdout.indexOf('fix:'));
    expect(kp060.match(/Pod\/pod-\d+/g)?.length).toBe(5);
    expect(json.results.filter((r) => r.checkId === 'KP-060' && r.status === 'fail')).toHaveLength(12);
    expect(
      csv.split('\r\n').filter((line) => line.startsWith('KP-060,') && line.includes(',fail,')),
    ).toHaveLength(12);
  });

  it('groups Markdown the same way', async () => {
    const file = write('many/pods.yaml', pods);

    const markdown = (await audit(['--manifests', file, '--format', 'markdown'])).stdout;

    expect(markdown).toContain('#### KP-060 No privileged containers — failed on 12 Pods');
    expect(markdown).toContain('… and 7 more Pods (--format json or csv lists every result)');
  });

  it('shows a check with nothing to look at as not applicable in every format', async () => {
    const file = write('na/pod.yaml', M29);

    const text = (await audit(['--manifests', file])).stdout;
    const markdown = (await audit(['--manifests', file, '--format', 'markdown'])).stdout;
    const csv = (await audit(['--manifests', file, '--format', 'csv'])).stdout;
    const json = JSON.parse((await audit(['--manifests', file, '--format', 'json'])).stdout) as JsonOutput;
    const sarif = JSON.parse((await audit(['--manifests', file, '--format', 'sarif'])).stdout);

    expect(text).toContain('\nNot applicable (nothing to look at)\n');
    expect(text).toMatch(/\n {2}KP-024 [^\n]*: no Secret and no workload that references one\n/);
    expect(markdown).toContain('## Not applicable (nothing to look at)');
    expect(csv).toMatch(/\r\nKP-024,[^\r\n]*,not applicable,low,/);
    expect(json.results.find((r) => r.checkId === 'KP-024')).toMatchObject({
      status: 'skip',
      message: 'not applicable: no Secret and no workload that references one',
    });
    expect(sarif.runs[0].properties.notApplicable).toContainEqual({
      checkId: 'KP-024',
      reason: 'no Secret and no workload that references one',
    });
  });
});

describe('kubeguard audit: help and mistyped options', () => {
  it('lists every option and the exit codes in help audit', async () => {
    const help = await runCli(['help', 'audit'], { cwd: WORK });

    for (const option of [
      '--manifests',
      '--kubeconfig',
      '--context',
      '--format',
      '--fail-on',
      '--output',
      '--strict',
      '--no-strict',
      '--sarif-root',
      '--approved-registry',
      '--approved-webhook',
    ]) {
      expect(help.stdout).toContain(option);
    }
    expect(help.stdout).toContain('.kubeguardignore');
    expect(help.stdout).toMatch(/Exit codes:[\s\S]*0 [\s\S]*1 [\s\S]*2 [\s\S]*3 /);
  });

  it.each([
    [['--manifest', 'x.yaml'], 'unknown option "--manifest"; did you mean --manifests?'],
    [['--manifests', 'x.yaml', '-o', 'out.json'], 'unknown option "-o"; did you mean --output or --format?'],
  ])('%j', async (args, message) => {
    const result = await audit(args);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });
});

describe('kubeguard audit --manifests - (standard input: `helm template . | kubeguard audit --manifests -`)', () => {
  it('audits the manifests piped in, plain or gzip, naming <stdin> as their file', async () => {
    for (const stdin of [M29, gzipSync(Buffer.from(M29))]) {
      const result = await runCli(['audit', '--manifests', '-', '--format', 'json'], { cwd: WORK, stdin });

      expect(result.code).toBe(1);
      const report = JSON.parse(result.stdout) as JsonOutput;
      expect(report.input).toEqual({ files: 1, objects: 1, skipped: [] });
      expect(report.results).toContainEqual(
        expect.objectContaining({ checkId: 'KP-060', status: 'fail', file: '<stdin>' }),
      );
    }
  });

  it('refuses a terminal as standard input (exit 2) instead of waiting', async () => {
    const result = await runCli(['audit', '--manifests', '-'], { cwd: WORK, stdinIsTTY: true });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--manifests -: standard input is a terminal; pipe manifests in');
  });

  it('reads stdin beside files', async () => {
    const file = write('stdin-beside/m27.yaml', M27);
    const result = await runCli(['audit', '--manifests', file, '-', '--format', 'json'], {
      cwd: WORK,
      stdin: M29,
    });

    expect((JSON.parse(result.stdout) as JsonOutput).input).toEqual({ files: 2, objects: 2, skipped: [] });
  });
});
