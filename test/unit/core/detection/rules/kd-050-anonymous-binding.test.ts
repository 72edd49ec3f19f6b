import { describe, expect, it } from 'vitest';
import { kd050AnonymousBinding as rule } from '../../../../../core/detection/rules/kd-050-anonymous-binding.ts';
import {
  DENIED_BY_RBAC,
  detect,
  exampleOf,
  fixtureEvent,
  SERVICE_ACCOUNT,
  variant,
} from './rule-test-support.ts';

/** The EKS ClusterRoleBinding fixture with its subjects replaced. */
const bindingTo = (subjects: unknown[]) =>
  variant(fixtureEvent('eks-audit-clusterrolebinding-cluster-admin.json'), { requestObject: { subjects } });

describe('KD-050 anonymous / unauthenticated identity bound to a role', () => {
  it('flags its example', () => {
    const detection = detect(rule, exampleOf(rule));

    expect(detection).toMatchObject({
      ruleId: 'KD-050',
      severity: 'high',
      workload: 'clusterrolebinding/anonymous-view',
    });
    expect(detection?.summary).toBe(
      'kubernetes-admin created clusterrolebinding anonymous-view binding ClusterRole view to User system:anonymous.',
    );
  });

  it('flags the system:unauthenticated group among other subjects, naming only the anonymous ones', () => {
    const detection = detect(
      rule,
      bindingTo([
        { kind: 'User', name: 'minikube' },
        { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:unauthenticated' },
      ]),
    );

    expect(detection?.summary).toContain('to Group system:unauthenticated.');
    expect(detection?.evidence.subjects).toBe('User minikube, Group system:unauthenticated');
  });

  it('flags update and patch, whoever the caller is (no principal clause)', () => {
    const anonymous = [{ kind: 'User', name: 'system:anonymous' }];
    expect(detect(rule, variant(bindingTo(anonymous), { verb: 'patch' }))).toBeDefined();
    expect(detect(rule, variant(bindingTo(anonymous), { verb: 'update', ...SERVICE_ACCOUNT }))).toBeDefined();
  });

  it('flags a denied attempt too, as the catalog trigger has no success clause', () => {
    const detection = detect(rule, variant(exampleOf(rule), DENIED_BY_RBAC));
    expect(detection?.summary).toContain('tried to create');
    expect(detection?.summary).toContain('(response 403)');
  });

  it('ignores bindings whose subjects are ordinary identities', () => {
    expect(detect(rule, fixtureEvent('eks-audit-clusterrolebinding-cluster-admin.json'))).toBeUndefined();
    expect(detect(rule, bindingTo([{ kind: 'User', name: 'anonymous-reporting' }]))).toBeUndefined();
  });

  it('ignores deleting such a binding', () => {
    expect(detect(rule, variant(exampleOf(rule), { verb: 'delete' }))).toBeUndefined();
  });
});
