import { describe, expect, it } from 'vitest';
import { kd043WriteVerbsRole as rule } from '../../../../../core/detection/rules/kd-043-write-verbs-role.ts';
import { corpusEvent, detect, exampleOf } from './rule-test-support.ts';

describe('KD-043 Role/ClusterRole with write verbs', () => {
  it('flags its example', () => {
    expect(detect(rule, exampleOf(rule))?.ruleId).toBe('KD-043');
  });

  it('flags a ClusterRole that may delete secrets, listing the write verbs', () => {
    const detection = detect(rule, corpusEvent(120));

    expect(detection).toMatchObject({ severity: 'low', workload: 'clusterrole/secret-manager' });
    expect(detection?.summary).toBe(
      'admin@example.com created clusterrole secret-manager granting write verbs delete.',
    );
  });

  it('flags write verbs in any rule, including non-resource URL rules', () => {
    expect(detect(rule, corpusEvent(7))).toBeDefined();
    expect(detect(rule, corpusEvent(121))?.namespace).toBe('default');
  });

  it('flags service accounts too: the trigger has no principal clause', () => {
    expect(detect(rule, corpusEvent(123))?.principal).toBe('system:serviceaccount:kube-system:controller');
  });

  it('flags a denied attempt too (no success clause) and says it was refused', () => {
    expect(detect(rule, corpusEvent(124))?.summary).toBe(
      'attacker@example.com tried to create clusterrole write-role granting write verbs create, delete (response 403).',
    );
  });

  it('ignores updates (create only) and read-only roles', () => {
    expect(detect(rule, corpusEvent(125))).toBeUndefined();
    expect(detect(rule, corpusEvent(122))).toBeUndefined();
  });

  it('leaves a bare `*` verb to KD-041', () => {
    expect(detect(rule, corpusEvent(113))).toBeUndefined();
  });
});
