import { describe, expect, it } from 'vitest';
import { kd081LoadBalancerService as rule } from '../../../../../core/detection/rules/kd-081-loadbalancer-service.ts';
import { corpusEvent, detect, exampleOf, variant } from './rule-test-support.ts';

const withAnnotations = (annotations: Record<string, string>) =>
  variant(exampleOf(rule), { requestObject: { metadata: { annotations } } });

describe('KD-081 LoadBalancer Service created', () => {
  it('flags its example', () => {
    const detection = detect(rule, exampleOf(rule));

    expect(detection).toMatchObject({
      ruleId: 'KD-081',
      severity: 'low',
      workload: 'service/grafana',
      evidence: { serviceType: 'LoadBalancer', ports: '80/TCP' },
    });
    expect(detection?.summary).toBe(
      'developer@example.com created service monitoring/grafana as a public LoadBalancer (ports 80/TCP).',
    );
  });

  it('flags an explicitly internet-facing load balancer and an internal annotation set to false', () => {
    const facing = withAnnotations({
      'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
    });
    const notInternal = withAnnotations({ 'service.beta.kubernetes.io/aws-load-balancer-internal': 'false' });
    expect(detect(rule, facing)).toBeDefined();
    expect(detect(rule, notInternal)).toBeDefined();
  });

  it('ignores internal load balancers', () => {
    const internalAnnotations: Record<string, string>[] = [
      { 'service.beta.kubernetes.io/aws-load-balancer-internal': 'true' },
      { 'service.beta.kubernetes.io/aws-load-balancer-internal': '0.0.0.0/0' },
      { 'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal' },
    ];
    for (const annotations of internalAnnotations) {
      expect(detect(rule, withAnnotations(annotations)), JSON.stringify(annotations)).toBeUndefined();
    }
  });

  it('ignores NodePort and ClusterIP Services', () => {
    expect(detect(rule, corpusEvent(147))).toBeUndefined();
    expect(detect(rule, corpusEvent(30))).toBeUndefined();
  });
});
