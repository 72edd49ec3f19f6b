import { describe, expect, it } from 'vitest';
import { kd070EventsDeleted as rule } from '../../../../../core/detection/rules/kd-070-events-deleted.ts';
import {
  DENIED_BY_RBAC,
  detect,
  EKS_IDENTITY,
  exampleOf,
  SERVICE_ACCOUNT,
  variant,
} from './rule-test-support.ts';

describe('KD-070 Kubernetes events deleted', () => {
  it('flags its example: a whole collection deleted', () => {
    const detection = detect(rule, exampleOf(rule));

    expect(detection).toMatchObject({
      ruleId: 'KD-070',
      severity: 'medium',
      namespace: 'production',
      evidence: { scope: 'collection' },
    });
    expect(detection?.summary).toBe(
      'attacker@example.com deleted all matching Kubernetes events in namespace production.',
    );
  });

  it('flags a single event deleted through events.k8s.io', () => {
    const event = variant(exampleOf(rule), {
      verb: 'delete',
      requestURI: '/apis/events.k8s.io/v1/namespaces/production/events/web-7d4b9.17a3f0c2b1e4d5a6',
      objectRef: { apiGroup: 'events.k8s.io', name: 'web-7d4b9.17a3f0c2b1e4d5a6' },
    });

    expect(detect(rule, event)).toMatchObject({
      workload: 'event/web-7d4b9.17a3f0c2b1e4d5a6',
      evidence: { scope: 'single event' },
    });
  });

  it('ignores a custom resource named events in another API group', () => {
    expect(
      detect(rule, variant(exampleOf(rule), { objectRef: { apiGroup: 'example.com' } })),
    ).toBeUndefined();
  });

  it('ignores service accounts and EKS identities (non-system users only)', () => {
    expect(detect(rule, variant(exampleOf(rule), SERVICE_ACCOUNT))).toBeUndefined();
    expect(detect(rule, variant(exampleOf(rule), EKS_IDENTITY))).toBeUndefined();
  });

  it('ignores denied requests, reads of events and deletes of other resources', () => {
    expect(detect(rule, variant(exampleOf(rule), DENIED_BY_RBAC))).toBeUndefined();
    expect(detect(rule, variant(exampleOf(rule), { verb: 'list' }))).toBeUndefined();
    expect(detect(rule, variant(exampleOf(rule), { objectRef: { resource: 'pods' } }))).toBeUndefined();
  });
});
