import { describe, expect, it } from 'vitest';
import { kd062RbacSelfEnumeration as rule } from '../../../../../core/detection/rules/kd-062-rbac-self-enumeration.ts';
import { detect, exampleOf, variant } from './rule-test-support.ts';

const PERSON = { user: { username: 'jdoe@example.com', groups: ['system:authenticated'] } };

describe('KD-062 RBAC self-permission enumeration', () => {
  it('flags its example: a service account reviewing its own rules', () => {
    const detection = detect(rule, exampleOf(rule));

    expect(detection).toMatchObject({
      ruleId: 'KD-062',
      severity: 'low',
      evidence: { reason: 'service account' },
    });
    expect(detection?.summary).toBe(
      'system:serviceaccount:default:webapp (service account) created a selfsubjectrulesreview to enumerate its own permissions.',
    );
  });

  it('flags a node identity asking for an access review', () => {
    const event = variant(exampleOf(rule), {
      user: { username: 'system:node:ip-10-0-0-137.eu-west-1.compute.internal' },
      objectRef: { resource: 'selfsubjectaccessreviews' },
    });
    expect(detect(rule, event)?.evidence.reason).toBe('node identity');
  });

  it('flags a person using a bare HTTP client, no user agent, or an enumeration tool', () => {
    for (const userAgent of ['curl/8.4.0', 'python-requests/2.31.0', 'access_matrix/0.1']) {
      expect(
        detect(rule, variant(exampleOf(rule), { ...PERSON, userAgent }))?.evidence.reason,
        userAgent,
      ).toBe('unusual user agent');
    }
    expect(detect(rule, variant(exampleOf(rule), { ...PERSON, userAgent: undefined }))?.evidence.reason).toBe(
      'no user agent',
    );
  });

  it('ignores a person running kubectl auth can-i', () => {
    expect(detect(rule, variant(exampleOf(rule), PERSON))).toBeUndefined();
  });

  it('ignores reviews about other subjects and same-named resources in other API groups', () => {
    expect(
      detect(rule, variant(exampleOf(rule), { objectRef: { resource: 'subjectaccessreviews' } })),
    ).toBeUndefined();
    expect(
      detect(rule, variant(exampleOf(rule), { objectRef: { apiGroup: 'example.com' } })),
    ).toBeUndefined();
  });
});
