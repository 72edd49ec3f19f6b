import { describe, expect, it } from 'vitest';
import {
  type AuthorizationConfig,
  adminsOf,
  authorize,
  userGroupsToCheck,
} from '../../../../core/authz/policy.ts';

const CONFIG: AuthorizationConfig = {
  grants: [
    { role: 'admin', users: ['U0ADMIN'], userGroups: ['S0SECURITY'] },
    { role: 'responder', users: [], userGroups: ['S0ONCALL'], clusters: ['prod-cluster'] },
    { role: 'responder', users: ['U0STAGING'], userGroups: [], clusters: ['staging'] },
    { role: 'viewer', users: [], userGroups: ['S0EVERYONE'] },
  ],
  contact: '#platform-security',
  userGroupCacheSeconds: 60,
};

const person = (userId: string, ...groups: string[]) => ({ userId, groups: new Set(groups) });

describe('authorization', () => {
  it('lets a role do what the roles below it do: an admin acknowledges anywhere', () => {
    expect(authorize(CONFIG, person('U0ADMIN'), { role: 'responder', cluster: 'prod-cluster' })).toEqual({
      allowed: true,
      role: 'admin',
      grantedBy: 'user U0ADMIN',
    });
    expect(authorize(CONFIG, person('U9', 'S0SECURITY'), { role: 'viewer' })).toMatchObject({
      allowed: true,
      grantedBy: 'user group S0SECURITY',
    });
  });

  it('denies a viewer a responder action and says which role it holds', () => {
    expect(
      authorize(CONFIG, person('U0VIEWER', 'S0EVERYONE'), { role: 'responder', cluster: 'prod-cluster' }),
    ).toEqual({
      allowed: false,
      needed: 'responder',
      cluster: 'prod-cluster',
      held: 'viewer',
      heldOn: [],
    });
  });

  it('limits a per-cluster grant to its clusters, and names them in the denial', () => {
    const oncall = person('U0ONCALL', 'S0ONCALL', 'S0EVERYONE');

    expect(authorize(CONFIG, oncall, { role: 'responder', cluster: 'prod-cluster' }).allowed).toBe(true);
    expect(authorize(CONFIG, oncall, { role: 'responder', cluster: 'staging' })).toEqual({
      allowed: false,
      needed: 'responder',
      cluster: 'staging',
      held: 'viewer',
      heldOn: ['prod-cluster'],
    });
    // A request about no single cluster needs a grant for all of them.
    expect(authorize(CONFIG, person('U0STAGING'), { role: 'responder' })).toMatchObject({
      allowed: false,
      heldOn: ['staging'],
    });
  });

  it('passes a check made before the cluster is known when the role is held on any cluster', () => {
    expect(authorize(CONFIG, person('U0STAGING'), { role: 'responder', anyCluster: true }).allowed).toBe(
      true,
    );
    expect(
      authorize(CONFIG, person('U0VIEWER', 'S0EVERYONE'), { role: 'responder', anyCluster: true }).allowed,
    ).toBe(false);
  });

  it('grants nothing without configuration: nobody may use the bot', () => {
    expect(
      authorize({ grants: [], userGroupCacheSeconds: 60 }, person('U0ADMIN'), {
        role: 'viewer',
        anyCluster: true,
      }),
    ).toEqual({
      allowed: false,
      needed: 'viewer',
      anyCluster: true,
      heldOn: [],
    });
  });

  it('asks Slack only about user groups that could decide, and none when a direct grant does', () => {
    expect(userGroupsToCheck(CONFIG, 'U0ADMIN', { role: 'responder', cluster: 'prod-cluster' })).toEqual([]);
    expect(userGroupsToCheck(CONFIG, 'U0NOBODY', { role: 'responder', cluster: 'prod-cluster' })).toEqual([
      'S0ONCALL',
      'S0SECURITY',
    ]);
    expect(userGroupsToCheck(CONFIG, 'U0NOBODY', { role: 'admin' })).toEqual(['S0SECURITY']);
    // Before the cluster is known every group that could grant it counts: the worker checks again later.
    expect(userGroupsToCheck(CONFIG, 'U0STAGING', { role: 'responder', anyCluster: true })).toEqual([
      'S0ONCALL',
      'S0SECURITY',
    ]);
  });

  it('names the admins of every cluster', () => {
    expect(adminsOf(CONFIG)).toEqual({ users: ['U0ADMIN'], userGroups: ['S0SECURITY'] });
  });
});
