import { describe, expect, it } from 'vitest';
import { kd045EscalationVerbsRole as rule } from '../../../../../core/detection/rules/kd-045-escalation-verbs-role.ts';
import { corpusEvent, detect, exampleOf, variant } from './rule-test-support.ts';

describe('KD-045 Role with escalate / bind / impersonate verbs', () => {
  it('flags its example, listing the risky verbs', () => {
    const detection = detect(rule, exampleOf(rule));

    expect(detection).toMatchObject({
      ruleId: 'KD-045',
      severity: 'medium',
      workload: 'clusterrole/rbac-escalator',
    });
    expect(detection?.summary).toBe(
      'attacker@example.com created clusterrole rbac-escalator granting bind, escalate.',
    );
  });

  it('flags an update that adds impersonate to an existing role', () => {
    const event = variant(corpusEvent(125), {
      requestObject: { rules: [{ apiGroups: [''], resources: ['users', 'groups'], verbs: ['impersonate'] }] },
    });
    expect(detect(rule, event)?.summary).toBe(
      'admin@example.com updated clusterrole existing-role granting impersonate.',
    );
  });

  it('ignores roles with ordinary verbs', () => {
    expect(detect(rule, corpusEvent(120))).toBeUndefined();
  });

  it('ignores deleting a role that had such verbs', () => {
    expect(detect(rule, variant(exampleOf(rule), { verb: 'delete' }))).toBeUndefined();
  });
});
