import { describe, expect, it } from 'vitest';
import { kd008PodInSystemNamespace as rule } from '../../../../../core/detection/rules/kd-008-pod-in-system-namespace.ts';
import { corpusEvent, DENIED_BY_RBAC, detect, exampleOf, variant } from './rule-test-support.ts';

/** Corpus line 85 (Panther "Pod created in kube-system"). */
const kubeSystemPod = () => corpusEvent(85);

describe('KD-008 pod created in a system namespace', () => {
  it('flags its example', () => {
    expect(detect(rule, exampleOf(rule))?.ruleId).toBe('KD-008');
  });

  it('flags a person creating a pod in kube-system', () => {
    const detection = detect(rule, kubeSystemPod());

    expect(detection).toMatchObject({
      severity: 'medium',
      namespace: 'kube-system',
      pod: 'malicious-pod',
      image: 'attacker/backdoor:latest',
    });
  });

  it('flags kube-public and kube-node-lease', () => {
    expect(detect(rule, corpusEvent(31))?.namespace).toBe('kube-public');
    expect(detect(rule, corpusEvent(86))?.namespace).toBe('kube-node-lease');
  });

  it('flags service accounts, including kube-system controllers (only eks:* and system:node:* are excluded)', () => {
    expect(detect(rule, corpusEvent(32))?.principal).toBe(
      'system:serviceaccount:kube-system:replicaset-controller',
    );
  });

  it('ignores EKS control-plane identities and kubelets', () => {
    expect(
      detect(rule, variant(kubeSystemPod(), { user: { username: 'eks:addon-manager' } })),
    ).toBeUndefined();
    expect(
      detect(
        rule,
        variant(kubeSystemPod(), {
          user: { username: 'system:node:ip-10-0-0-137.eu-west-1.compute.internal' },
        }),
      ),
    ).toBeUndefined();
  });

  it('ignores pods whose images are all allow-listed (registry host and tag ignored)', () => {
    const kubeProxy = variant(kubeSystemPod(), {
      requestObject: {
        spec: {
          containers: [
            {
              name: 'kube-proxy',
              image: '602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/kube-proxy:v1.29.0-eksbuild.1',
            },
          ],
        },
      },
    });

    expect(detect(rule, kubeProxy)).toBeUndefined();
  });

  it('ignores application namespaces', () => {
    expect(detect(rule, corpusEvent(87))).toBeUndefined();
  });

  it('ignores the same request when it was denied', () => {
    expect(detect(rule, corpusEvent(88))).toBeUndefined();
    expect(detect(rule, variant(kubeSystemPod(), DENIED_BY_RBAC))).toBeUndefined();
  });

  it('reads the namespace from objectRef, not from the request body', () => {
    const event = variant(kubeSystemPod(), { objectRef: { namespace: 'default' } });

    expect(detect(rule, event)).toBeUndefined();
  });
});
