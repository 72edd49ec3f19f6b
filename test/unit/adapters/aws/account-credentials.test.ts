import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createAccountCredentials,
  REFRESH_BEFORE_EXPIRY_MS,
  roleSessionName,
} from '#adapters/aws/account-credentials.ts';
import { parseConfig } from '#core/config/schema.ts';
import { type FakeSts, signingKeyOf, startFakeSts } from '#test/support/fake-sts.ts';

const CONFIG = parseConfig({
  accounts: [
    { id: '222233334444', name: 'prod', externalId: 'kubeguard-prod-7f3a' },
    {
      id: '555566667777',
      name: 'staging',
      roleArn: 'arn:aws:iam::555566667777:role/custom-kubeguard',
      externalId: 'kubeguard-staging-19c2',
    },
  ],
  clusters: [
    { name: 'home-cluster', region: 'us-east-1' },
    { name: 'prod-cluster', region: 'eu-west-1', account: '222233334444' },
    { name: 'staging-cluster', region: 'us-east-1', account: '555566667777' },
  ],
  slack: { defaultChannel: 'C0ALERTS' },
});
const HOME_KEYS = { accessKeyId: 'AKIDHOME', secretAccessKey: 'home-secret' };

let sts: FakeSts;
let lifetimeMs = 60 * 60_000;
beforeEach(async () => {
  lifetimeMs = 60 * 60_000;
  sts = await startFakeSts({ lifetimeMs: () => lifetimeMs });
});
afterEach(() => sts.close());

function credentialsAt(now: () => number = Date.now) {
  return createAccountCredentials({
    config: CONFIG,
    functionName: 'posture-audit',
    sts: { endpoint: sts.endpoint, region: 'us-east-1', credentials: HOME_KEYS },
    now,
  });
}

const cluster = (name: string) => {
  const found = CONFIG.clusters.find((c) => c.name === name);
  if (found === undefined) throw new Error(name);
  return found;
};

describe('account credentials', () => {
  it('uses the function’s own credentials for a home-account cluster: no AssumeRole', () => {
    expect(credentialsAt().forCluster(cluster('home-cluster'))).toEqual({ key: 'home' });
    expect(sts.calls).toEqual([]);
  });

  it('assumes the member account’s role with its external id, as kubeguard-<function>, signed as the function', async () => {
    const prod = credentialsAt().forCluster(cluster('prod-cluster'));

    expect(prod.key).toBe('222233334444');
    const identity = await prod.credentials?.();

    expect(identity).toMatchObject({
      accessKeyId: 'ASIAFAKE0001',
      secretAccessKey: 'secret-0001',
      sessionToken: 'session-0001',
    });
    expect(sts.calls).toHaveLength(1);
    expect(sts.calls[0]?.params).toEqual({
      Action: 'AssumeRole',
      Version: '2011-06-15',
      RoleArn: 'arn:aws:iam::222233334444:role/kubeguard-member',
      ExternalId: 'kubeguard-prod-7f3a',
      RoleSessionName: 'kubeguard-posture-audit',
      DurationSeconds: '3600',
    });
    expect(signingKeyOf(sts.calls[0]?.headers.authorization)).toBe('AKIDHOME');
  });

  it('uses a configured roleArn, and keeps one session per account', async () => {
    const credentials = credentialsAt();
    const staging = credentials.forCluster(cluster('staging-cluster'));
    await Promise.all([staging.credentials?.(), staging.credentials?.(), staging.credentials?.()]);
    await credentials.forCluster(cluster('staging-cluster')).credentials?.();

    expect(sts.calls.map((call) => call.params.RoleArn)).toEqual([
      'arn:aws:iam::555566667777:role/custom-kubeguard',
    ]);
  });

  it('assumes the role again only when the session is within 5 minutes of expiring', async () => {
    let now = Date.now();
    const prod = credentialsAt(() => now).forCluster(cluster('prod-cluster'));
    await prod.credentials?.();

    now += 60 * 60_000 - REFRESH_BEFORE_EXPIRY_MS - 60_000;
    expect((await prod.credentials?.())?.accessKeyId).toBe('ASIAFAKE0001');
    now += 2 * 60_000;
    expect((await prod.credentials?.())?.accessKeyId).toBe('ASIAFAKE0002');
    expect(sts.calls).toHaveLength(2);
  });

  it('fails naming the account, the role and the fix when the role cannot be assumed, and tries again next time', async () => {
    sts.failWith({
      status: 403,
      code: 'AccessDenied',
      message:
        'User: arn:aws:sts::111122223333:assumed-role/kubeguard-posture-audit/fn is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::222233334444:role/kubeguard-member',
    });
    const prod = credentialsAt().forCluster(cluster('prod-cluster'));

    const failure = prod.credentials?.();
    await expect(failure).rejects.toMatchObject({
      code: 'FORBIDDEN',
      details: {
        account: '222233334444',
        roleArn: 'arn:aws:iam::222233334444:role/kubeguard-member',
        sessionName: 'kubeguard-posture-audit',
      },
    });
    await expect(failure).rejects.toThrow(
      /^cannot assume arn:aws:iam::222233334444:role\/kubeguard-member in account prod \(222233334444\) \(sts:AssumeRole as kubeguard-posture-audit failed: AccessDenied: User: .* is not authorized to perform: sts:AssumeRole .*\); deploy the member-account stack in that account .* check that accounts\[\]\.externalId of 222233334444 matches/,
    );

    sts.failWith(undefined);
    expect((await prod.credentials?.())?.accessKeyId).toBe('ASIAFAKE0002');
  });

  it('refuses a cluster whose account is not configured instead of acting as the home account', () => {
    const stray = { ...cluster('prod-cluster'), account: '999988887777' };
    expect(() => credentialsAt().forCluster(stray)).toThrow(
      'cluster "prod-cluster" is in account 999988887777, which is not in accounts[]; add it with its roleArn and externalId',
    );
  });

  it('names the session after the function within STS’s characters and 64-character limit', () => {
    expect(roleSessionName('action-worker')).toBe('kubeguard-action-worker');
    expect(roleSessionName('a b/c')).toBe('kubeguard-a-b-c');
    expect(roleSessionName('x'.repeat(80))).toHaveLength(64);
  });
});
