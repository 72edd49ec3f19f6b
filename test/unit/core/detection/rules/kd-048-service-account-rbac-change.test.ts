import { describe, expect, it } from 'vitest';
import { kd048ServiceAccountRbacChange as rule } from '../../../../../core/detection/rules/kd-048-service-account-rbac-change.ts';
import { corpusEvent, detect, EKS_IDENTITY, exampleOf, variant } from './rule-test-support.ts';

describe('KD-048 service account modifies RBAC objects', () => {
  it('flags its example', () => {
    expect(detect(rule, exampleOf(rule))?.ruleId).toBe('KD-048');
  });

  it('flags a service account creating a ClusterRoleBinding', () => {
    const detection = detect(rule, corpusEvent(67));

    expect(detection).toMatchObject({
      severity: 'medium',
      workload: 'clusterrolebinding/system-binding',
      evidence: { serviceAccount: 'kube-system:controller', roleRef: 'ClusterRole cluster-admin' },
    });
    expect(detection?.summary).toBe(
      'Service account system:serviceaccount:kube-system:controller created clusterrolebinding system-binding.',
    );
  });

  it('flags roles created or updated by service accounts', () => {
    for (const line of [104, 110, 117, 123, 172]) {
      expect(detect(rule, corpusEvent(line)), `corpus line ${line}`).toBeDefined();
    }
    expect(detect(rule, corpusEvent(110))?.evidence.resources).toBe('pods/exec');
  });

  it('ignores the kube-system controllers whose job is RBAC', () => {
    for (const controller of ['clusterrole-aggregation-controller', 'generic-garbage-collector']) {
      const event = variant(corpusEvent(172), {
        user: { username: `system:serviceaccount:kube-system:${controller}` },
      });
      expect(detect(rule, event), controller).toBeUndefined();
    }
  });

  it('flags a look-alike of those controllers in another namespace', () => {
    const lookAlike = variant(corpusEvent(172), {
      user: { username: 'system:serviceaccount:default:generic-garbage-collector' },
    });
    expect(detect(rule, lookAlike)).toBeDefined();
  });

  it('ignores people, nodes and EKS identities', () => {
    expect(detect(rule, corpusEvent(2))).toBeUndefined();
    expect(detect(rule, variant(corpusEvent(67), EKS_IDENTITY))).toBeUndefined();
    const node = variant(corpusEvent(67), {
      user: { username: 'system:node:ip-10-0-0-137.eu-west-1.compute.internal' },
    });
    expect(detect(rule, node)).toBeUndefined();
  });

  it('ignores reads and changes to objects other than roles and bindings', () => {
    expect(detect(rule, variant(corpusEvent(67), { verb: 'get' }))).toBeUndefined();
    expect(detect(rule, corpusEvent(71))).toBeUndefined();
  });
});
