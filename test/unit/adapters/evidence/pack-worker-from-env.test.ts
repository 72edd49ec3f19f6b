import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { evidenceWorkerPortsFromEnv } from '../../../../adapters/evidence/pack-worker-from-env.ts';
import { InMemoryAuditTrail } from '../../../../adapters/local/in-memory-audit-trail.ts';
import { parseConfig } from '../../../../core/config/schema.ts';
import { InMemoryFindingStore } from '../../../support/in-memory-finding-store.ts';

const config = parseConfig({
  clusters: [{ name: 'prod-cluster', region: 'us-east-1' }],
  slack: { defaultChannel: 'C0ALERTS' },
});
const stores = () => ({
  // No audit in the period.
  history: { put: async () => {}, latest: async () => [] },
  findings: new InMemoryFindingStore(),
  trail: new InMemoryAuditTrail(),
});
let dir: string | undefined;

afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('evidence ports from the environment', () => {
  it('are absent without an evidence store (the command then says packs are not set up)', () => {
    expect(evidenceWorkerPortsFromEnv({ config }, stores())).toBeUndefined();
  });

  it('build a pack into <dir>/evidence-packs with a local directory', async () => {
    dir = mkdtempSync(join(tmpdir(), 'kubeguard-pack-env-'));
    const ports = evidenceWorkerPortsFromEnv({ config, evidenceDirectory: dir }, stores());
    if (ports === undefined) throw new Error('no ports');

    expect(await ports.sources.clusters()).toEqual(['prod-cluster']);
    const { stored, files, summaries } = await ports.store.write(
      {
        clusters: ['prod-cluster'],
        period: { from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' },
        frameworks: ['soc2'],
        requestedBy: 'schedule',
        generatedAt: '2026-12-01T06:00:00.000Z',
      },
      ports.sources,
    );

    expect(stored.location).toBe(join(dir, 'evidence-packs', `${stored.packId}.tar.gz`));
    expect(existsSync(stored.location)).toBe(true);
    expect(existsSync(join(dir, 'evidence-packs', `${stored.packId}.manifest.json`))).toBe(true);
    // No run, finding or record in the period: the pack still holds its summary and says so.
    expect(files).toBe(10);
    expect(summaries).toMatchObject([{ framework: 'soc2' }]);
  });

  it('use the evidence bucket when it is named', () => {
    const ports = evidenceWorkerPortsFromEnv(
      { config, evidenceBucket: 'kubeguard-evidence-111122223333-us-east-1', region: 'us-east-1' },
      stores(),
    );
    expect(ports).toBeDefined();
  });
});
