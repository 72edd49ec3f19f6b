import { describe, expect, it } from 'vitest';
import { kd004HostNetwork as rule } from '../../../../../core/detection/rules/kd-004-host-network.ts';
import { corpusEvent, DENIED_BY_POD_SECURITY, detect, exampleOf, variant } from './rule-test-support.ts';

/** Corpus line 20 (falco create_nginx_pod_hostnetwork). */
const hostNetworkPod = () => corpusEvent(20);

describe('KD-004 host network', () => {
  it('flags its example', () => {
    expect(detect(rule, exampleOf(rule))?.ruleId).toBe('KD-004');
  });

  it('flags a pod on the host network created by the ReplicaSet controller', () => {
    const detection = detect(rule, hostNetworkPod());

    expect(detection).toMatchObject({
      severity: 'medium',
      workload: 'replicaset/nginx-deployment-754c877bcd',
    });
    expect(detection?.evidence.hostNetwork).toBe('true');
  });

  it('ignores hostNetwork: false and its absence', () => {
    expect(
      detect(rule, variant(hostNetworkPod(), { requestObject: { spec: { hostNetwork: false } } })),
    ).toBeUndefined();
    expect(detect(rule, corpusEvent(22))).toBeUndefined();
  });

  it('ignores host-network pods whose images are all allow-listed', () => {
    const coredns = variant(hostNetworkPod(), {
      requestObject: {
        spec: {
          containers: [
            { name: 'coredns', image: '602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/coredns:v1.11.1' },
          ],
        },
      },
    });

    expect(detect(rule, coredns)).toBeUndefined();
  });

  it('ignores the same request when it was denied', () => {
    expect(detect(rule, variant(hostNetworkPod(), DENIED_BY_POD_SECURITY))).toBeUndefined();
  });

  it('ignores a truthy value that is not the boolean true', () => {
    expect(
      detect(rule, variant(hostNetworkPod(), { requestObject: { spec: { hostNetwork: 'true' } } })),
    ).toBeUndefined();
  });
});
