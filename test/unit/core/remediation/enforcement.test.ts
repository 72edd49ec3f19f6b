import { describe, expect, it } from 'vitest';
import { detectEnforcement } from '#core/remediation/enforcement.ts';
import type { KubeObject } from '#core/remediation/kube-objects.ts';
import { awsNode } from '#test/support/remediation-cluster.ts';

/** Whether NetworkPolicy is visibly enforced, from kube-system/calico-system DaemonSets and an AWS-side hint. */

function daemonSet(name: string, namespace = 'kube-system'): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name, namespace } };
}

describe('NetworkPolicy enforcement detection', () => {
  it('sees the VPC CNI node agent when its --enable-network-policy flag is true', () => {
    expect(detectEnforcement([awsNode(true)])).toMatchObject({
      visible: true,
      engines: ['Amazon VPC CNI network policy agent'],
      summary: 'NetworkPolicy enforced by Amazon VPC CNI network policy agent',
    });
  });

  it('sees nothing when the node agent runs with the flag false (the EKS default)', () => {
    const report = detectEnforcement([awsNode(false), daemonSet('kube-proxy')]);

    expect(report.visible).toBe(false);
    expect(report.summary).toBe(
      'no NetworkPolicy enforcement is visible (aws-node runs without its network policy agent enabled; no calico-node; no cilium): policies may be accepted but not enforced — enable network policy on the VPC CNI add-on (enableNetworkPolicy: "true") or isolate the node',
    );
  });

  it('accepts the ENABLE_NETWORK_POLICY environment variable on aws-node', () => {
    const node = awsNode(false);
    const template = (node.spec as { template: { spec: { containers: Record<string, unknown>[] } } })
      .template;
    template.spec.containers[0] = {
      ...template.spec.containers[0],
      env: [{ name: 'ENABLE_NETWORK_POLICY', value: 'True' }],
    };

    expect(detectEnforcement([node]).visible).toBe(true);
  });

  it.each([
    ['calico-node', 'calico-system', 'Calico'],
    ['cilium', 'kube-system', 'Cilium'],
  ])('sees %s', (name, namespace, engine) => {
    expect(detectEnforcement([daemonSet(name, namespace)]).engines).toEqual([engine]);
  });

  it('trusts an AWS-side "enabled" when the cluster shows no agent flag (it may be unreadable)', () => {
    expect(detectEnforcement([], 'enabled')).toMatchObject({
      visible: true,
      engines: ['Amazon VPC CNI (add-on enableNetworkPolicy)'],
    });
  });

  it('does not count an agent flag the VPC CNI add-on contradicts: no controller feeds the agent', () => {
    const report = detectEnforcement([awsNode(true)], 'disabled');

    expect(report.visible).toBe(false);
    expect(report.summary).toContain(
      'the aws-node agent flag is on but the VPC CNI add-on has network policy off',
    );
  });
});
