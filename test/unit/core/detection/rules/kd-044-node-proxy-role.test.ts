import { describe, expect, it } from 'vitest';
import { kd044NodeProxyRole as rule } from '../../../../../core/detection/rules/kd-044-node-proxy-role.ts';
import { corpusEvent, detect, exampleOf, variant } from './rule-test-support.ts';

describe('KD-044 Role/ClusterRole granting nodes/proxy', () => {
  it('flags its example', () => {
    expect(detect(rule, exampleOf(rule))?.ruleId).toBe('KD-044');
  });

  it('flags a ClusterRole granting nodes/proxy', () => {
    const detection = detect(rule, corpusEvent(100));

    expect(detection).toMatchObject({
      severity: 'medium',
      workload: 'clusterrole/node-accessor',
      evidence: { resources: 'nodes/proxy' },
    });
    expect(detection?.summary).toBe(
      'attacker@example.com created clusterrole node-accessor granting nodes/proxy.',
    );
  });

  it('flags nodes/* as well', () => {
    const event = variant(corpusEvent(102), {
      requestObject: { rules: [{ apiGroups: [''], resources: ['nodes/*'], verbs: ['get'] }] },
    });
    expect(detect(rule, event)?.evidence.resources).toBe('nodes/*');
  });

  it('flags service accounts and denied attempts: the trigger has neither clause', () => {
    expect(detect(rule, corpusEvent(104))).toBeDefined();
    expect(detect(rule, corpusEvent(105))?.summary).toContain('tried to create');
  });

  it('ignores updates (create only), plain nodes access and a bare `*`', () => {
    expect(detect(rule, corpusEvent(106))).toBeUndefined();
    expect(detect(rule, corpusEvent(102))).toBeUndefined();
    expect(detect(rule, corpusEvent(101))).toBeUndefined();
  });
});
