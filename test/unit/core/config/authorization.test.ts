import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../core/config/schema.ts';

const minimal = {
  clusters: [
    { name: 'prod-cluster', region: 'us-east-1' },
    { name: 'staging', region: 'eu-west-1' },
  ],
  slack: { defaultChannel: '#alerts' },
};

describe('kubeguard.config.json authorization', () => {
  it('grants nothing by default and reuses user-group lookups for a minute', () => {
    expect(parseConfig(minimal).authorization).toEqual({ grants: [], userGroupCacheSeconds: 60 });
  });

  it('reads grants to users and user groups, for every cluster or the ones named', () => {
    const config = parseConfig({
      ...minimal,
      authorization: {
        grants: [
          { role: 'admin', users: ['U0ADMIN'] },
          { role: 'responder', userGroups: ['S0ONCALL'], clusters: ['prod-cluster'] },
        ],
        contact: '#platform-security',
        userGroupCacheSeconds: 0,
      },
    });

    expect(config.authorization).toEqual({
      grants: [
        { role: 'admin', users: ['U0ADMIN'], userGroups: [] },
        { role: 'responder', users: [], userGroups: ['S0ONCALL'], clusters: ['prod-cluster'] },
      ],
      contact: '#platform-security',
      userGroupCacheSeconds: 0,
    });
    expect(Object.isFrozen(config.authorization.grants[0])).toBe(true);
  });

  it.each([
    [{ grants: [{ role: 'owner', users: ['U0ADMIN'] }] }, 'authorization.grants.0.role'],
    [
      { grants: [{ role: 'admin', users: ['alice'] }] },
      'authorization.grants.0.users.0: must be a Slack user id such as U0123ABC',
    ],
    [
      { grants: [{ role: 'admin', userGroups: ['@oncall'] }] },
      'must be a Slack user group id such as S0123ABC',
    ],
    [
      { grants: [{ role: 'admin', users: ['U0ADMIN'], clusters: [] }] },
      'list at least one cluster, or omit the field',
    ],
    [
      { userGroupCacheSeconds: 7200 },
      'authorization.userGroupCacheSeconds: must be a whole number of seconds from 0 to 3600',
    ],
  ])('refuses %j, naming the field', (authorization, message) => {
    expect(() => parseConfig({ ...minimal, authorization })).toThrow(message);
  });

  it('refuses a grant to nobody', () => {
    expect(() => parseConfig({ ...minimal, authorization: { grants: [{ role: 'viewer' }] } })).toThrow(
      'invalid configuration: authorization.grants.0: grants viewer to nobody — list users or userGroups',
    );
  });

  it('refuses a grant for a cluster that is not configured, listing the configured ones', () => {
    expect(() =>
      parseConfig({
        ...minimal,
        authorization: { grants: [{ role: 'responder', users: ['U0A1'], clusters: ['prod-eu'] }] },
      }),
    ).toThrow(
      'invalid configuration: authorization.grants.0: unknown cluster "prod-eu"; configured clusters: prod-cluster, staging — fix the name or add the cluster',
    );
  });
});
