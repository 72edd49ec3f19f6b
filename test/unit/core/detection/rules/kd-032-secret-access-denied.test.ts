import { describe, expect, it } from 'vitest';
import { kd032SecretAccessDenied as rule } from '../../../../../core/detection/rules/kd-032-secret-access-denied.ts';
import { corpusEvent, detect, exampleOf, fixtureEvent, variant } from './rule-test-support.ts';

/** Corpus line 126 (Panther "Secret access denied"). */
const denied = () => corpusEvent(126);

describe('KD-032 secret access denied / not found', () => {
  it('flags its example', () => {
    expect(detect(rule, exampleOf(rule))?.ruleId).toBe('KD-032');
  });

  it('flags a forbidden get of a secret', () => {
    expect(detect(rule, denied())).toMatchObject({
      severity: 'medium',
      namespace: 'production',
      secretNames: ['db-password'],
      summary:
        'attacker@example.com tried to read secret db-password in namespace production (refused with 403).',
    });
  });

  it('flags a get of a secret that does not exist (404) and a 401', () => {
    expect(detect(rule, corpusEvent(127))?.evidence.outcome).toBe('not found');
    expect(detect(rule, variant(denied(), { responseStatus: { code: 401 } }))?.ruleId).toBe('KD-032');
  });

  it('falls back to the authorization decision when there is no response status', () => {
    const event = variant(denied(), {
      responseStatus: undefined,
      annotations: { 'authorization.k8s.io/decision': 'forbid' },
    });

    expect(detect(rule, event)?.evidence.outcome).toBe('forbidden');
  });

  it('names an unauthenticated caller when the user is empty', () => {
    const event = variant(denied(), { user: { username: undefined }, responseStatus: { code: 401 } });

    expect(detect(rule, event)?.summary).toContain(
      'an unauthenticated caller tried to read secret db-password',
    );
  });

  it('ignores a successful get', () => {
    expect(detect(rule, corpusEvent(129))).toBeUndefined();
  });

  it('ignores service accounts and other system principals', () => {
    expect(detect(rule, corpusEvent(128))).toBeUndefined();
    expect(detect(rule, corpusEvent(130))).toBeUndefined();
  });

  it('ignores list (get only) and other resources', () => {
    expect(detect(rule, corpusEvent(132))).toBeUndefined();
    expect(detect(rule, corpusEvent(131))).toBeUndefined();
    expect(detect(rule, fixtureEvent('eks-audit-failed-authentication-401.json'))).toBeUndefined();
  });
});
