import { describe, expect, it } from 'vitest';
import { kd042PodExecRole as rule } from '../../../../../core/detection/rules/kd-042-pod-exec-role.ts';
import { corpusEvent, detect, EKS_IDENTITY, exampleOf, variant } from './rule-test-support.ts';

describe('KD-042 Role/ClusterRole granting pods/exec or pods/attach', () => {
  it('flags its example', () => {
    expect(detect(rule, exampleOf(rule))?.ruleId).toBe('KD-042');
  });

  it('flags a ClusterRole granting pods/exec', () => {
    const detection = detect(rule, corpusEvent(107));

    expect(detection).toMatchObject({
      severity: 'medium',
      principal: 'attacker@example.com',
      workload: 'clusterrole/pod-exec-role',
      evidence: { resources: 'pods/exec', verbs: 'create, get' },
    });
    expect(detection?.summary).toBe(
      'attacker@example.com created clusterrole pod-exec-role granting pods/exec.',
    );
  });

  it('flags a namespaced Role granting pods/attach', () => {
    const event = variant(corpusEvent(103), {
      requestObject: { rules: [{ apiGroups: [''], resources: ['pods', 'pods/attach'], verbs: ['create'] }] },
    });

    expect(detect(rule, event)).toMatchObject({ namespace: 'default', workload: 'role/pod-admin' });
  });

  it('ignores an update of an existing role (create only)', () => {
    expect(detect(rule, corpusEvent(112))).toBeUndefined();
    expect(detect(rule, variant(corpusEvent(107), { verb: 'patch' }))).toBeUndefined();
  });

  it('ignores the same request when it was denied', () => {
    expect(detect(rule, corpusEvent(111))).toBeUndefined();
  });

  it('ignores service accounts and EKS identities (non-system users only)', () => {
    expect(detect(rule, corpusEvent(110))).toBeUndefined();
    expect(detect(rule, variant(corpusEvent(107), EKS_IDENTITY))).toBeUndefined();
  });

  it('ignores other pod subresources such as pods/log', () => {
    expect(detect(rule, corpusEvent(103))).toBeUndefined();
  });
});
