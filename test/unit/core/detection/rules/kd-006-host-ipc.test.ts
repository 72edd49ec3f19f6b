import { describe, expect, it } from 'vitest';
import { kd006HostIpc as rule } from '../../../../../core/detection/rules/kd-006-host-ipc.ts';
import { corpusEvent, DENIED_BY_RBAC, detect, exampleOf, variant } from './rule-test-support.ts';

/** Corpus line 91 (Panther "Pod with hostIPC"). */
const hostIpcPod = () => corpusEvent(91);

describe('KD-006 host IPC namespace', () => {
  it('flags its example', () => {
    expect(detect(rule, exampleOf(rule))?.ruleId).toBe('KD-006');
  });

  it('flags a pod sharing the node IPC namespace', () => {
    expect(detect(rule, hostIpcPod())).toMatchObject({
      severity: 'medium',
      pod: 'debug-pod',
      image: 'busybox',
    });
  });

  it('ignores the same request when it was denied', () => {
    expect(detect(rule, variant(hostIpcPod(), DENIED_BY_RBAC))).toBeUndefined();
  });

  it('ignores hostIPC: false', () => {
    expect(
      detect(rule, variant(hostIpcPod(), { requestObject: { spec: { hostIPC: false } } })),
    ).toBeUndefined();
  });

  it('ignores a get of the same pod', () => {
    expect(detect(rule, variant(hostIpcPod(), { verb: 'get' }))).toBeUndefined();
  });
});
