import { describe, expect, it } from 'vitest';
import { kd003HostPathVolume as rule } from '../../../../../core/detection/rules/kd-003-hostpath-volume.ts';
import { corpusEvent, DENIED_BY_RBAC, detect, exampleOf, variant } from './rule-test-support.ts';

describe('KD-003 any hostPath volume', () => {
  it('flags its example', () => {
    expect(detect(rule, exampleOf(rule))?.ruleId).toBe('KD-003');
  });

  it('flags a hostPath outside the sensitive list (low severity)', () => {
    const detection = detect(rule, corpusEvent(95));

    expect(detection).toMatchObject({ severity: 'low', namespace: 'kube-system', pod: 'network-agent' });
    expect(detection?.evidence.hostPath).toBe('/var/lib/cni');
  });

  it('also flags the sensitive mounts KD-002 reports', () => {
    expect(detect(rule, corpusEvent(25))?.evidence.hostPath).toBe('/etc');
  });

  it('ignores pods with only other volume types', () => {
    const event = variant(corpusEvent(25), {
      requestObject: { spec: { volumes: [{ name: 'cache', emptyDir: {} }] } },
    });

    expect(detect(rule, event)).toBeUndefined();
  });

  it('ignores the same request when it was denied', () => {
    expect(detect(rule, variant(corpusEvent(95), DENIED_BY_RBAC))).toBeUndefined();
  });
});
