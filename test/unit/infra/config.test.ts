import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '#core/errors.ts';
import { loadConfig, loadConfigFile } from '#infra/config.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'kubeguard-infra-config-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const VALID = {
  clusters: [{ name: 'prod-cluster', region: 'us-east-1' }],
  slack: { defaultChannel: '#kubeguard-alerts' },
};

function withCluster(cluster: Record<string, unknown>, index = 0): Record<string, unknown> {
  const clusters = [...VALID.clusters];
  clusters[index] = { ...clusters[index], ...cluster } as (typeof clusters)[number];
  return { ...VALID, clusters };
}

function errorOf(act: () => unknown): ConfigError {
  try {
    act();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('infra configuration', () => {
  it('hands the functions the file as written, minified, not the defaulted value', () => {
    const loaded = loadConfig(VALID);

    expect(JSON.parse(loaded.json)).toEqual(VALID);
    expect(loaded.config.clusters[0]?.auditLogGroup).toBe('/aws/eks/prod-cluster/cluster');
  });

  it('names the field of a wrong region', () => {
    const error = errorOf(() => loadConfig(withCluster({ region: 'mars' })));

    expect(error.message).toContain('clusters.0.region');
    expect(error.message).toContain('kubeguard.config.json');
  });

  it('refuses clusters in two regions and names the odd one out', () => {
    const raw = { ...VALID, clusters: [...VALID.clusters, { name: 'eu-cluster', region: 'eu-west-1' }] };

    const error = errorOf(() => loadConfig(raw));

    expect(error.message).toMatch(
      /clusters\.1\.region: "eu-west-1" differs from clusters\.0\.region "us-east-1"/,
    );
  });

  it('says which file could not be read and what to do', () => {
    const missing = join(scratch, 'absent.json');

    const error = errorOf(() => loadConfigFile(missing));

    expect(error.message).toContain(missing);
    expect(error.message).toContain('-c config=PATH');
  });

  it('reports a file that is not JSON', () => {
    const path = join(scratch, 'broken.json');
    writeFileSync(path, '{ "clusters": [ ');

    expect(errorOf(() => loadConfigFile(path)).message).toMatch(/not valid JSON/);
  });

  it('validates the repository’s own kubeguard.config.json', () => {
    const loaded = loadConfigFile(join(ROOT, 'kubeguard.config.json'));

    expect(loaded.config.clusters.length).toBeGreaterThan(0);
  });
});

describe('infra/bin/app.ts (what `cdk synth` runs)', () => {
  it('exits non-zero with a message naming the field when the configuration is wrong', () => {
    const path = join(scratch, 'mars.json');
    writeFileSync(path, JSON.stringify(withCluster({ region: 'mars' })));

    const run = spawnSync(process.execPath, [join(ROOT, 'infra', 'bin', 'app.ts')], {
      cwd: ROOT,
      encoding: 'utf8',
      env: {
        ...process.env,
        CDK_CONTEXT_JSON: JSON.stringify({ config: path }),
        CDK_OUTDIR: join(scratch, 'cdk.out'),
      },
    });

    expect(run.status).toBe(1);
    expect(run.stderr).toContain('clusters.0.region');
    expect(run.stderr).toContain(path);
  });
});
