import { describe, expect, it } from 'vitest';
import { kd082IngressWithoutTls as rule } from '../../../../../core/detection/rules/kd-082-ingress-without-tls.ts';
import { corpusEvent, detect, exampleOf, variant } from './rule-test-support.ts';

describe('KD-082 Ingress without TLS created', () => {
  it('flags its example', () => {
    expect(detect(rule, exampleOf(rule))?.ruleId).toBe('KD-082');
  });

  it('flags an Ingress without a tls section, naming its hosts', () => {
    const detection = detect(rule, corpusEvent(75));

    expect(detection).toMatchObject({
      severity: 'low',
      namespace: 'production',
      workload: 'ingress/api-ingress',
      evidence: { hosts: 'api.example.com', tls: 'none' },
    });
    expect(detection?.summary).toBe(
      'developer@example.com created ingress production/api-ingress without TLS for hosts api.example.com.',
    );
  });

  it('flags a rule without host as every host, and an empty tls list', () => {
    expect(detect(rule, corpusEvent(77))?.evidence.hosts).toBe('*');
    expect(detect(rule, variant(corpusEvent(75), { requestObject: { spec: { tls: [] } } }))).toBeDefined();
  });

  it('ignores Ingresses with TLS', () => {
    expect(detect(rule, corpusEvent(76))).toBeUndefined();
  });

  it('ignores updates (create only) and denied requests', () => {
    expect(detect(rule, corpusEvent(79))).toBeUndefined();
    expect(detect(rule, corpusEvent(78))).toBeUndefined();
  });

  it('ignores Metadata-level events, which carry no request body to judge', () => {
    expect(detect(rule, variant(corpusEvent(75), { requestObject: undefined }))).toBeUndefined();
  });
});
