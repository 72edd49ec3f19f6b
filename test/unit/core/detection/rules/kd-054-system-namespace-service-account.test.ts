import { describe, expect, it } from 'vitest';
import { kd054SystemNamespaceServiceAccount as rule } from '../../../../../core/detection/rules/kd-054-system-namespace-service-account.ts';
import {
  corpusEvent,
  DENIED_BY_RBAC,
  detect,
  exampleOf,
  SERVICE_ACCOUNT,
  variant,
} from './rule-test-support.ts';

describe('KD-054 ServiceAccount created in a system namespace', () => {
  it('flags its example', () => {
    expect(detect(rule, exampleOf(rule))?.ruleId).toBe('KD-054');
  });

  it('flags a person creating a service account in kube-system or kube-public', () => {
    const detection = detect(rule, corpusEvent(38));

    expect(detection).toMatchObject({
      severity: 'medium',
      namespace: 'kube-system',
      workload: 'serviceaccount/myacct',
      evidence: { serviceAccount: 'kube-system/myacct' },
    });
    expect(detection?.summary).toBe('minikube-user created service account kube-system/myacct.');
    expect(detect(rule, corpusEvent(37))?.namespace).toBe('kube-public');
  });

  it('ignores other namespaces', () => {
    expect(detect(rule, corpusEvent(36))).toBeUndefined();
  });

  it('ignores token requests on a service account (that is KD-033)', () => {
    expect(detect(rule, corpusEvent(150))).toBeUndefined();
  });

  it('ignores service accounts as callers and denied requests', () => {
    expect(detect(rule, variant(corpusEvent(38), SERVICE_ACCOUNT))).toBeUndefined();
    expect(detect(rule, variant(corpusEvent(38), DENIED_BY_RBAC))).toBeUndefined();
  });
});
