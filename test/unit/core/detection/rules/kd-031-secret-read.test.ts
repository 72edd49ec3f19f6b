import { describe, expect, it } from 'vitest';
import { kd031SecretRead as rule } from '../../../../../core/detection/rules/kd-031-secret-read.ts';
import {
  corpusEvent,
  DENIED_BY_RBAC,
  detect,
  exampleOf,
  fixtureEvent,
  variant,
} from './rule-test-support.ts';

const secretsList = () => fixtureEvent('eks-audit-secrets-list.json');

describe('KD-031 secret read by non-system user', () => {
  it('flags its example', () => {
    expect(detect(rule, exampleOf(rule))?.ruleId).toBe('KD-031');
  });

  it('flags a person listing secrets in a namespace', () => {
    expect(detect(rule, secretsList())).toMatchObject({
      severity: 'low',
      namespace: 'default',
      summary: 'kubernetes-admin listed secrets in namespace default.',
    });
  });

  it('flags get and watch, naming the secret', () => {
    expect(detect(rule, corpusEvent(133))).toMatchObject({ secretNames: ['db-credentials'] });
    expect(detect(rule, corpusEvent(135))?.ruleId).toBe('KD-031');
  });

  it('ignores Helm release secrets', () => {
    const helm = variant(corpusEvent(133), { objectRef: { name: 'sh.helm.release.v1.web.v3' } });

    expect(detect(rule, helm)).toBeUndefined();
  });

  it('ignores service accounts and other system principals', () => {
    expect(
      detect(rule, variant(secretsList(), { user: { username: 'system:serviceaccount:default:app' } })),
    ).toBeUndefined();
  });

  it('ignores the same request when it was denied', () => {
    expect(detect(rule, variant(secretsList(), DENIED_BY_RBAC))).toBeUndefined();
  });

  it('ignores writes', () => {
    expect(detect(rule, corpusEvent(139))).toBeUndefined();
  });
});
