import { describe, expect, it } from 'vitest';
import {
  accountLabel,
  clusterInAccount,
  configuredCluster,
  configuredRegions,
  memberAccountOf,
} from '#core/config/accounts.ts';
import { parseConfig } from '#core/config/schema.ts';
import { ConfigError } from '#core/errors.ts';
import { normalizeGuardDutyEvent } from '#core/guardduty/normalize.ts';
import type { Detection } from '#core/model/detection.ts';
import { routeDetection } from '#core/routing.ts';
import { loadFixture } from '#test/support/fixtures.ts';

/** The real-format GuardDuty exec finding, re-attributed to an account and cluster. */
function execDetection(changes: Partial<Detection>): Detection {
  const result = normalizeGuardDutyEvent(loadFixture('guardduty-eks-exec-in-kube-system-pod.json'));
  if (result.kind !== 'detection') throw new Error('fixture should normalize');
  return { ...result.detection, ...changes };
}

const HOME = '111122223333';
const PROD = '222233334444';
const DEV = '555566667777';

const organization = {
  home: { account: HOME, region: 'us-east-1' },
  accounts: [
    { id: PROD, name: 'prod', externalId: 'kubeguard-prod-7f3a' },
    { id: DEV, name: 'dev', roleArn: `arn:aws:iam::${DEV}:role/custom-reader`, externalId: 'dev-91c2' },
  ],
  clusters: [
    { name: 'platform', region: 'us-east-1' },
    { name: 'shop-prod', region: 'eu-west-1', account: PROD },
    { name: 'shop-dev', region: 'us-east-1', account: DEV },
    { name: 'home-explicit', region: 'us-west-2', account: HOME },
  ],
  slack: {
    defaultChannel: '#alerts',
    routes: [{ account: PROD, channel: '#prod-security' }],
  },
};

function configError(raw: unknown): string {
  try {
    parseConfig(raw, 'kubeguard.config.json');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('accounts and regions in kubeguard.config.json', () => {
  const config = parseConfig(organization);

  it('resolves each member account’s role (the default name or the one given) and keeps its external id', () => {
    expect(config.accounts).toEqual([
      {
        id: PROD,
        name: 'prod',
        roleArn: `arn:aws:iam::${PROD}:role/kubeguard-member`,
        externalId: 'kubeguard-prod-7f3a',
      },
      { id: DEV, name: 'dev', roleArn: `arn:aws:iam::${DEV}:role/custom-reader`, externalId: 'dev-91c2' },
    ]);
    expect(config.home).toEqual({ account: HOME, region: 'us-east-1' });
  });

  it('treats a cluster naming the home account as a home cluster', () => {
    expect(config.clusters.map((c) => c.account)).toEqual([undefined, PROD, DEV, undefined]);
    expect(memberAccountOf(config, config.clusters[1] as never)?.name).toBe('prod');
    expect(memberAccountOf(config, config.clusters[3] as never)).toBeUndefined();
  });

  it('defaults the home region to the first cluster’s and lists every region once, home first', () => {
    const unset = parseConfig({
      ...organization,
      home: undefined,
      accounts: [],
      clusters: [
        { name: 'a', region: 'eu-central-1' },
        { name: 'b', region: 'us-east-1' },
        { name: 'c', region: 'eu-central-1' },
      ],
      slack: { defaultChannel: '#alerts' },
    });
    expect(unset.home).toEqual({ region: 'eu-central-1' });
    expect(configuredRegions(unset)).toEqual(['eu-central-1', 'us-east-1']);
    expect(configuredRegions(config)).toEqual(['us-east-1', 'eu-west-1', 'us-west-2']);
  });

  it('finds a cluster by name and account: the same name from another account is another cluster', () => {
    expect(configuredCluster(config, 'shop-prod', PROD)?.region).toBe('eu-west-1');
    expect(configuredCluster(config, 'shop-prod', DEV)).toBeUndefined();
    expect(configuredCluster(config, 'shop-prod', undefined)?.name).toBe('shop-prod');
    expect(configuredCluster(config, 'platform', HOME)?.name).toBe('platform');
    expect(configuredCluster(config, 'platform', PROD)).toBeUndefined();
    expect(configuredCluster(config, 'unknown', HOME)).toBeUndefined();
  });

  it('without home.account, a home cluster is in any account that is not a member account', () => {
    const noHome = parseConfig({
      ...organization,
      home: { region: 'us-east-1' },
      clusters: organization.clusters.slice(0, 3),
    });
    const platform = noHome.clusters[0] as never;
    expect(clusterInAccount(noHome, platform, '999988887777')).toBe(true);
    expect(clusterInAccount(noHome, platform, PROD)).toBe(false);
  });

  it('labels member accounts by name and id', () => {
    expect(accountLabel(config, PROD)).toBe(`prod (${PROD})`);
    expect(accountLabel(config, HOME)).toBe(HOME);
  });

  it('routes by account: a route naming an account takes that account’s findings only', () => {
    const prodFinding = execDetection({ severity: 'high', account: PROD, cluster: 'shop-prod' });
    const devFinding = execDetection({ severity: 'high', account: DEV, cluster: 'shop-dev' });
    expect(routeDetection(prodFinding, config.slack)).toEqual({ channel: '#prod-security' });
    expect(routeDetection(devFinding, config.slack)).toEqual({ channel: '#alerts' });
  });

  it.each([
    [
      'an unknown cluster account',
      { clusters: [{ name: 'x', region: 'us-east-1', account: '999988887777' }] },
      `clusters.0.account: unknown account "999988887777"; accounts: ${HOME} (home), ${PROD} (prod), ${DEV} (dev) — add it to accounts (with its role and external id) or fix the id`,
    ],
    [
      'an account listed twice',
      { accounts: [organization.accounts[0], organization.accounts[0]] },
      `accounts.1.id: account "${PROD}" is listed twice`,
    ],
    [
      'the home account listed as a member',
      { accounts: [{ id: HOME, name: 'home', externalId: 'xx' }] },
      `accounts.0.id: "${HOME}" is the home account (home.account); list only member accounts here`,
    ],
    [
      'a role in another account',
      { accounts: [{ id: PROD, name: 'prod', roleArn: `arn:aws:iam::${DEV}:role/r`, externalId: 'xx' }] },
      `accounts.0.roleArn: the role is in account ${DEV}, not in ${PROD} — use the role the member-account stack created there`,
    ],
    [
      'a route naming an unknown account',
      { slack: { defaultChannel: '#alerts', routes: [{ account: '999988887777', channel: '#x' }] } },
      'slack.routes.0.account: unknown account "999988887777"',
    ],
    [
      'a malformed account id',
      { home: { account: '1234', region: 'us-east-1' } },
      'home.account: must be a 12-digit AWS account id',
    ],
    [
      'a malformed home region',
      { home: { region: 'mars-1' } },
      'home.region: must be an AWS region such as us-east-1',
    ],
    [
      'an external id with a space',
      { accounts: [{ id: PROD, name: 'prod', externalId: 'a b' }] },
      'accounts.0.externalId: must be 2 to 1224 characters',
    ],
  ])('refuses %s, naming it', (_, change, message) => {
    const raw = {
      ...organization,
      clusters: [organization.clusters[0]],
      slack: { defaultChannel: '#alerts' },
      ...change,
    };
    expect(configError(raw)).toContain(message);
  });
});
