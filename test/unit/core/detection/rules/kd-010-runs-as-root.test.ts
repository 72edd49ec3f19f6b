import { describe, expect, it } from 'vitest';
import { kd010RunsAsRoot as rule } from '../../../../../core/detection/rules/kd-010-runs-as-root.ts';
import { corpusEvent, DENIED_BY_POD_SECURITY, detect, exampleOf, variant } from './rule-test-support.ts';

describe('KD-010 container explicitly runs as root', () => {
  it('flags its example', () => {
    expect(detect(rule, exampleOf(rule))?.ruleId).toBe('KD-010');
  });

  it('flags runAsUser: 0 on a container', () => {
    expect(detect(rule, corpusEvent(98))?.evidence.securityContext).toBe('nginx runAsUser: 0');
  });

  it('flags runAsNonRoot: false on a container', () => {
    expect(detect(rule, corpusEvent(97))?.evidence.securityContext).toBe('nginx runAsNonRoot: false');
  });

  it('flags runAsUser: 0 at pod level', () => {
    const event = variant(corpusEvent(99), {
      requestObject: { spec: { securityContext: { runAsUser: 0 } } },
    });

    expect(detect(rule, event)?.evidence.securityContext).toBe('pod runAsUser: 0');
  });

  it('ignores pods that do not ask for root', () => {
    expect(detect(rule, corpusEvent(99))).toBeUndefined();
    const nonRoot = variant(corpusEvent(99), {
      requestObject: { spec: { securityContext: { runAsUser: 1000, runAsNonRoot: true } } },
    });
    expect(detect(rule, nonRoot)).toBeUndefined();
  });

  it('ignores the same request when it was denied', () => {
    expect(detect(rule, variant(corpusEvent(98), DENIED_BY_POD_SECURITY))).toBeUndefined();
  });
});
