import { describe, expect, it } from 'vitest';
import { type ApprovalRule, approvalRequirement, stricterRole } from '../../../../core/authz/approval.ts';

const rule = (fields: Partial<ApprovalRule>): ApprovalRule => ({
  actions: ['isolate-pod'],
  approverRole: 'admin',
  withinMinutes: 30,
  ...fields,
});

describe('approvalRequirement', () => {
  it('needs nothing when no rule is configured', () => {
    expect(approvalRequirement({}, 'isolate-pod', 'prod-cluster')).toBeUndefined();
    expect(approvalRequirement({ approvals: [] }, 'rotate-secret', 'prod-cluster')).toBeUndefined();
  });

  it('applies a rule to the actions it names, on every cluster when it names none', () => {
    const authorization = { approvals: [rule({ actions: ['isolate-pod', 'rotate-secret'] })] };

    expect(approvalRequirement(authorization, 'isolate-pod', 'prod-cluster')).toEqual({
      approverRole: 'admin',
      withinMinutes: 30,
    });
    expect(approvalRequirement(authorization, 'rotate-secret', 'staging')).toEqual({
      approverRole: 'admin',
      withinMinutes: 30,
    });
    expect(approvalRequirement(authorization, 'release-pod', 'prod-cluster')).toBeUndefined();
  });

  it('applies a rule naming clusters to those clusters only', () => {
    const authorization = {
      approvals: [rule({ clusters: ['prod-cluster'], approverRole: 'responder', withinMinutes: 10 })],
    };

    expect(approvalRequirement(authorization, 'isolate-pod', 'prod-cluster')).toEqual({
      approverRole: 'responder',
      withinMinutes: 10,
    });
    expect(approvalRequirement(authorization, 'isolate-pod', 'staging')).toBeUndefined();
  });

  it('takes the strictest of several matching rules: the higher role, then the shorter window', () => {
    const authorization = {
      approvals: [
        rule({ approverRole: 'responder', withinMinutes: 5 }),
        rule({ clusters: ['prod-cluster'], approverRole: 'admin', withinMinutes: 60 }),
        rule({ clusters: ['prod-cluster'], approverRole: 'admin', withinMinutes: 20 }),
        rule({ approverRole: 'admin', withinMinutes: 45 }),
      ],
    };

    expect(approvalRequirement(authorization, 'isolate-pod', 'prod-cluster')).toEqual({
      approverRole: 'admin',
      withinMinutes: 20,
    });
    expect(approvalRequirement(authorization, 'isolate-pod', 'staging')).toEqual({
      approverRole: 'admin',
      withinMinutes: 45,
    });
  });

  it('keeps the stricter of two approver roles', () => {
    expect(stricterRole('responder', 'admin')).toBe('admin');
    expect(stricterRole('admin', 'responder')).toBe('admin');
    expect(stricterRole('responder', 'responder')).toBe('responder');
  });
});
