import { describe, expect, it } from 'vitest';
import { approvalRequirement } from '../../../../core/authz/approval.ts';
import { parseConfig } from '../../../../core/config/schema.ts';
import { ConfigError } from '../../../../core/errors.ts';

const minimal = {
  clusters: [
    { name: 'prod-cluster', region: 'us-east-1' },
    { name: 'staging', region: 'eu-west-1' },
  ],
  slack: { defaultChannel: '#alerts' },
};

function withApprovals(approvals: unknown): unknown {
  return { ...minimal, authorization: { grants: [], approvals } };
}

function errorOf(raw: unknown): string {
  try {
    parseConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('the configuration was accepted');
}

describe('kubeguard.config.json authorization.approvals', () => {
  it('needs no approval when none is configured', () => {
    const config = parseConfig(minimal);

    expect(config.authorization.approvals).toBeUndefined();
    expect(approvalRequirement(config.authorization, 'isolate-pod', 'prod-cluster')).toBeUndefined();
  });

  it('reads rules, defaulting to an admin approver within 30 minutes', () => {
    const config = parseConfig(
      withApprovals([
        { actions: ['isolate-pod', 'rotate-secret'], clusters: ['prod-cluster'] },
        { actions: ['release-pod'], approverRole: 'responder', withinMinutes: 5 },
      ]),
    );

    expect(config.authorization.approvals).toEqual([
      {
        actions: ['isolate-pod', 'rotate-secret'],
        clusters: ['prod-cluster'],
        approverRole: 'admin',
        withinMinutes: 30,
      },
      { actions: ['release-pod'], approverRole: 'responder', withinMinutes: 5 },
    ]);
    expect(approvalRequirement(config.authorization, 'rotate-secret', 'prod-cluster')).toEqual({
      approverRole: 'admin',
      withinMinutes: 30,
    });
    expect(approvalRequirement(config.authorization, 'rotate-secret', 'staging')).toBeUndefined();
    expect(Object.isFrozen(config.authorization.approvals?.[0])).toBe(true);
  });

  it('rejects an unknown action, naming it and the actions there are', () => {
    expect(errorOf(withApprovals([{ actions: ['isolate-pod', 'isolate'] }]))).toBe(
      'invalid configuration: authorization.approvals.0.actions: unknown action "isolate"; actions: isolate-pod, release-pod, rotate-secret, cordon-node, uncordon-node — fix the name',
    );
  });

  it('rejects an unknown cluster, naming it and the configured ones', () => {
    expect(
      errorOf(
        withApprovals([{ actions: ['rotate-secret'] }, { actions: ['isolate-pod'], clusters: ['prod'] }]),
      ),
    ).toBe(
      'invalid configuration: authorization.approvals.1.clusters: unknown cluster "prod"; configured clusters: prod-cluster, staging — fix the name or add the cluster',
    );
  });

  it('rejects a viewer approver, an empty action list and a window out of bounds', () => {
    expect(errorOf(withApprovals([{ actions: ['isolate-pod'], approverRole: 'viewer' }]))).toContain(
      'authorization.approvals.0.approverRole',
    );
    expect(errorOf(withApprovals([{ actions: [] }]))).toContain(
      'authorization.approvals.0.actions: list at least one action, such as isolate-pod',
    );
    expect(errorOf(withApprovals([{ actions: ['isolate-pod'], withinMinutes: 0 }]))).toContain(
      'authorization.approvals.0.withinMinutes: must be a whole number of minutes from 1 to 1440',
    );
    expect(errorOf(withApprovals([{ actions: ['isolate-pod'], withinMinutes: 1441 }]))).toContain(
      'authorization.approvals.0.withinMinutes: must be a whole number of minutes from 1 to 1440',
    );
    expect(errorOf(withApprovals([{ actions: ['isolate-pod'], clusters: [] }]))).toContain(
      'authorization.approvals.0.clusters: list at least one cluster, or omit the field for every cluster',
    );
  });
});
