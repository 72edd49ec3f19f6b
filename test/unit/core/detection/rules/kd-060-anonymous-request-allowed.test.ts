import { describe, expect, it } from 'vitest';
import { kd060AnonymousRequestAllowed as rule } from '../../../../../core/detection/rules/kd-060-anonymous-request-allowed.ts';
import { corpusEvent, detect, exampleOf, fixtureEvent, variant } from './rule-test-support.ts';

/** Panther's "web scanner allowed" EKS event: anonymous GET /version, allowed by system:public-info-viewer. */
const anonymousVersion = () => fixtureEvent('eks-audit-anonymous-allowed-version.json');
const anonymousGet = (requestURI: string) => variant(anonymousVersion(), { requestURI });

describe('KD-060 anonymous request allowed', () => {
  it('flags its example', () => {
    expect(detect(rule, exampleOf(rule))?.ruleId).toBe('KD-060');
  });

  it('flags an anonymous create that was allowed, naming the object', () => {
    const detection = detect(rule, corpusEvent(1));

    expect(detection).toMatchObject({
      severity: 'high',
      principal: 'system:anonymous',
      workload: 'namespace/foo',
      evidence: { anonymousUser: 'system:anonymous' },
    });
    expect(detection?.summary).toBe(
      'Anonymous caller system:anonymous was allowed to create /api/v1/namespaces.',
    );
  });

  it('flags anonymous reads beyond the public-info endpoints and keeps the authorization reason', () => {
    const detection = detect(rule, anonymousGet('/api/v1/namespaces/kube-system/secrets?limit=500'));

    expect(detection?.evidence.authorizationReason).toContain('system:public-info-viewer');
    expect(detection?.summary).toBe(
      'Anonymous caller system:anonymous was allowed to get /api/v1/namespaces/kube-system/secrets.',
    );
  });

  it('flags any caller in the system:unauthenticated group', () => {
    const event = variant(anonymousGet('/api/v1/pods'), { user: { username: 'anonymous-proxy' } });
    expect(detect(rule, event)).toBeDefined();
  });

  it('ignores /version, also with a query string', () => {
    expect(detect(rule, anonymousVersion())).toBeUndefined();
    expect(detect(rule, anonymousGet('/version?timeout=32s'))).toBeUndefined();
  });

  it('ignores the health endpoints and their sub-paths', () => {
    for (const path of ['/healthz', '/healthz/etcd', '/livez?verbose', '/readyz', '/readyz/ping']) {
      expect(detect(rule, anonymousGet(path)), path).toBeUndefined();
    }
  });

  it('ignores anonymous requests that were denied', () => {
    expect(detect(rule, fixtureEvent('eks-audit-anonymous-denied.json'))).toBeUndefined();
    expect(detect(rule, corpusEvent(166))).toBeUndefined();
    expect(detect(rule, corpusEvent(167))).toBeUndefined();
  });

  it('flags a request the authorizer allowed even when admission then refused it', () => {
    const event = variant(anonymousGet('/api/v1/namespaces/default/pods'), {
      verb: 'create',
      responseStatus: { code: 403, reason: 'Forbidden' },
    });
    expect(detect(rule, event)).toBeDefined();
  });

  it('falls back to the response code when the event has no authorization annotation', () => {
    const trimmed = variant(anonymousGet('/api/v1/pods'), { annotations: undefined });
    expect(detect(rule, trimmed)).toBeDefined();
  });

  it('ignores authenticated users', () => {
    expect(detect(rule, corpusEvent(53))).toBeUndefined();
  });
});
