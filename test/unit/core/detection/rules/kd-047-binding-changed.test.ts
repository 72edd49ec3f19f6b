import { describe, expect, it } from 'vitest';
import { kd047BindingChanged as rule } from '../../../../../core/detection/rules/kd-047-binding-changed.ts';
import { corpusEvent, detect, EKS_IDENTITY, exampleOf, variant } from './rule-test-support.ts';

describe('KD-047 RoleBinding / ClusterRoleBinding created, modified or deleted', () => {
  it('flags its example', () => {
    expect(detect(rule, exampleOf(rule))?.ruleId).toBe('KD-047');
  });

  it('flags a binding created by a person, naming role and subjects', () => {
    const detection = detect(rule, corpusEvent(9));

    expect(detection).toMatchObject({
      severity: 'low',
      workload: 'clusterrolebinding/some-reader-binding',
      evidence: { roleRef: 'ClusterRole system:basic-user', subjects: 'User minikube' },
    });
    expect(detection?.summary).toBe(
      'minikube-user created clusterrolebinding some-reader-binding binding ClusterRole system:basic-user to User minikube.',
    );
  });

  it('flags deletes and namespaced RoleBindings', () => {
    expect(detect(rule, corpusEvent(41))?.summary).toBe(
      'minikube-user deleted clusterrolebinding some-reader-binding.',
    );
    expect(detect(rule, corpusEvent(66))).toMatchObject({
      namespace: 'default',
      workload: 'rolebinding/admin-binding',
    });
  });

  it('flags a denied attempt too (no success clause) and says it was refused', () => {
    expect(detect(rule, corpusEvent(68))?.summary).toBe(
      'attacker@example.com tried to create clusterrolebinding backdoor binding ClusterRole cluster-admin (response 403).',
    );
  });

  it('ignores service accounts and EKS identities (non-system users only)', () => {
    expect(detect(rule, corpusEvent(67))).toBeUndefined();
    expect(detect(rule, variant(corpusEvent(9), EKS_IDENTITY))).toBeUndefined();
  });

  it('ignores reads of bindings and changes to roles', () => {
    expect(detect(rule, corpusEvent(69))).toBeUndefined();
    expect(detect(rule, corpusEvent(8))).toBeUndefined();
  });
});
