import { describe, expect, it } from 'vitest';
import { kd041WildcardRole as rule } from '../../../../../core/detection/rules/kd-041-wildcard-role.ts';
import { corpusEvent, detect, exampleOf, SERVICE_ACCOUNT, variant } from './rule-test-support.ts';

describe('KD-041 Role/ClusterRole with wildcard verbs or resources', () => {
  it('flags its example', () => {
    expect(detect(rule, exampleOf(rule))?.ruleId).toBe('KD-041');
  });

  it('flags a ClusterRole with wildcard resources', () => {
    const detection = detect(rule, corpusEvent(5));

    expect(detection).toMatchObject({
      severity: 'high',
      workload: 'clusterrole/some-reader',
      evidence: { wildcards: 'resources', resources: '*', verbs: 'get, list' },
    });
    expect(detection?.summary).toBe('minikube-user created clusterrole some-reader with wildcard resources.');
  });

  it('flags wildcard verbs, also when only one of several rules has them', () => {
    expect(detect(rule, corpusEvent(6))?.evidence.wildcards).toBe('verbs');
    expect(detect(rule, corpusEvent(114))?.evidence.wildcards).toBe('verbs');
    expect(detect(rule, corpusEvent(113))?.evidence.wildcards).toBe('verbs, resources');
  });

  it('flags an update that widens an existing role to wildcards', () => {
    expect(detect(rule, corpusEvent(119))).toBeDefined();
    expect(detect(rule, variant(corpusEvent(119), { verb: 'patch' }))).toBeDefined();
  });

  it('ignores wildcard apiGroups alone', () => {
    expect(detect(rule, corpusEvent(116))).toBeUndefined();
  });

  it('ignores a wildcard in nonResourceURLs (neither verbs nor resources)', () => {
    const event = variant(corpusEvent(8), {
      requestObject: { rules: [{ nonResourceURLs: ['*'], verbs: ['get'] }] },
    });
    expect(detect(rule, event)).toBeUndefined();
  });

  it('ignores roles without wildcards', () => {
    expect(detect(rule, corpusEvent(8))).toBeUndefined();
  });

  it('ignores the same request when it was denied', () => {
    expect(detect(rule, corpusEvent(118))).toBeUndefined();
  });

  it('ignores service accounts (non-system users only)', () => {
    expect(detect(rule, corpusEvent(117))).toBeUndefined();
    expect(detect(rule, variant(corpusEvent(113), SERVICE_ACCOUNT))).toBeUndefined();
  });

  it('does not throw on rules that are not objects or verbs that are not lists', () => {
    const event = variant(corpusEvent(113), { requestObject: { rules: ['*', null, { verbs: '*' }] } });
    expect(detect(rule, event)).toBeUndefined();
  });
});
