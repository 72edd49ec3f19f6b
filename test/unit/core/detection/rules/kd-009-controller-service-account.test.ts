import { describe, expect, it } from 'vitest';
import { kd009ControllerServiceAccount as rule } from '../../../../../core/detection/rules/kd-009-controller-service-account.ts';
import { corpusEvent, detect, exampleOf, variant } from './rule-test-support.ts';

/** Corpus line 85 (a person creating a pod in kube-system) running as a controller service account. */
const asController = (account: string) =>
  variant(corpusEvent(85), { requestObject: { spec: { serviceAccountName: account } } });

describe('KD-009 pod in kube-system using a controller service account', () => {
  it('flags its example', () => {
    expect(detect(rule, exampleOf(rule))?.ruleId).toBe('KD-009');
  });

  it('flags a person running a kube-system pod as a controller service account', () => {
    const detection = detect(rule, asController('daemon-set-controller'));

    expect(detection).toMatchObject({ severity: 'medium', namespace: 'kube-system', pod: 'malicious-pod' });
    expect(detection?.evidence.serviceAccount).toBe('daemon-set-controller');
  });

  it('ignores other service accounts', () => {
    expect(detect(rule, asController('aws-node'))).toBeUndefined();
    expect(detect(rule, corpusEvent(85))).toBeUndefined();
  });

  it('ignores system principals', () => {
    const event = variant(asController('replicaset-controller'), {
      user: { username: 'system:serviceaccount:kube-system:replicaset-controller' },
    });

    expect(detect(rule, event)).toBeUndefined();
  });

  it('ignores other namespaces', () => {
    expect(
      detect(rule, variant(asController('replicaset-controller'), { objectRef: { namespace: 'default' } })),
    ).toBeUndefined();
  });
});
