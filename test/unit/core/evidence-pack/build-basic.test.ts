import { describe, expect, it } from 'vitest';
import { buildEvidencePack, sha256Hex } from '#core/evidence-pack/build.ts';
import type { EvidenceSources, PostureRun } from '#core/evidence-pack/model.ts';
import { runAudit } from '#core/posture/engine.ts';
import { generatedCluster } from '#test/support/generated-cluster.ts';

async function* each<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

describe('buildEvidencePack (small)', () => {
  const snapshot = generatedCluster(40, 'prod-eu');
  const inside = runAudit({ ...snapshot, takenAt: '2026-10-02T06:00:00.000Z' });
  const before = runAudit({ ...snapshot, takenAt: '2026-09-30T06:00:00.000Z' });
  const sources: EvidenceSources = {
    clusters: async () => ['prod-eu'],
    postureRuns: () =>
      each<PostureRun>([
        { cluster: 'prod-eu', report: before },
        { cluster: 'prod-eu', report: inside, snapshot },
      ]),
    findings: () => each([]),
    auditRecords: () => each([]),
  };
  const request = {
    clusters: 'all' as const,
    period: { from: '2026-10-01T00:00:00.000Z', to: '2026-11-01T00:00:00.000Z' },
    frameworks: ['soc2' as const],
    requestedBy: 'cli:test',
    generatedAt: '2026-11-01T01:00:00.000Z',
  };

  it('holds the runs of the period only, each file listed with its hash', async () => {
    const pack = await buildEvidencePack(request, sources);
    const paths = pack.files.map((f) => f.path);
    expect(paths).toContain('posture/prod-eu/2026-10-02T06-00-00.000Z/report.json');
    expect(paths).toContain('posture/prod-eu/2026-10-02T06-00-00.000Z/snapshot.json');
    expect(paths.some((p) => p.includes('2026-09-30'))).toBe(false);
    expect(paths.at(-1)).toBe('manifest.json');
    expect(pack.manifest.files.map((f) => f.path).sort()).toEqual(
      paths.filter((p) => p !== 'manifest.json').sort(),
    );
    for (const entry of pack.manifest.files) {
      const file = pack.files.find((f) => f.path === entry.path);
      expect(entry.sha256).toBe(sha256Hex(file?.content ?? ''));
    }
    expect(pack.id).toMatch(/^ep-2026-10-01-2026-11-01-[0-9a-f]{12}$/);
  });

  it('rejects an empty period', async () => {
    await expect(
      buildEvidencePack({ ...request, period: { from: request.period.to, to: request.period.to } }, sources),
    ).rejects.toThrow(/end after/);
  });
});
