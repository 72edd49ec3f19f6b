import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { printable } from '../../../cli/input-files.ts';
import { runCli } from '../../support/cli.ts';
import { FIXTURES_DIR, fixturePath, fixtureWith, loadFixture } from '../../support/fixtures.ts';

const REPO = join(FIXTURES_DIR, '..', '..');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function detect(args: string[], options: { stdin?: string; cwd?: string } = {}): Promise<Run> {
  return runCli(['detect', ...args], { stdin: options.stdin, cwd: options.cwd ?? REPO });
}

const jsonLines = (text: string) =>
  text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

const cwLambdaEvent = () => JSON.stringify(loadFixture('cwlogs-eks-audit-lambda-event.json', 'lambdaEvent'));
const guardDuty = (name: string) => JSON.stringify(loadFixture(name));

describe('kubeguard detect', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kubeguard-detect-'));
    writeFileSync(
      join(dir, 'cw-event.json'),
      JSON.stringify(loadFixture('cwlogs-eks-audit-lambda-event.json', 'lambdaEvent'), null, 2),
    );
    writeFileSync(
      join(dir, 'guardduty.jsonl'),
      `${guardDuty('guardduty-eks-exec-in-kube-system-pod.json')}\n`,
    );
    writeFileSync(
      join(dir, 'mixed.jsonl'),
      [JSON.stringify(loadFixture('eks-audit-exec-pod-create.json')), 'oops', '{"a":1}'].join('\n'),
    );
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints one JSON object per detection with the documented fields (CloudWatch event on stdin)', async () => {
    const run = await detect(['--format', 'json'], { stdin: cwLambdaEvent() });
    expect(run.code).toBe(1);
    const records = jsonLines(run.stdout);
    expect(records.length).toBeGreaterThan(0);
    for (const record of records) {
      expect(record).toMatchObject({
        ruleId: expect.stringMatching(/^KD-\d{3}$/),
        title: expect.any(String),
        severity: expect.stringMatching(/^(low|medium|high|critical)$/),
        source: 'audit-log',
        cluster: 'prod-cluster',
        eventId: expect.any(String),
        line: 1,
        mitre: expect.any(Array),
      });
      expect(record.file).toBeUndefined();
    }
    expect(run.stderr).toBe(`records: 10, detections: ${records.length}, malformed: 0\n`);
  });

  it('prints GuardDuty detections with their finding type and finding id', async () => {
    const run = await detect(['--format=json', 'guardduty.jsonl'], { cwd: dir });
    expect(jsonLines(run.stdout)).toEqual([
      {
        ruleId: 'KD-021',
        title: expect.any(String),
        severity: 'medium',
        source: 'guardduty',
        findingType: 'Execution:Kubernetes/ExecInKubeSystemPod',
        cluster: 'prod-cluster',
        namespace: 'kube-system',
        pod: 'aws-node-7xk2p',
        workload: 'pod/aws-node-7xk2p',
        principal: 'arn:aws:sts::111122223333:assumed-role/DevOpsRole/jdoe',
        actor: { arn: 'arn:aws:sts::111122223333:assumed-role/DevOpsRole/jdoe', sessionName: 'jdoe' },
        sourceIps: ['198.51.100.23'],
        eventId: '8ec6f2b1a9d04c7e9b1f3a2d5c4e6f70',
        line: 1,
        file: 'guardduty.jsonl',
        mitre: ['T1609'],
      },
    ]);
  });

  it('gives the line where a pretty-printed document starts', async () => {
    const run = await detect(['--format', 'json', '-'], {
      stdin: `\n\n${JSON.stringify(loadFixture('eks-audit-exec-pod-create.json'), null, 2)}`,
    });
    expect(jsonLines(run.stdout).map((r) => r.line)).toEqual(expect.arrayContaining([3]));
    expect(new Set(jsonLines(run.stdout).map((r) => r.line))).toEqual(new Set([3]));
  });

  it('names the IAM identity behind a shared username and the auditID to grep for', async () => {
    const exec = JSON.stringify(loadFixture('eks-audit-exec-pod-create.json'));
    const text = await detect(['-'], { stdin: exec });
    expect(text.stdout.split('\n')[0]).toMatch(
      / by kubernetes-admin · assumed-role\/DevOpsRole\/jdoe \[ca1ed9f4-7bf4-4c85-81a8-1b11253d1ba6\]$/,
    );
    const json = await detect(['--format', 'json', '-'], { stdin: exec });
    expect(jsonLines(json.stdout)[0]).toMatchObject({
      principal: 'kubernetes-admin',
      actor: {
        arn: 'arn:aws:sts::111122223333:assumed-role/DevOpsRole/jdoe',
        sessionName: 'jdoe',
        accessKeyId: 'ASIAEXAMPLEKEYID0001',
      },
      auditId: 'ca1ed9f4-7bf4-4c85-81a8-1b11253d1ba6',
      eventId: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
  });

  it('prints one readable line per detection in text format', async () => {
    const run = await detect(['cw-event.json', 'guardduty.jsonl'], { cwd: dir });
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines.some((l) => /^cw-event\.json:1 +\w+ +KD-\d{3} .* \[[\w-]+\]$/.test(l))).toBe(true);
    expect(lines.at(-1)).toBe(
      'guardduty.jsonl:1 MEDIUM   KD-021 Command executed inside a pod in kube-system namespace on EKS Cluster prod-cluster. — prod-cluster/kube-system/aws-node-7xk2p by assumed-role/DevOpsRole/jdoe [8ec6f2b1a9d04c7e9b1f3a2d5c4e6f70]',
    );
    expect(run.stderr).toMatch(/^records: 11, detections: \d+, malformed: 0\n$/);
  });

  it('reports malformed records on stderr with file, line and reason, and goes on (exit 1: detections)', async () => {
    const run = await detect(['--format', 'json', 'mixed.jsonl'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^mixed\.jsonl:2: malformed: not valid JSON/m);
    expect(run.stderr).toMatch(/^mixed\.jsonl:3: malformed: not a record kubeguard reads/m);
    expect(run.stderr).toMatch(/records: 1, detections: \d+, malformed: 2\n$/);
  });

  it('lists skipped records (control messages, other streams) on stderr', async () => {
    const control = JSON.stringify(loadFixture('cwlogs-control-message.json', 'decoded'));
    const run = await detect([], { stdin: control });
    expect(run.stderr).toBe(
      '<stdin>:1: skipped: CloudWatch Logs CONTROL_MESSAGE (connectivity probe)\nrecords: 0, detections: 0, malformed: 0, skipped: 1\n',
    );
  });

  it('reads the public corpus in lenient mode', async () => {
    const run = await detect([
      '--lenient',
      '--format',
      'json',
      fixturePath('corpus/public/audit-events.jsonl'),
    ]);
    expect(run.stderr).toMatch(/records: 186, detections: \d+, malformed: 0\n$/);
  });

  it('names the cluster of bare audit events with --cluster', async () => {
    const run = await detect(['--format', 'json', '--cluster', 'dev'], {
      stdin: JSON.stringify(loadFixture('eks-audit-exec-pod-create.json')),
    });
    expect(jsonLines(run.stdout).every((r) => r.cluster === 'dev')).toBe(true);
  });

  it.each([
    [['--bogus'], /unknown option "--bogus"/],
    [['--format', 'xml'], /--format must be json or text; received "xml"/],
    [['--format'], /--format must be json or text; received nothing/],
    [['--cluster'], /--cluster needs a cluster name/],
    [['missing.jsonl'], /cannot read "missing.jsonl" \(ENOENT\)/],
  ])('exits 2 for unusable arguments %j, saying what is wrong', async (args, message) => {
    const run = await detect(args, { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
  });

  it('exits 2 naming a directory given as a file', async () => {
    const run = await detect(['.'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/cannot read "\." \(EISDIR\)/);
  });

  it('shows control characters from hostile records escaped, so they cannot drive the terminal', async () => {
    const hostile = fixtureWith('eks-audit-exec-pod-create.json', {
      user: { username: 'evil\u001b[2J\rroot\nforged' },
    });
    const run = await detect([], { stdin: JSON.stringify(hostile) });
    expect(run.stdout).not.toContain('\u001b');
    expect(run.stdout).not.toContain('\r');
    expect(run.stdout).toContain('evil\\u001b[2J\\u000droot\\u000aforged');
    expect(printable('a\u0085b\u007f')).toBe('a\\u0085b\\u007f');
  });

  it('never fails on hostile GuardDuty events and keeps the good findings of the same input', async () => {
    const good = [
      'guardduty-eks-exec-in-kube-system-pod.json',
      'guardduty-eks-privileged-container.json',
      'guardduty-eks-persistence-successful-anonymous-access.json',
    ].map(guardDuty);
    const fields = [
      'detail',
      'severity',
      'resource',
      'service',
      'type',
      'id',
      'updatedAt',
      'createdAt',
      'accountId',
      'region',
    ];
    const hostile = fc
      .tuple(fc.constantFrom(...fields), fc.jsonValue({ maxDepth: 3 }))
      .map(([field, value]) =>
        JSON.stringify(
          field === 'detail'
            ? {
                ...loadFixture<Record<string, unknown>>('guardduty-eks-privileged-container.json'),
                detail: value,
              }
            : fixtureWith('guardduty-eks-privileged-container.json', { detail: { [field]: value } }),
        ),
      );
    await fc.assert(
      fc.asyncProperty(fc.array(hostile, { maxLength: 6 }), async (bad) => {
        const run = await detect(['--format', 'json'], { stdin: [...bad, ...good].join('\n') });
        expect(run.code).toBe(1);
        const ids = jsonLines(run.stdout).map((r) => r.eventId);
        expect(ids).toEqual(
          expect.arrayContaining([
            '8ec6f2b1a9d04c7e9b1f3a2d5c4e6f70',
            'f2c3859c6ca25b3057d13470a992bbd7',
            '250023a9abcdefabcdef12345678',
          ]),
        );
      }),
      { numRuns: 150 },
    );
  });
});

describe('kubeguard detect (the real binary)', () => {
  it('runs on a fixture file through bin/kubeguard.js', async () => {
    // Detections exit 1: execFile rejects with the outputs and the code.
    const { stdout, stderr, code } = (await promisify(execFile)(
      process.execPath,
      [
        'bin/kubeguard.js',
        'detect',
        '--lenient',
        '--format',
        'json',
        'test/fixtures/corpus/public/audit-events.jsonl',
      ],
      { cwd: REPO, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, CI: '' } },
    ).catch((error: { stdout: string; stderr: string; code: number }) => error)) as {
      stdout: string;
      stderr: string;
      code?: number;
    };
    expect(code).toBe(1);
    const records = jsonLines(stdout);
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((r) => r.file === 'test/fixtures/corpus/public/audit-events.jsonl')).toBe(true);
    expect(stderr).toBe(`records: 186, detections: ${records.length}, malformed: 0\n`);
  });

  it('stops quietly when the reader of its output goes away (`kubeguard detect … | head -1`)', async () => {
    const child = spawn(
      process.execPath,
      ['bin/kubeguard.js', 'detect', '--lenient', 'test/fixtures/corpus/public/audit-events.jsonl'],
      { cwd: REPO, env: { ...process.env, CI: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => {
      stderr += data.toString('utf8');
    });
    // The first line arrives, then the reader closes its end, as `head -1` does.
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));

    expect(stderr).not.toMatch(/EPIPE|Error|at /);
    expect(code).toBe(1);
  });

  it('exits 2 on an unknown option', async () => {
    const failure = await promisify(execFile)(process.execPath, ['bin/kubeguard.js', 'detect', '--nope'], {
      cwd: REPO,
    }).catch((error: { code: number; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 2, stderr: expect.stringMatching(/unknown option "--nope"/) });
  });
});
