import { describe, expect, it } from 'vitest';
import { kd034SecretModified as rule } from '../../../../../core/detection/rules/kd-034-secret-modified.ts';
import { corpusEvent, DENIED_BY_RBAC, detect, exampleOf, variant } from './rule-test-support.ts';

/** Corpus line 33 (falco create_secret). */
const secretCreate = () => corpusEvent(33);

describe('KD-034 secret created / modified / deleted by non-system user', () => {
  it('flags its example', () => {
    expect(detect(rule, exampleOf(rule))?.ruleId).toBe('KD-034');
  });

  it('flags a person creating a secret', () => {
    expect(detect(rule, secretCreate())).toMatchObject({
      severity: 'low',
      secretNames: ['example-secret'],
      summary: 'minikube-user created secret example-secret in namespace default.',
    });
  });

  it.each([['update'], ['patch'], ['delete']])('flags %s', (verb) => {
    expect(detect(rule, variant(secretCreate(), { verb, responseStatus: { code: 200 } }))?.ruleId).toBe(
      'KD-034',
    );
  });

  it('ignores kube-system', () => {
    expect(detect(rule, corpusEvent(19))).toBeUndefined();
  });

  it('ignores system principals', () => {
    expect(detect(rule, corpusEvent(35))).toBeUndefined();
  });

  it('ignores the same request when it was denied', () => {
    expect(detect(rule, variant(secretCreate(), DENIED_BY_RBAC))).toBeUndefined();
  });
});
