import { describe, expect, it } from 'vitest';
import type { KubeObject } from '#core/model/kube-object.ts';
import { mountedNames } from '#core/remediation/forensics.ts';
import { secretConsumerObjects } from '#test/support/secret-consumer-objects.ts';

/** A pod of the scenario's `checkout` Deployment, which mounts its secrets through the CSI driver. */
function checkoutPod(): KubeObject {
  const deployment = secretConsumerObjects().find(
    (o) => o.kind === 'Deployment' && o.metadata.name === 'checkout',
  );
  const template = deployment?.spec as { template: { metadata: object; spec: object } };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'checkout-6b7f9c8d5-4xk2p', namespace: 'payments', ...template.template.metadata },
    spec: template.template.spec,
  };
}

describe('forensic mounted names: Secrets Store CSI volumes', () => {
  it('names the SecretProviderClass a pod mounts, never what it fetches', () => {
    expect(mountedNames(checkoutPod())).toEqual({
      secrets: [],
      configMaps: [],
      secretProviderClasses: [{ name: 'checkout-aws-secrets', usedBy: ['csi volume secrets-store-inline'] }],
    });
  });

  it('ignores CSI volumes of other drivers', () => {
    const pod = checkoutPod();
    const volume = (pod.spec as { volumes: { csi: { driver: string } }[] }).volumes[0];
    if (volume) volume.csi.driver = 'ebs.csi.aws.com';

    expect(mountedNames(pod)).toEqual({ secrets: [], configMaps: [] });
  });
});
