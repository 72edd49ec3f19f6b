import { describe, expect, it } from 'vitest';
import { kd005HostPid as rule } from '../../../../../core/detection/rules/kd-005-host-pid.ts';
import {
  configWith,
  corpusEvent,
  DENIED_BY_POD_SECURITY,
  detect,
  exampleOf,
  variant,
} from './rule-test-support.ts';

/** Corpus line 93 (Panther "Pod with hostPID"). */
const hostPidPod = () => corpusEvent(93);

describe('KD-005 host PID namespace', () => {
  it('flags its example', () => {
    expect(detect(rule, exampleOf(rule))?.ruleId).toBe('KD-005');
  });

  it('flags a pod sharing the node process namespace', () => {
    const detection = detect(rule, hostPidPod());

    expect(detection).toMatchObject({
      severity: 'high',
      namespace: 'default',
      container: 'nginx',
      image: 'nginx',
    });
    expect(detection?.summary).toContain(
      "admin@example.com created pod nginx-test in namespace default sharing the node's process namespace",
    );
  });

  it('has no default allow-list: even a Falco image is flagged', () => {
    const falco = variant(hostPidPod(), {
      requestObject: { spec: { containers: [{ name: 'falco', image: 'falcosecurity/falco' }] } },
    });

    expect(detect(rule, falco)?.ruleId).toBe('KD-005');
  });

  it('honours a configured allow-list', () => {
    const config = configWith({ imageAllowLists: { 'KD-005': ['nginx'] } });

    expect(detect(rule, hostPidPod(), config)).toBeUndefined();
  });

  it('ignores the same request when it was denied', () => {
    expect(detect(rule, variant(hostPidPod(), DENIED_BY_POD_SECURITY))).toBeUndefined();
  });

  it('ignores other host namespaces', () => {
    expect(detect(rule, corpusEvent(91))).toBeUndefined();
    expect(detect(rule, corpusEvent(92))).toBeUndefined();
  });
});
