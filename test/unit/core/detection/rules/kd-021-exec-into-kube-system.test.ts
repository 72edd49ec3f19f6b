import { describe, expect, it } from 'vitest';
import { kd021ExecIntoKubeSystem as rule } from '../../../../../core/detection/rules/kd-021-exec-into-kube-system.ts';
import {
  corpusEvent,
  DENIED_BY_RBAC,
  detect,
  exampleOf,
  fixtureEvent,
  variant,
} from './rule-test-support.ts';

const kubeSystemExec = () => fixtureEvent('eks-audit-exec-pod-websocket-get.json');

describe('KD-021 exec into a kube-system pod', () => {
  it('flags its example', () => {
    expect(detect(rule, exampleOf(rule))?.ruleId).toBe('KD-021');
  });

  it('flags a person exec-ing into CoreDNS', () => {
    expect(detect(rule, kubeSystemExec())).toMatchObject({
      severity: 'high',
      namespace: 'kube-system',
      pod: 'coredns-5d8f9c7b6-abcde',
      container: 'coredns',
    });
  });

  it('ignores system principals', () => {
    expect(detect(rule, corpusEvent(82))).toBeUndefined();
  });

  it('ignores other namespaces', () => {
    expect(detect(rule, fixtureEvent('eks-audit-exec-pod-create.json'))).toBeUndefined();
  });

  it('ignores a denied exec', () => {
    expect(detect(rule, variant(kubeSystemExec(), DENIED_BY_RBAC))).toBeUndefined();
  });
});
