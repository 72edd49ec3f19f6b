import { describe, expect, it } from 'vitest';
import { kd052AdmissionWebhookChanged as rule } from '../../../../../core/detection/rules/kd-052-admission-webhook-changed.ts';
import {
  corpusEvent,
  DENIED_BY_RBAC,
  detect,
  EKS_IDENTITY,
  exampleOf,
  SERVICE_ACCOUNT,
  variant,
} from './rule-test-support.ts';

/** Corpus line 54 (Panther "Admission Controller Created"). */
const mutatingCreate = () => corpusEvent(54);

describe('KD-052 admission webhook configuration created/modified/deleted', () => {
  it('flags its example', () => {
    expect(detect(rule, exampleOf(rule))?.ruleId).toBe('KD-052');
  });

  it('flags a mutating webhook created by a person, naming the webhook and where it sends requests', () => {
    const detection = detect(rule, mutatingCreate());

    expect(detection).toMatchObject({
      severity: 'medium',
      workload: 'mutatingwebhookconfiguration/custom-mutator',
      evidence: {
        webhooks: 'mutate.example.com',
        targets: 'https://webhook.example.com/mutate',
        failurePolicies: 'Fail (default)',
      },
    });
    expect(detection?.summary).toBe('admin@example.com created mutatingwebhookconfiguration custom-mutator.');
  });

  it('flags a validating webhook deleted, and names in-cluster service targets', () => {
    const deleted = variant(mutatingCreate(), {
      verb: 'delete',
      objectRef: {
        resource: 'validatingwebhookconfigurations',
        name: 'gatekeeper-validating-webhook-configuration',
      },
      requestObject: undefined,
      responseStatus: { code: 200 },
    });
    const serviceTarget = variant(mutatingCreate(), {
      requestObject: {
        webhooks: [
          {
            name: 'validation.gatekeeper.sh',
            failurePolicy: 'Ignore',
            clientConfig: { service: { name: 'gatekeeper-webhook-service', namespace: 'gatekeeper-system' } },
          },
        ],
      },
    });

    expect(detect(rule, deleted)?.summary).toBe(
      'admin@example.com deleted validatingwebhookconfiguration gatekeeper-validating-webhook-configuration.',
    );
    expect(detect(rule, serviceTarget)?.evidence).toMatchObject({
      targets: 'service gatekeeper-system/gatekeeper-webhook-service',
      failurePolicies: 'Ignore',
    });
  });

  it('ignores service accounts (a mesh or policy controller) and EKS identities', () => {
    expect(detect(rule, variant(mutatingCreate(), SERVICE_ACCOUNT))).toBeUndefined();
    expect(detect(rule, variant(mutatingCreate(), EKS_IDENTITY))).toBeUndefined();
  });

  it('ignores denied requests and reads', () => {
    expect(detect(rule, variant(mutatingCreate(), DENIED_BY_RBAC))).toBeUndefined();
    expect(detect(rule, variant(mutatingCreate(), { verb: 'list' }))).toBeUndefined();
  });

  it('ignores a same-named resource in another API group', () => {
    expect(
      detect(rule, variant(mutatingCreate(), { objectRef: { apiGroup: 'example.com' } })),
    ).toBeUndefined();
  });
});
