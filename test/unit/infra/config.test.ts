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

const MEMBER = { id: '222233334444', name: 'prod', externalId: 'kubeguard-prod-7f3a' };

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

  it('accepts clusters in two regions, the home region first', () => {
    const raw = { ...VALID, clusters: [...VALID.clusters, { name: 'eu-cluster', region: 'eu-west-1' }] };

    const loaded = loadConfig(raw);

    expect(loaded.config.home).toEqual({ region: 'us-east-1' });
    expect(loaded.config.clusters.map((cluster) => cluster.region)).toEqual(['us-east-1', 'eu-west-1']);
  });

  it('names a region no AWS partition has', () => {
    const raw = { ...VALID, clusters: [...VALID.clusters, { name: 'typo-cluster', region: 'us-east-7' }] };

    const error = errorOf(() => loadConfig(raw));

    expect(error.message).toMatch(
      /clusters\.1\.region: "us-east-7" is not an AWS region \(known: us-east-1, us-east-2/,
    );
  });

  it('refuses a cluster in another partition than the home region', () => {
    const raw = { ...VALID, clusters: [...VALID.clusters, { name: 'cn-cluster', region: 'cn-north-1' }] };

    expect(errorOf(() => loadConfig(raw)).message).toMatch(
      /clusters\.1\.region: "cn-north-1" is in partition aws-cn, the home region "us-east-1" in aws/,
    );
  });

  it('needs the home account when member accounts are listed', () => {
    const raw = { ...VALID, accounts: [MEMBER] };

    expect(errorOf(() => loadConfig(raw)).message).toMatch(
      /home\.account is required when accounts lists member accounts \(222233334444\)/,
    );
    // -c account=ID fills it in.
    expect(loadConfig(raw, 'kubeguard.config.json', { account: '111122223333' }).config.home).toEqual({
      account: '111122223333',
      region: 'us-east-1',
    });
  });

  it('refuses -c account and -c region that contradict home', () => {
    const raw = { ...VALID, home: { account: '111122223333', region: 'us-east-1' } };

    expect(errorOf(() => loadConfig(raw, 'kubeguard.config.json', { account: '999988887777' })).message).toBe(
      '-c account=999988887777 conflicts with kubeguard.config.json: home.account "111122223333" — drop -c account or change home.account',
    );
    expect(errorOf(() => loadConfig(raw, 'kubeguard.config.json', { region: 'eu-west-1' })).message).toMatch(
      /^-c region=eu-west-1 conflicts with kubeguard.config.json: home.region "us-east-1"/,
    );
    expect(
      errorOf(() =>
        loadConfig({ ...VALID, accounts: [MEMBER] }, 'kubeguard.config.json', { account: MEMBER.id }),
      ).message,
    ).toMatch(/^-c account=222233334444 is accounts\.0 of kubeguard.config.json, a member account/);
  });

  it('names a member role whose name IAM would refuse', () => {
    const roleArn = `arn:aws:iam::222233334444:role/${'k'.repeat(65)}`;
    const raw = { ...VALID, home: { account: '111122223333' }, accounts: [{ ...MEMBER, roleArn }] };

    expect(errorOf(() => loadConfig(raw)).message).toMatch(
      /accounts\.0\.roleArn: role name "k{65}" is 65 characters; IAM allows 64/,
    );
  });

  it('names a member role in another account (parseConfig)', () => {
    const roleArn = 'arn:aws:iam::444455556666:role/kubeguard-member';
    const raw = { ...VALID, home: { account: '111122223333' }, accounts: [{ ...MEMBER, roleArn }] };

    expect(errorOf(() => loadConfig(raw)).message).toMatch(
      /accounts\.0\.roleArn: the role is in account 444455556666, not in 222233334444/,
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
