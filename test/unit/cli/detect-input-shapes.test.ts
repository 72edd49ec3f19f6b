import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../../cli/io.ts';
import { main } from '../../../cli/kubeguard.ts';
import { PASCAL_EXCEPTIONS } from '../../../core/ingest/guardduty-finding.ts';
import {
  auditEvents,
  filterLogEventsOutput,
  GUARDDUTY_FIXTURES,
  getFindingsOutput,
  getLogEventsOutput,
  s3ExportText,
  sdkPascalExceptions,
} from '../../support/aws-exports.ts';
import { runCli } from '../../support/cli.ts';
import { FIXTURES_DIR, fixturePath, loadFixture } from '../../support/fixtures.ts';

const REPO = join(FIXTURES_DIR, '..', '..');

const detect = (
  args: string[],
  options: { stdin?: string | Uint8Array; cwd?: string; env?: Record<string, string> } = {},
) => runCli(['detect', ...args], { cwd: options.cwd ?? REPO, stdin: options.stdin, env: options.env });

const ids = (stdout: string) =>
  stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const record = JSON.parse(line) as { ruleId: string; eventId: string };
      return `${record.ruleId} ${record.eventId}`;
    })
    .sort();

const jsonLines = (events: unknown[]) => events.map((event) => JSON.stringify(event)).join('\n');

describe('kubeguard detect reads every shape AWS tools export, by content', () => {
  /** The detections of the fixtures' audit events given as plain JSON Lines: the reference. */
  let reference: string[];
  let guardDutyReference: string[];

  beforeAll(async () => {
    reference = ids((await detect(['--format', 'json'], { stdin: jsonLines(auditEvents()) })).stdout);
    guardDutyReference = ids(
      (
        await detect(['--format', 'json'], {
          stdin: jsonLines(GUARDDUTY_FIXTURES.map((name) => loadFixture(name))),
        })
      ).stdout,
    );
    expect(reference.length).toBeGreaterThan(4);
    expect(guardDutyReference).toHaveLength(3);
  });

  it.each([
    ['aws logs filter-log-events output', () => filterLogEventsOutput()],
    ['aws logs get-log-events output', () => getLogEventsOutput()],
    ['a CloudWatch Logs export to S3 (gzip)', () => gzipSync(s3ExportText())],
    ['the same export, gunzipped', () => s3ExportText()],
    ['JSON Lines gzipped', () => gzipSync(jsonLines(auditEvents()))],
    ['JSON Lines with a UTF-8 byte-order mark', () => `\ufeff${jsonLines(auditEvents())}`],
    ['JSON Lines with CRLF line ends', () => jsonLines(auditEvents()).replaceAll('\n', '\r\n')],
    [
      'a pretty-printed JSON array with CRLF and a BOM',
      () => `\ufeff${JSON.stringify(auditEvents(), null, 2).replaceAll('\n', '\r\n')}`,
    ],
    [
      'an audit EventList',
      () =>
        JSON.stringify(
          { kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items: auditEvents() },
          null,
          2,
        ),
    ],
  ])('%s: the same detections as the events as JSON Lines', async (_shape, input) => {
    const run = await detect(['--format', 'json', '--cluster', 'c'], { stdin: input() });
    const plain = await detect(['--format', 'json', '--cluster', 'c'], { stdin: jsonLines(auditEvents()) });
    expect(ids(run.stdout)).toEqual(ids(plain.stdout));
    expect(run.stderr).toMatch(/^records: 5, detections: \d+, malformed: 0\n$/);
    expect(run.code).toBe(1);
  });

  it('keeps the first event of a file that starts with a byte-order mark', async () => {
    const [first] = auditEvents();
    const run = await detect(['--format', 'json'], { stdin: `\ufeff${JSON.stringify(first)}\n` });
    expect(run.stderr).toMatch(/^records: 1, /);
  });

  it('skips the log events of other streams in filter-log-events output, saying which', async () => {
    const text = filterLogEventsOutput(auditEvents().slice(0, 1), 'authenticator-0123456789abcdef');
    const run = await detect([], { stdin: text });
    expect(run.stderr).toContain(
      '<stdin>:3: skipped: log stream "authenticator-0123456789abcdef" is not a kube-apiserver audit stream (kube-apiserver-audit-*)',
    );
    expect(run.code).toBe(0);
  });

  it('aws guardduty get-findings output (PascalCase) gives the detections of the EventBridge events', async () => {
    const run = await detect(['--format', 'json'], { stdin: getFindingsOutput() });
    expect(ids(run.stdout)).toEqual(guardDutyReference);
    expect(run.stderr).toBe('records: 3, detections: 3, malformed: 0\n');
  });

  it('bare findings (camelCase, one per line) give the same detections', async () => {
    const bare = GUARDDUTY_FIXTURES.map((name) => loadFixture<{ detail: unknown }>(name).detail);
    const run = await detect(['--format', 'json'], { stdin: jsonLines(bare) });
    expect(ids(run.stdout)).toEqual(guardDutyReference);
  });

  it('knows every GuardDuty member whose JSON name is not its lower-cased name (SDK schema)', () => {
    expect(PASCAL_EXCEPTIONS).toEqual(sdkPascalExceptions());
  });
});

describe('kubeguard detect streams its input', () => {
  it('writes detections while standard input is still being read, in chunks', async () => {
    const line = `${jsonLines(auditEvents())}\n`;
    const chunks = 40;
    let stdout = '';
    let outputBeforeEnd = 0;
    const io: CliIo = {
      stdout: (text) => {
        stdout += text;
      },
      stderr: () => {},
      stdin: async function* () {
        for (let i = 0; i < chunks; i++) {
          if (i === chunks - 1) outputBeforeEnd = stdout.length;
          // 100 copies of the 5 events per chunk, each with its own auditID.
          yield Buffer.from(line.repeat(100).replaceAll('"auditID":"', `"auditID":"c${i}-`));
        }
      },
      stdinIsTTY: false,
      cwd: REPO,
      env: {},
    };
    const code = await main(['detect', '--format', 'json'], io);
    expect(code).toBe(1);
    expect(outputBeforeEnd).toBeGreaterThan(0);
    expect(outputBeforeEnd).toBeLessThan(stdout.length);
  });
});

describe('kubeguard detect exit codes', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kubeguard-detect-exit-'));
    writeFileSync(
      join(dir, 'binary.bin'),
      Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 1, 2, 3, 0x0a, 0x7b]),
    );
    writeFileSync(join(dir, 'empty.jsonl'), '');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const denied = () => JSON.stringify(loadFixture('eks-audit-anonymous-denied.json'));

  it('exits 1 on detections at or above --fail-on, 0 below it', async () => {
    const exec = JSON.stringify(loadFixture('eks-audit-exec-pod-create.json'));
    expect((await detect([], { stdin: exec })).code).toBe(1);
    expect((await detect(['--fail-on', 'critical'], { stdin: denied() })).code).toBe(0);
    expect((await detect(['--fail-on=low'], { stdin: denied() })).code).toBe(1);
  });

  it('exits 0 on clean input', async () => {
    const benign = JSON.stringify(loadFixture('eks-audit-benign-get-pod-log.json'));
    const run = await detect([], { stdin: benign });
    expect(run).toMatchObject({ code: 0, stdout: '' });
  });

  it.each([
    ['empty input', '', /no input: the input is empty/],
    ['blank lines', '\n \r\n\n', /no input: the input holds no record/],
    [
      'every record malformed',
      'oops\n{"hello":"world"}\n',
      /nothing usable: every record \(2\) is malformed/,
    ],
  ])('exits 2 on %s', async (_case, stdin, message) => {
    const run = await detect([], { stdin });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it('exits 2 on a binary file, naming it', async () => {
    const run = await detect(['binary.bin'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'binary.bin: unreadable: binary.bin is binary data (a NUL byte at offset 4)',
    );
  });

  it('--strict (the default when CI=true) exits 2 on a malformed record, after printing every detection', async () => {
    const stdin = `${denied()}\noops\n`;
    const lax = await detect(['--format', 'json'], { stdin });
    const strict = await detect(['--format', 'json', '--strict'], { stdin });
    const ci = await detect(['--format', 'json'], { stdin, env: { CI: 'true' } });
    const ciLax = await detect(['--format', 'json', '--no-strict'], { stdin, env: { CI: 'true' } });
    expect(lax.code).toBe(1);
    expect(strict.code).toBe(2);
    expect(strict.stdout).toBe(lax.stdout);
    expect(strict.stderr).toMatch(/--strict: 1 malformed record\(s\); every record must be usable/);
    expect(ci.code).toBe(2);
    expect(ciLax.code).toBe(1);
  });

  it('does not count records it understood but skipped as errors under --strict', async () => {
    const control = JSON.stringify(loadFixture('cwlogs-control-message.json', 'decoded'));
    expect((await detect(['--strict'], { stdin: control })).code).toBe(0);
  });

  it('exits 2 at a terminal with no FILE instead of waiting', async () => {
    const run = await runCli(['detect'], { cwd: REPO, stdinIsTTY: true });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^kubeguard detect: no input: standard input is a terminal\./);
  });

  it('suggests --lenient for a trimmed trace', async () => {
    const corpus = fixturePath('corpus/public/audit-events.jsonl');
    const run = await detect([corpus]);
    expect(run.stderr).toMatch(
      /audit-events\.jsonl:\d+: malformed: .*it looks like a trimmed audit trace \(no apiVersion, auditID or verb\): read it with --lenient/,
    );
  });
});

describe('kubeguard detect arguments', () => {
  it('lists every option and the exit codes in its help', async () => {
    const help = await runCli(['help', 'detect'], { cwd: REPO });
    for (const option of [
      '--format',
      '--fail-on',
      '--config',
      '--lenient',
      '--cluster',
      '--strict',
      '--no-strict',
    ])
      expect(help.stdout).toContain(option);
    expect(help.stdout).toMatch(/Exit codes:\n {2}0 .*\n {2}1 .*\n {2}2 /);
    expect((await runCli(['detect', '--help'], { cwd: REPO })).stdout).toBe(help.stdout);
  });

  it.each([
    ['--fail-level', /unknown option "--fail-level"; did you mean --fail-on\?/],
    ['--lenent', /unknown option "--lenent"; did you mean --lenient\?/],
    ['--strct', /did you mean --strict\?/],
  ])('says what was meant by %s', async (option, message) => {
    const run = await detect([option]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it('rejects an unknown --fail-on severity', async () => {
    const run = await detect(['--fail-on', 'severe']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--fail-on must be one of low, medium, high, critical; received "severe"');
  });

  it('reads --config like render alert, so both agree on the same input', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubeguard-detect-config-'));
    try {
      const config = join(dir, 'config.json');
      writeFileSync(
        config,
        JSON.stringify({
          clusters: [{ name: 'prod-cluster', region: 'us-east-1' }],
          slack: { defaultChannel: 'C0ALERTS' },
          detection: { rules: { 'KD-020': { enabled: false } } },
        }),
      );
      const exec = JSON.stringify(loadFixture('eks-audit-exec-pod-create.json'));
      const all = await detect(['--format', 'json'], { stdin: exec, cwd: dir });
      const configured = await detect(['--format', 'json', '--config', config], { stdin: exec, cwd: dir });
      const rendered = await runCli(['render', 'alert', '--per-detection', '--config', config], {
        stdin: exec,
        cwd: dir,
      });
      expect(ids(all.stdout)).toContain(ids(all.stdout).find((id) => id.startsWith('KD-020 ')));
      expect(ids(configured.stdout).some((id) => id.startsWith('KD-020 '))).toBe(false);
      const renderedRules = rendered.stdout
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => (JSON.parse(line) as { ruleId: string }).ruleId)
        .sort();
      expect(ids(configured.stdout).map((id) => id.split(' ')[0])).toEqual(renderedRules);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
