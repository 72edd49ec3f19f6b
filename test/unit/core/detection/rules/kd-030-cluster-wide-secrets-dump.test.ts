import { describe, expect, it } from 'vitest';
import { kd030ClusterWideSecretsDump as rule } from '../../../../../core/detection/rules/kd-030-cluster-wide-secrets-dump.ts';
import {
  corpusEvent,
  DENIED_BY_RBAC,
  detect,
  exampleOf,
  fixtureEvent,
  variant,
} from './rule-test-support.ts';

/** The secrets-list fixture without a namespace: `kubectl get secrets -A`. */
const allNamespaces = () =>
  variant(fixtureEvent('eks-audit-secrets-list.json'), {
    requestURI: '/api/v1/secrets?limit=500',
    objectRef: { namespace: undefined },
  });

describe('KD-030 cluster-wide secrets dump', () => {
  it('flags its example', () => {
    expect(detect(rule, exampleOf(rule))?.ruleId).toBe('KD-030');
  });

  it('flags a person listing secrets across all namespaces', () => {
    expect(detect(rule, allNamespaces())).toMatchObject({
      severity: 'high',
      principal: 'kubernetes-admin',
      summary: 'kubernetes-admin listed secrets across all namespaces.',
    });
  });

  it('flags a cluster-wide watch', () => {
    expect(detect(rule, variant(corpusEvent(141), { verb: 'watch' }))?.summary).toBe(
      'attacker@example.com watched secrets across all namespaces.',
    );
  });

  it('ignores a list within one namespace', () => {
    expect(detect(rule, fixtureEvent('eks-audit-secrets-list.json'))).toBeUndefined();
  });

  it('ignores namespace-controller, kube-state-metrics and other system principals', () => {
    expect(detect(rule, corpusEvent(137))).toBeUndefined();
    expect(detect(rule, corpusEvent(145))).toBeUndefined();
    expect(
      detect(rule, variant(allNamespaces(), { user: { username: 'eks:cloud-controller-manager' } })),
    ).toBeUndefined();
  });

  it('ignores the same request when it was denied', () => {
    expect(detect(rule, corpusEvent(146))).toBeUndefined();
    expect(detect(rule, variant(allNamespaces(), DENIED_BY_RBAC))).toBeUndefined();
  });

  it('ignores the unauthenticated 401 list (no success, ResponseStarted)', () => {
    const unauthenticated = variant(fixtureEvent('eks-audit-failed-authentication-401.json'), {
      stage: 'ResponseComplete',
      objectRef: { namespace: undefined },
    });

    expect(detect(rule, unauthenticated)).toBeUndefined();
  });
});
