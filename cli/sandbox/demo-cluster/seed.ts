import type { JsonObject } from '../kube-api/failure.ts';
import { externalSecretsResources, POSTURE_RESOURCES, type ResourceType } from '../kube-api/resources.ts';
import type { KubeApiServer } from '../kube-api/server.ts';
import { kubeletConfigz, NODES, nodeObjects } from './nodes.ts';
import { SeedClock } from './objects.ts';
import { paymentsObjects } from './payments.ts';
import { defaultNamespaceObjects, kubeSystemObjects, monitoringObjects } from './platform.ts';
import { clusterRbacObjects } from './rbac.ts';
import { shopObjects } from './shop.ts';

/**
 * The demo cluster `sandbox-cluster`: what a kubeguard demo needs, and nothing invented about how
 * Kubernetes answers. Two nodes; `shop` (no NetworkPolicy, a service account bound to
 * cluster-admin, a wildcard Role, credentials in a ConfigMap), `payments` (default-deny, hardened,
 * its credentials synced from Secrets Manager by an ExternalSecret), `monitoring` (a privileged
 * host-network log agent with /var/log mounted), `kube-system` (aws-node with network policy on,
 * CoreDNS, aws-auth). docs/sandbox.md lists what the posture audit finds in it.
 */

/** The kinds the demo cluster serves besides the built-in ones: a whole cluster's, and ESO v1. */
export const DEMO_RESOURCES: readonly ResourceType[] = [
  ...POSTURE_RESOURCES,
  ...externalSecretsResources('v1'),
];

/** Every object of the demo cluster, as the API returns them; timestamps count back from `now`. */
export function demoClusterObjects(now: Date): JsonObject[] {
  const clock = new SeedClock(now);
  return [
    ...nodeObjects(clock),
    ...defaultNamespaceObjects(clock),
    ...kubeSystemObjects(clock),
    ...monitoringObjects(clock),
    ...shopObjects(clock),
    ...paymentsObjects(clock),
    ...clusterRbacObjects(clock),
  ];
}

/** Seeds the objects and each node's kubelet configuration. */
export function seedDemoCluster(api: KubeApiServer, now: Date): void {
  for (const object of demoClusterObjects(now)) api.seed(object);
  for (const node of NODES) api.setKubeletConfig(node.name, kubeletConfigz());
}
