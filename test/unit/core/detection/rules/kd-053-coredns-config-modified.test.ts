import { describe, expect, it } from 'vitest';
import { kd053CorednsConfigModified as rule } from '../../../../../core/detection/rules/kd-053-coredns-config-modified.ts';
import {
  DENIED_BY_RBAC,
  detect,
  EKS_IDENTITY,
  exampleOf,
  SERVICE_ACCOUNT,
  variant,
} from './rule-test-support.ts';

describe('KD-053 CoreDNS configuration modified', () => {
  it('flags its example', () => {
    const detection = detect(rule, exampleOf(rule));

    expect(detection).toMatchObject({
      ruleId: 'KD-053',
      severity: 'high',
      namespace: 'kube-system',
      workload: 'configmap/coredns',
      evidence: { configMap: 'kube-system/coredns', dataKeys: 'Corefile' },
    });
    expect(detection?.summary).toBe(
      'kubernetes-admin patched the cluster DNS ConfigMap kube-system/coredns.',
    );
  });

  it('flags kube-dns and coredns-custom, updates and deletes', () => {
    expect(
      detect(rule, variant(exampleOf(rule), { verb: 'delete', objectRef: { name: 'kube-dns' } })),
    ).toBeDefined();
    expect(
      detect(rule, variant(exampleOf(rule), { verb: 'update', objectRef: { name: 'coredns-custom' } })),
    ).toBeDefined();
  });

  it('flags a denied attempt too (no success clause) and says it was refused', () => {
    expect(detect(rule, variant(exampleOf(rule), DENIED_BY_RBAC))?.summary).toBe(
      'kubernetes-admin tried to patch the cluster DNS ConfigMap kube-system/coredns (response 403).',
    );
  });

  it('ignores the EKS add-on manager and service accounts (non-system users only)', () => {
    expect(detect(rule, variant(exampleOf(rule), EKS_IDENTITY))).toBeUndefined();
    expect(detect(rule, variant(exampleOf(rule), SERVICE_ACCOUNT))).toBeUndefined();
  });

  it('ignores creates, other ConfigMaps and a coredns ConfigMap outside kube-system', () => {
    expect(detect(rule, variant(exampleOf(rule), { verb: 'create' }))).toBeUndefined();
    expect(
      detect(rule, variant(exampleOf(rule), { objectRef: { name: 'kube-proxy-config' } })),
    ).toBeUndefined();
    expect(detect(rule, variant(exampleOf(rule), { objectRef: { namespace: 'dns-lab' } }))).toBeUndefined();
  });
});
