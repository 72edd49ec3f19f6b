import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  networkPolicyEnforcementCheck,
  vpcCniNetworkPolicyEnabled,
} from '#core/posture/checks/kp-009-network-policy-enforcement.ts';
import type { KubeObject } from '#core/posture/snapshot.ts';
import { aws, awsSnapshot } from '#test/support/aws-fixtures.ts';

const cluster = aws.cluster('eks-describe-cluster-private.json');

function daemonSet(
  name: string,
  namespace = 'kube-system',
  containers: unknown[] = [{ name, image: `${name}:v1` }],
) {
  return parse(`
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  selector:
    matchLabels:
      k8s-app: ${name}
  template:
    metadata:
      labels:
        k8s-app: ${name}
    spec:
      containers: ${JSON.stringify(containers)}
`) as KubeObject;
}

describe('KP-009 network policy enforcement', () => {
  it('passes vpc-cni with enableNetworkPolicy "true" in JSON configurationValues', () => {
    const addons = [aws.addon('eks-describe-addon-vpc-cni-netpol-on.json')];
    const [result] = networkPolicyEnforcementCheck.evaluate(awsSnapshot({ cluster, addons }));
    expect(result).toMatchObject({ status: 'pass', object: { kind: 'EKSCluster', name: 'example' } });
  });

  it('flags vpc-cni whose YAML configurationValues lack enableNetworkPolicy', () => {
    const addons = [aws.addon('eks-describe-addon-vpc-cni-netpol-off.json')];
    const [result] = networkPolicyEnforcementCheck.evaluate(awsSnapshot({ cluster, addons }));
    expect(result?.status).toBe('fail');
    expect(result?.message).toContain('do not set enableNetworkPolicy');
  });

  it('flags a default vpc-cni install without configurationValues', () => {
    const addons = [aws.addon('eks-describe-addon-vpc-cni-default.json')];
    const [result] = networkPolicyEnforcementCheck.evaluate(awsSnapshot({ cluster, addons }));
    expect(result?.message).toContain('has no configurationValues');
  });

  it('passes when a Calico or Cilium DaemonSet runs although vpc-cni does not enforce', () => {
    const addons = [aws.addon('eks-describe-addon-vpc-cni-default.json')];
    for (const name of ['calico-node', 'cilium']) {
      const [result] = networkPolicyEnforcementCheck.evaluate(
        awsSnapshot({ cluster, addons }, { objects: [daemonSet(name)] }),
      );
      expect(result?.status).toBe('pass');
      expect(result?.message).toContain(`DaemonSet kube-system/${name}`);
    }
  });

  it('passes a self-managed aws-node whose network policy agent is enabled', () => {
    const agent = [
      { name: 'aws-node', image: 'amazon-k8s-cni:v1.19.2' },
      {
        name: 'aws-network-policy-agent',
        image: 'aws-network-policy-agent:v1.1.6',
        args: ['--enable-network-policy=true'],
      },
    ];
    const [result] = networkPolicyEnforcementCheck.evaluate(
      awsSnapshot({ cluster, addons: [] }, { objects: [daemonSet('aws-node', 'kube-system', agent)] }),
    );
    expect(result?.status).toBe('pass');
  });

  it('skips rather than fails when DaemonSets could not be read', () => {
    const addons = [aws.addon('eks-describe-addon-vpc-cni-default.json')];
    const [result] = networkPolicyEnforcementCheck.evaluate(
      awsSnapshot({ cluster, addons }, { unavailable: { workloads: 'no permission to list daemonsets' } }),
    );
    expect(result?.status).toBe('skip');
    expect(result?.message).toContain('no permission to list daemonsets');
  });

  it('accepts a boolean true and rejects text that is not YAML', () => {
    expect(vpcCniNetworkPolicyEnabled('enableNetworkPolicy: true')).toBe(true);
    expect(vpcCniNetworkPolicyEnabled('{"enableNetworkPolicy": "TRUE"}')).toBe(true);
    expect(vpcCniNetworkPolicyEnabled('{"enableNetworkPolicy": "false"}')).toBe(false);
    expect(vpcCniNetworkPolicyEnabled('{unclosed')).toBe(false);
  });
});
