import { describe, expect, it } from 'vitest';
import { kd040ClusterAdminBinding as rule } from '../../../../../core/detection/rules/kd-040-cluster-admin-binding.ts';
import {
  corpusEvent,
  DENIED_BY_RBAC,
  detect,
  EKS_IDENTITY,
  exampleOf,
  fixtureEvent,
  variant,
} from './rule-test-support.ts';

/** EKS-shaped ClusterRoleBinding create granting cluster-admin to User minikube. */
const eksBinding = () => fixtureEvent('eks-audit-clusterrolebinding-cluster-admin.json');

describe('KD-040 binding to cluster-admin', () => {
  it('flags its example', () => {
    expect(detect(rule, exampleOf(rule))?.ruleId).toBe('KD-040');
  });

  it('flags a person creating a ClusterRoleBinding to cluster-admin, naming the binding and its subjects', () => {
    const detection = detect(rule, eksBinding());

    expect(detection).toMatchObject({
      severity: 'high',
      principal: 'kubernetes-admin',
      workload: 'clusterrolebinding/some-reader-binding',
      evidence: { roleRef: 'ClusterRole cluster-admin', subjects: 'User minikube' },
    });
    expect(detection?.summary).toBe(
      'kubernetes-admin created clusterrolebinding some-reader-binding binding ClusterRole cluster-admin to User minikube.',
    );
  });

  it('flags a namespaced RoleBinding that grants the cluster-admin ClusterRole', () => {
    const detection = detect(rule, corpusEvent(66));

    expect(detection).toMatchObject({ namespace: 'default', workload: 'rolebinding/admin-binding' });
  });

  it('flags update and patch requests that carry the cluster-admin roleRef', () => {
    expect(detect(rule, variant(eksBinding(), { verb: 'update' }))).toBeDefined();
    expect(detect(rule, variant(eksBinding(), { verb: 'patch' }))).toBeDefined();
  });

  it('ignores the same request when it was denied', () => {
    expect(detect(rule, corpusEvent(68))).toBeUndefined();
    expect(detect(rule, variant(eksBinding(), DENIED_BY_RBAC))).toBeUndefined();
  });

  it('ignores service accounts and EKS identities (non-system users only)', () => {
    expect(detect(rule, corpusEvent(67))).toBeUndefined();
    expect(detect(rule, variant(eksBinding(), EKS_IDENTITY))).toBeUndefined();
  });

  it('ignores bindings to other roles, including the ones only Panther flags', () => {
    expect(detect(rule, corpusEvent(65))).toBeUndefined();
    expect(detect(rule, corpusEvent(64))).toBeUndefined();
    const toAdmin = variant(eksBinding(), { requestObject: { roleRef: { name: 'admin' } } });
    expect(detect(rule, toAdmin)).toBeUndefined();
  });

  it('ignores deleting a cluster-admin binding and Metadata-level events without a request body', () => {
    expect(detect(rule, variant(eksBinding(), { verb: 'delete' }))).toBeUndefined();
    expect(
      detect(rule, variant(eksBinding(), { level: 'Metadata', requestObject: undefined })),
    ).toBeUndefined();
  });

  it('does not throw on mistyped roleRef and subjects', () => {
    const mangled = variant(eksBinding(), {
      requestObject: { roleRef: 'cluster-admin', subjects: 'everyone' },
    });
    expect(detect(rule, mangled)).toBeUndefined();
  });
});
