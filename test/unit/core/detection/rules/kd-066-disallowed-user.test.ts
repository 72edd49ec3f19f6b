import { describe, expect, it } from 'vitest';
import { kd066DisallowedUser as rule } from '../../../../../core/detection/rules/kd-066-disallowed-user.ts';
import { configWith, DENIED_BY_RBAC, detect, exampleOf, fixtureEvent, variant } from './rule-test-support.ts';

const withAllowedUsers = configWith({ allowedUsers: ['kubernetes-admin', 'ops-*'] });

describe('KD-066 disallowed user', () => {
  it('is inactive until allowed users are configured', () => {
    expect(detect(rule, exampleOf(rule))).toBeUndefined();
  });

  it('flags its example once allowed users are configured', () => {
    const detection = detect(rule, exampleOf(rule), withAllowedUsers);

    expect(detection).toMatchObject({
      ruleId: 'KD-066',
      severity: 'medium',
      principal: 'contractor@example.com',
    });
    expect(detection?.summary).toBe(
      'contractor@example.com, who is not in the allowed users list, listed pods.',
    );
  });

  it('flags denied requests too (any response)', () => {
    expect(detect(rule, variant(exampleOf(rule), DENIED_BY_RBAC), withAllowedUsers)).toBeDefined();
  });

  it('ignores allowed users, by exact name or prefix', () => {
    const opsUser = variant(exampleOf(rule), { user: { username: 'ops-oncall' } });
    expect(
      detect(rule, fixtureEvent('eks-audit-clusterrolebinding-cluster-admin.json'), withAllowedUsers),
    ).toBeUndefined();
    expect(detect(rule, opsUser, withAllowedUsers)).toBeUndefined();
  });

  it('ignores system principals and requests without a user', () => {
    expect(detect(rule, fixtureEvent('eks-audit-node-forbidden.json'), withAllowedUsers)).toBeUndefined();
    expect(
      detect(rule, fixtureEvent('eks-audit-failed-authentication-401.json'), withAllowedUsers),
    ).toBeUndefined();
  });
});
