import { describe, expect, it } from 'vitest';
import { kd036ServiceAccountTokenSecret as rule } from '../../../../../core/detection/rules/kd-036-service-account-token-secret.ts';
import { corpusEvent, detect, exampleOf, variant } from './rule-test-support.ts';

/** Corpus line 33 (falco create_secret) at Request level, as a long-lived token secret. */
const tokenSecret = () =>
  variant(corpusEvent(33), {
    level: 'Request',
    requestObject: {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'example-secret', annotations: { 'kubernetes.io/service-account.name': 'deployer' } },
      type: 'kubernetes.io/service-account-token',
    },
  });

describe('KD-036 long-lived SA token Secret created', () => {
  it('flags its example', () => {
    expect(detect(rule, exampleOf(rule))?.ruleId).toBe('KD-036');
  });

  it('flags a person creating a token secret, naming the service account', () => {
    const detection = detect(rule, tokenSecret());

    expect(detection).toMatchObject({
      severity: 'medium',
      secretNames: ['example-secret'],
      evidence: { serviceAccount: 'deployer' },
    });
    expect(detection?.summary).toBe(
      'minikube-user created secret example-secret in namespace default holding a token for service account deployer.',
    );
  });

  it('ignores other secret types and Metadata-level events', () => {
    expect(detect(rule, variant(tokenSecret(), { requestObject: { type: 'Opaque' } }))).toBeUndefined();
    expect(detect(rule, corpusEvent(33))).toBeUndefined();
  });

  it('ignores the token controller and other system principals', () => {
    expect(
      detect(rule, variant(tokenSecret(), { user: { username: 'system:kube-controller-manager' } })),
    ).toBeUndefined();
  });
});
