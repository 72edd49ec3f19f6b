import { describe, expect, it } from 'vitest';
import { kd080NodePortService as rule } from '../../../../../core/detection/rules/kd-080-nodeport-service.ts';
import {
  corpusEvent,
  DENIED_BY_RBAC,
  detect,
  exampleOf,
  SERVICE_ACCOUNT,
  variant,
} from './rule-test-support.ts';

describe('KD-080 NodePort Service created', () => {
  it('flags its example', () => {
    expect(detect(rule, exampleOf(rule))?.ruleId).toBe('KD-080');
  });

  it('flags a NodePort Service, naming its ports', () => {
    const detection = detect(rule, corpusEvent(29));

    expect(detection).toMatchObject({
      severity: 'medium',
      namespace: 'default',
      workload: 'service/nginx',
      evidence: { serviceType: 'NodePort', ports: '80→30080/TCP' },
    });
    expect(detection?.summary).toBe(
      'minikube-user created service default/nginx as type NodePort (ports 80→30080/TCP).',
    );
  });

  it('flags a Service switched to NodePort by update or patch', () => {
    expect(
      detect(rule, variant(corpusEvent(147), { verb: 'update', responseStatus: { code: 200 } })),
    ).toBeDefined();
    expect(
      detect(rule, variant(corpusEvent(147), { verb: 'patch', responseStatus: { code: 200 } })),
    ).toBeDefined();
  });

  it('flags it whoever the caller is (no principal clause)', () => {
    expect(detect(rule, variant(corpusEvent(147), SERVICE_ACCOUNT))).toBeDefined();
  });

  it('ignores ClusterIP and LoadBalancer Services', () => {
    expect(detect(rule, corpusEvent(30))).toBeUndefined();
    expect(detect(rule, corpusEvent(34))).toBeUndefined();
    expect(
      detect(rule, variant(corpusEvent(147), { requestObject: { spec: { type: 'LoadBalancer' } } })),
    ).toBeUndefined();
  });

  it('ignores denied requests and deletes', () => {
    expect(detect(rule, variant(corpusEvent(29), DENIED_BY_RBAC))).toBeUndefined();
    expect(detect(rule, variant(corpusEvent(29), { verb: 'delete' }))).toBeUndefined();
  });
});
