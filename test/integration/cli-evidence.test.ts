import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditRecordLine } from '#core/audit-trail/export.ts';
import { redactSnapshot } from '#core/evidence-pack/redact.ts';
import { runAudit } from '#core/posture/engine.ts';
import { toJson } from '#core/posture/export/json.ts';
import { snapshotFromManifests } from '#core/posture/manifest-snapshot.ts';
import { reportExportId } from '#core/posture/report-exports.ts';
import {
  evidenceCli,
  QUARTER_FINDINGS,
  QUARTER_TRAIL,
  verifyPrintedPack,
  workloadWithSecret,
} from '#test/support/evidence-cli.ts';

/**
 * `kubeguard evidence` as a user runs it: the CLI spawned on generated export files (a copy of the
 * bucket's audits/ folder, a findings export, an audit-trail export), the archive extracted with the
 * system tar and checked with `sha256sum -c`.
 */

const SENTINEL = 'sentinel-Kx7w-never-in-a-pack';
let work: string;

const cli = (args: string[], env: Record<string, string> = {}) => evidenceCli(work, args, env);

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'kubeguard-cli-evidence-'));
  const manifests = workloadWithSecret(SENTINEL);
  // A daily audit of two clusters from mid-December to mid-April: the first quarter is in between.
  for (const cluster of ['prod-eu', 'prod-us']) {
    for (let day = 0; day < 120; day += 7) {
      const takenAt = new Date(Date.parse('2025-12-15T06:00:00.000Z') + day * 86_400_000).toISOString();
      const snapshot = snapshotFromManifests(manifests, takenAt, cluster);
      const report = runAudit(snapshot);
      const directory = join(work, reportExportId(report));
      mkdirSync(directory, { recursive: true });
      writeFileSync(join(directory, 'report.json'), toJson(report));
      // As the posture audit stores it (redacted), but for one: a pack must redact it all the same.
      const stored = day === 21 ? snapshot : redactSnapshot(snapshot);
      writeFileSync(join(directory, 'snapshot.json'), `${JSON.stringify(stored)}\n`);
    }
  }
  writeFileSync(join(work, 'findings.jsonl'), QUARTER_FINDINGS.map((f) => JSON.stringify(f)).join('\n'));
  writeFileSync(
    join(work, 'trail.jsonl'),
    QUARTER_TRAIL.map((record) => `${auditRecordLine(record)}\n`).join(''),
  );
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('kubeguard evidence', () => {
  it('writes a pack of the quarter that the system tar extracts and sha256sum -c verifies, and prints both SHA-256s', async () => {
    const { stdout } = await cli([
      '--from',
      '2026-01-01',
      '--to',
      '2026-03-31',
      '--reports',
      'audits',
      '--findings',
      'findings.jsonl',
      '--audit-trail',
      'trail.jsonl',
      '--output',
      'q1.tar.gz',
    ]);

    const { root, checked, manifest } = verifyPrintedPack(work, 'q1.tar.gz', stdout);
    expect(checked).not.toMatch(/FAILED/);
    expect(manifest).toMatchObject({
      period: { from: '2026-01-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z' },
      clusters: ['prod-eu', 'prod-us'],
      requestedBy: 'cli:auditor',
      generatedAt: '2026-04-01T08:00:00.000Z',
    });
    // Every listed file is in SHA256SUMS and checked OK.
    expect(checked.trim().split('\n')).toHaveLength(manifest.files.length - 1);
    const reports = manifest.files.filter((f: { path: string }) => f.path.endsWith('/report.json'));
    // Weekly audits from 2025-12-15: 2026-01-05 … 2026-03-30 are in the quarter, 13 per cluster.
    expect(reports).toHaveLength(26);
    const withSentinel = (readdirSync(root, { recursive: true }) as string[]).filter((path) => {
      try {
        return readFileSync(join(root, path), 'utf8').includes(SENTINEL);
      } catch {
        return false; // a folder
      }
    });
    expect(withSentinel).toEqual([]);
    expect(stdout).toContain('sha256sum -c SHA256SUMS');
  }, 60_000);

  it('gives the same bytes for the same inputs and SOURCE_DATE_EPOCH, and never overwrites', async () => {
    const args = [
      '--from',
      '2026-02-01',
      '--to',
      '2026-02-28',
      '--reports',
      'audits',
      '--cluster',
      'prod-eu',
      '--framework',
      'soc2',
    ];
    await cli([...args, '--output', 'a.tar.gz']);
    await cli([...args, '--output', 'b.tar.gz']);

    expect(readFileSync(join(work, 'a.tar.gz')).equals(readFileSync(join(work, 'b.tar.gz')))).toBe(true);
    await expect(cli([...args, '--output', 'a.tar.gz'])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('already exists'),
    });
  }, 60_000);

  it('refuses bad arguments with exit 2 and says why', async () => {
    await expect(
      cli(['--from', '2026-02-30', '--to', '2026-03-01', '--reports', 'audits', '--output', 'x.tar.gz']),
    ).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('is not a date'),
    });
    await expect(
      cli([
        '--from',
        '2026-01-01',
        '--to',
        '2026-01-31',
        '--store',
        '--reports',
        'audits',
        '--output',
        'x.tar.gz',
      ]),
    ).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining(
        '--store reads the records from the stores; --reports would give them again',
      ),
    });
    await expect(
      cli(['--from', '2026-01-01', '--to', '2026-01-31', '--output', 'x.tar.gz']),
    ).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('missing --reports DIR|FILE'),
    });
  });
});
