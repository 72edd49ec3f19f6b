import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '#test/support/cli.ts';
import { fixturePath } from '#test/support/fixtures.ts';
import { pngSize } from '#test/support/png.ts';

describe('kubeguard render digest', () => {
  it('prints the digest and its Slack message and writes the chart, from the example history file', async () => {
    const out = mkdtempSync(join(tmpdir(), 'kubeguard-digest-'));

    const run = await runCli(
      ['render', 'digest', '--history', fixturePath('digest/history.json'), '--out', out],
      { cwd: out },
    );

    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout);
    expect(printed.period).toEqual({
      frequency: 'weekly',
      from: '2026-11-30T09:00:00.000Z',
      to: '2026-12-07T09:00:00.000Z',
      nextTo: '2026-12-14T09:00:00.000Z',
    });
    expect(
      printed.digest.clusters.map((c: { cluster: string; latest?: { score: number }; change?: number }) => [
        c.cluster,
        c.latest?.score,
        c.change,
      ]),
    ).toEqual([
      ['staging', 65, -5],
      ['payments-prod', 80, 5],
      ['sandbox-new', undefined, undefined],
    ]);
    expect(printed.digest.response).toEqual({
      acknowledged: 1,
      meanMinutesToAcknowledge: 30,
      remediated: 1,
      meanMinutesToRemediate: 1440,
      stillOpen: 1,
    });
    expect(printed.digest.risks[1]).toMatchObject({
      checkId: 'KP-064',
      object: { namespace: 'payments', name: 'batch' },
      owner: 'team-payments',
    });
    expect(
      printed.digest.guardDutyGaps.map((gap: { checkId: string; status: string }) => [
        gap.checkId,
        gap.status,
      ]),
    ).toEqual([
      ['KP-014', 'skip'],
      ['KP-015', 'skip'],
      ['KP-016', 'skip'],
      ['KP-019', 'skip'],
    ]);
    expect(printed.digest.suppressions).toEqual([
      {
        source: 'configuration',
        ruleId: 'KD-020',
        cluster: 'payments-prod',
        namespace: 'payments',
        until: '2026-12-10T00:00:00.000Z',
        reason: 'load test, ticket SEC-42',
        expiring: true,
      },
    ]);
    expect(printed.message.text).toBe('Weekly posture digest: no change');
    expect(printed.chart).toMatchObject({ file: join(out, 'digest-chart.png'), width: 960, height: 540 });
    expect(pngSize(new Uint8Array(readFileSync(join(out, 'digest-chart.png'))))).toEqual({
      width: 960,
      height: 540,
    });
  });

  it('names the wrong field of a malformed history file and the format to follow', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubeguard-digest-'));
    const file = JSON.parse(readFileSync(fixturePath('digest/history.json'), 'utf8'));
    file.clusters[0].history[3].score = 'high';
    writeFileSync(join(dir, 'bad.json'), JSON.stringify(file));

    const run = await runCli(['render', 'digest', '--history', 'bad.json'], { cwd: dir });

    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'kubeguard render: bad.json: clusters.0.history.3.score: Invalid input: expected number, received string — see docs/digests.md for the format (test/fixtures/digest/history.json is an example)\n',
    );
  });

  it('asks for the history file', async () => {
    const run = await runCli(['render', 'digest'], { cwd: tmpdir() });

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('render digest needs --history FILE');
  });

  it('suggests the option meant', async () => {
    const run = await runCli(['render', 'digest', '--histroy', 'h.json'], { cwd: tmpdir() });

    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'kubeguard render: unknown option "--histroy"; did you mean --history?\nUsage: kubeguard render digest --history FILE [--out DIR] [--config FILE]\n',
    );
  });
});
