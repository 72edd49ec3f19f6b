import { describe, expect, it } from 'vitest';
import { kd046SystemRoleModified as rule } from '../../../../../core/detection/rules/kd-046-system-role-modified.ts';
import { corpusEvent, detect, EKS_IDENTITY, exampleOf, variant } from './rule-test-support.ts';

describe('KD-046 system ClusterRole/Role modified or deleted', () => {
  it('flags its example', () => {
    expect(detect(rule, exampleOf(rule))?.ruleId).toBe('KD-046');
  });

  it('flags a person patching a built-in system: ClusterRole', () => {
    const detection = detect(rule, corpusEvent(50));

    expect(detection).toMatchObject({
      severity: 'high',
      workload: 'clusterrole/system:node-problem-detector',
      evidence: { role: 'system:node-problem-detector' },
    });
    expect(detection?.summary).toBe(
      'minikube-user patched built-in clusterrole system:node-problem-detector.',
    );
  });

  it('flags deletes and updates, with or without a request body', () => {
    expect(detect(rule, corpusEvent(39))?.summary).toBe(
      'minikube-user deleted built-in clusterrole system:kube-aggregator.',
    );
    expect(detect(rule, corpusEvent(168))?.evidence.verbs).toBe('*');
    expect(detect(rule, corpusEvent(169))).toBeDefined();
  });

  it('ignores the roles the catalog excludes', () => {
    expect(detect(rule, corpusEvent(170))).toBeUndefined();
    const excluded = ['system:managed-certificate-controller', 'system:aggregate-to-edit'];
    for (const name of excluded) {
      expect(detect(rule, variant(corpusEvent(170), { objectRef: { name } }))).toBeUndefined();
    }
  });

  it('ignores service accounts and EKS identities (non-system users only)', () => {
    expect(detect(rule, corpusEvent(172))).toBeUndefined();
    expect(detect(rule, variant(corpusEvent(169), EKS_IDENTITY))).toBeUndefined();
  });

  it('ignores denied requests, reads, creates and roles outside the system: prefix', () => {
    expect(detect(rule, corpusEvent(173))).toBeUndefined();
    expect(detect(rule, corpusEvent(174))).toBeUndefined();
    expect(detect(rule, variant(corpusEvent(169), { verb: 'create' }))).toBeUndefined();
    expect(detect(rule, corpusEvent(171))).toBeUndefined();
  });
});
