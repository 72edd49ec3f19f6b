import { describe, expect, it } from 'vitest';
import { kd055PrivilegedImpersonation as rule } from '../../../../../core/detection/rules/kd-055-privileged-impersonation.ts';
import { DENIED_BY_RBAC, detect, exampleOf, variant } from './rule-test-support.ts';

/** The example with another impersonated identity. */
const impersonating = (impersonatedUser: Record<string, unknown>) => ({
  ...exampleOf(rule),
  impersonatedUser,
});

describe('KD-055 impersonation of a privileged identity', () => {
  it('flags its example', () => {
    const detection = detect(rule, exampleOf(rule));

    expect(detection).toMatchObject({
      ruleId: 'KD-055',
      severity: 'high',
      principal: 'developer@example.com',
      namespace: 'kube-system',
      evidence: { impersonated: 'user system:kube-controller-manager' },
    });
    expect(detection?.summary).toBe(
      'developer@example.com impersonated user system:kube-controller-manager and listed secrets.',
    );
  });

  it('flags node and kube-system service-account identities by prefix', () => {
    expect(
      detect(rule, impersonating({ username: 'system:node:ip-10-0-0-137.eu-west-1.compute.internal' })),
    ).toBeDefined();
    expect(
      detect(rule, impersonating({ username: 'system:serviceaccount:kube-system:replicaset-controller' })),
    ).toBeDefined();
  });

  it('flags impersonation of the system:masters group', () => {
    const detection = detect(rule, impersonating({ username: 'ops', groups: ['system:masters'] }));
    expect(detection?.evidence.impersonated).toBe('group system:masters (as ops)');
  });

  it('ignores impersonation of ordinary identities and of service accounts outside kube-system', () => {
    expect(
      detect(rule, impersonating({ username: 'qa@example.com', groups: ['developers'] })),
    ).toBeUndefined();
    expect(detect(rule, impersonating({ username: 'system:serviceaccount:default:web' }))).toBeUndefined();
  });

  it('ignores requests without impersonation', () => {
    expect(detect(rule, variant(exampleOf(rule), { impersonatedUser: undefined }))).toBeUndefined();
  });

  it('ignores impersonation the authorizer refused', () => {
    expect(detect(rule, variant(exampleOf(rule), DENIED_BY_RBAC))).toBeUndefined();
  });

  it('falls back to the response code when the event has no authorization annotation', () => {
    const trimmed = variant(exampleOf(rule), { annotations: undefined });
    expect(detect(rule, trimmed)).toBeDefined();
    expect(detect(rule, variant(trimmed, { responseStatus: { code: 403 } }))).toBeUndefined();
  });
});
