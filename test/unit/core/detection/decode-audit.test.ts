import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAuditEvent } from '../../../../core/detection/decode-audit.ts';
import { InvalidEventError } from '../../../../core/errors.ts';
import { fixtureWith, loadFixture } from '../../../support/fixtures.ts';

const AUDIT_FIXTURES = [
  'eks-audit-anonymous-allowed-version.json',
  'eks-audit-anonymous-denied.json',
  'eks-audit-benign-get-pod-log.json',
  'eks-audit-clusterrolebinding-cluster-admin.json',
  'eks-audit-exec-pod-create.json',
  'eks-audit-exec-pod-websocket-get.json',
  'eks-audit-failed-authentication-401.json',
  'eks-audit-node-forbidden.json',
  'eks-audit-privileged-pod-create.json',
  'eks-audit-secrets-list.json',
];

function rejection(value: unknown): InvalidEventError {
  try {
    parseAuditEvent(value);
  } catch (error) {
    if (error instanceof InvalidEventError) return error;
    throw error;
  }
  throw new Error('parseAuditEvent accepted the value');
}

describe('parseAuditEvent', () => {
  it.each(AUDIT_FIXTURES)('accepts the real-format event %s unchanged in substance', (name) => {
    const raw = loadFixture<Record<string, unknown>>(name);
    const event = parseAuditEvent(raw);
    expect(event.auditID).toBe(raw.auditID);
    expect(event.verb).toBe(raw.verb);
    expect(event.user).toEqual(raw.user);
    expect(event.objectRef).toEqual(raw.objectRef);
    expect(event.requestObject).toEqual(raw.requestObject);
    expect(event.sourceIPs).toEqual(raw.sourceIPs);
  });

  it('returns a well-typed event itself, without copying it', () => {
    const raw = loadFixture<Record<string, unknown>>('eks-audit-privileged-pod-create.json');
    expect(parseAuditEvent(raw)).toBe(raw);
  });

  it('accepts the legacy audit.k8s.io/v1beta1 version', () => {
    const event = parseAuditEvent(
      fixtureWith('eks-audit-exec-pod-create.json', { apiVersion: 'audit.k8s.io/v1beta1' }),
    );
    expect(event.apiVersion).toBe('audit.k8s.io/v1beta1');
  });

  it('keeps an empty user object (failed authentication has no username)', () => {
    const event = parseAuditEvent(loadFixture('eks-audit-failed-authentication-401.json'));
    expect(event.user).toEqual({});
  });

  it.each([
    ['kind', { kind: 'EventList' }, /"kind" must be "Event"; received the string "EventList"/],
    ['apiVersion', { apiVersion: 'v1' }, /"apiVersion" must be one of .*; received the string "v1"/],
    ['auditID', { auditID: 42 }, /"auditID" must be a non-empty string; received number 42/],
    ['verb', { verb: ['get'] }, /"verb" must be a non-empty string; received an array of 1 item/],
  ])('rejects a wrong %s, naming the field and the value received', (field, override, message) => {
    const error = rejection(fixtureWith('eks-audit-secrets-list.json', override));
    expect(error.code).toBe('INVALID_EVENT');
    expect(error.details.field).toBe(field);
    expect(error.message).toMatch(message);
  });

  it('rejects a missing auditID', () => {
    const raw = loadFixture<Record<string, unknown>>('eks-audit-secrets-list.json');
    delete raw.auditID;
    expect(rejection(raw).message).toMatch(/"auditID" .*received nothing \(the field is missing\)/);
  });

  it('rejects a value that is not an object', () => {
    expect(rejection('{"kind":"Event"}').message).toMatch(/must be a JSON object; received the string/);
    expect(rejection(null).message).toMatch(/received null/);
  });

  it('drops mistyped optional fields so rules see only the declared types', () => {
    const event = parseAuditEvent(
      fixtureWith('eks-audit-privileged-pod-create.json', {
        stage: 7,
        requestURI: { path: '/api' },
        sourceIPs: '1.2.3.4',
        userAgent: null,
        user: {
          username: 12,
          groups: ['system:masters', 3, null],
          extra: { arn: 'not-an-array', ok: ['x', 1] },
        },
        objectRef: { resource: ['pods'], namespace: 'default' },
        responseStatus: { code: '201', reason: 5 },
        annotations: { 'authorization.k8s.io/decision': 'allow', bad: { nested: true } },
      }),
    );
    expect(event.stage).toBeUndefined();
    expect(event.requestURI).toBeUndefined();
    expect(event.sourceIPs).toBeUndefined();
    expect(event.userAgent).toBeUndefined();
    expect(event.user?.username).toBeUndefined();
    expect(event.user?.groups).toEqual(['system:masters']);
    expect(event.user?.extra?.ok).toEqual(['x']);
    expect(event.user?.extra?.arn).toBeUndefined();
    expect(event.objectRef?.resource).toBeUndefined();
    expect(event.objectRef?.namespace).toBe('default');
    expect(event.responseStatus).toEqual({});
    expect(event.annotations?.['authorization.k8s.io/decision']).toBe('allow');
    expect(event.annotations?.bad).toBeUndefined();
  });

  it('keeps a "__proto__" annotation as data without touching the prototype', () => {
    const raw = JSON.parse(
      '{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a","verb":"get","annotations":{"__proto__":"x"}}',
    );
    const event = parseAuditEvent(raw);
    expect(Object.getPrototypeOf(event.annotations)).toBe(Object.prototype);
    expect(Object.hasOwn(event.annotations ?? {}, '__proto__')).toBe(true);
  });

  it('does not modify its input', () => {
    const raw = fixtureWith<Record<string, unknown>>('eks-audit-secrets-list.json', { stage: 7 });
    const copy = structuredClone(raw);
    parseAuditEvent(raw);
    expect(raw).toEqual(copy);
  });

  describe('lenient mode (trimmed test traces)', () => {
    it('accepts an event without apiVersion, auditID and verb, with the fallback auditID', () => {
      const raw = loadFixture<Record<string, unknown>>('eks-audit-anonymous-allowed-version.json');
      delete raw.apiVersion;
      delete raw.auditID;
      delete raw.verb;
      const event = parseAuditEvent(raw, { lenient: true, fallbackAuditId: 'line-7' });
      expect(event.auditID).toBe('line-7');
      expect(event.verb).toBe('');
      expect(event.apiVersion).toBeUndefined();
    });

    it('still rejects a present value of the wrong type', () => {
      expect(() =>
        parseAuditEvent(fixtureWith('eks-audit-secrets-list.json', { verb: 3 }), { lenient: true }),
      ).toThrow(/"verb" must be a non-empty string; received number 3/);
    });
  });

  describe('hostile input', () => {
    it('either returns an event or throws InvalidEventError, for any JSON value', () => {
      fc.assert(
        fc.property(fc.jsonValue(), (value) => {
          try {
            const event = parseAuditEvent(value);
            expect(typeof event.auditID).toBe('string');
          } catch (error) {
            expect(error).toBeInstanceOf(InvalidEventError);
          }
        }),
        { numRuns: 500 },
      );
    });

    it('normalizes random values in every optional field of a real event to the declared types', () => {
      const fields = [
        'user',
        'impersonatedUser',
        'sourceIPs',
        'objectRef',
        'responseStatus',
        'annotations',
        'stage',
      ];
      fc.assert(
        fc.property(fc.constantFrom(...fields), fc.jsonValue(), (field, value) => {
          const event = parseAuditEvent(fixtureWith('eks-audit-exec-pod-create.json', { [field]: value }));
          if (event.sourceIPs !== undefined)
            expect(event.sourceIPs.every((ip) => typeof ip === 'string')).toBe(true);
          if (event.user?.groups !== undefined)
            expect(event.user.groups.every((g) => typeof g === 'string')).toBe(true);
          if (event.responseStatus?.code !== undefined)
            expect(Number.isInteger(event.responseStatus.code)).toBe(true);
          for (const v of Object.values(event.annotations ?? {})) expect(typeof v).toBe('string');
          if (event.stage !== undefined) expect(typeof event.stage).toBe('string');
        }),
        { numRuns: 300 },
      );
    });

    it('describes a 1 MB string briefly in its error', () => {
      const huge = 'x'.repeat(1024 * 1024);
      const error = rejection(fixtureWith('eks-audit-secrets-list.json', { apiVersion: huge }));
      expect(error.message.length).toBeLessThan(400);
      expect(error.message).toContain('(1048576 characters)');
    });

    it('accepts 10 000 nested arrays in requestObject without recursion', () => {
      const deep = JSON.parse(`${'['.repeat(10_000)}${']'.repeat(10_000)}`);
      const event = parseAuditEvent({
        ...loadFixture<Record<string, unknown>>('eks-audit-secrets-list.json'),
        requestObject: deep,
      });
      expect(Array.isArray(event.requestObject)).toBe(true);
    });
  });
});
