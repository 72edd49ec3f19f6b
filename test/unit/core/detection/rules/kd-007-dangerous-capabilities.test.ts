import { describe, expect, it } from 'vitest';
import { kd007DangerousCapabilities as rule } from '../../../../../core/detection/rules/kd-007-dangerous-capabilities.ts';
import { corpusEvent, DENIED_BY_POD_SECURITY, detect, exampleOf, variant } from './rule-test-support.ts';

/** Corpus line 90 (Panther "SYS_ADMIN capability"). */
const sysAdminPod = () => corpusEvent(90);

function adding(capabilities: unknown, key: 'containers' | 'initContainers' = 'containers') {
  return variant(sysAdminPod(), {
    requestObject: {
      spec: {
        containers: [{ name: 'app', image: 'nginx' }],
        [key]: [{ name: 'app', image: 'nginx', securityContext: { capabilities: { add: capabilities } } }],
      },
    },
  });
}

describe('KD-007 dangerous capabilities', () => {
  it('flags its example', () => {
    expect(detect(rule, exampleOf(rule))?.ruleId).toBe('KD-007');
  });

  it('flags SYS_ADMIN and reports only the dangerous capabilities', () => {
    const detection = detect(rule, sysAdminPod());

    expect(detection).toMatchObject({ severity: 'medium', container: 'test', image: 'nginx' });
    expect(detection?.evidence.capabilities).toBe('SYS_ADMIN');
  });

  it.each([
    ['ALL'],
    ['cap_sys_ptrace'],
    ['CAP_SYS_MODULE'],
    ['Net_Admin'],
    ['bpf'],
    ['SYSLOG'],
    ['DAC_READ_SEARCH'],
  ])('flags %s (case-insensitive, optional CAP_ prefix)', (capability) => {
    expect(detect(rule, adding([capability]))?.evidence.capabilities).toBe(capability);
  });

  it('flags a dangerous capability on an init container', () => {
    expect(detect(rule, adding(['SYS_RAWIO'], 'initContainers'))?.summary).toContain('initContainer app');
  });

  it('ignores harmless capabilities', () => {
    expect(detect(rule, adding(['NET_BIND_SERVICE', 'NET_RAW', 'CHOWN']))).toBeUndefined();
  });

  it('ignores dropped capabilities', () => {
    const event = variant(sysAdminPod(), {
      requestObject: {
        spec: {
          containers: [{ name: 'app', image: 'nginx', securityContext: { capabilities: { drop: ['ALL'] } } }],
        },
      },
    });

    expect(detect(rule, event)).toBeUndefined();
  });

  it('ignores the same request when it was denied', () => {
    expect(detect(rule, variant(sysAdminPod(), DENIED_BY_POD_SECURITY))).toBeUndefined();
  });

  it('does not throw when capabilities.add is not a list of strings', () => {
    expect(detect(rule, adding('SYS_ADMIN'))).toBeUndefined();
    expect(detect(rule, adding([null, 3, 'SYS_BOOT']))?.evidence.capabilities).toBe('SYS_BOOT');
  });
});
