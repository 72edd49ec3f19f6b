import type { ContainerPort, NetpolNamespace, NetpolPod, NetworkPolicy } from '#core/netpol/types.ts';

/**
 * Small builders in the corpus's own data form (test/fixtures/corpus/netpol/README.md): namespaces
 * carry their name label, pods their IP and container ports, policies the networking.k8s.io/v1 shape.
 */
export function namespace(name: string, labels: Record<string, string> = {}): NetpolNamespace {
  return { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } };
}

export function pod(
  key: string,
  labels: Record<string, string>,
  ip: string,
  ports: ContainerPort[] = [],
): NetpolPod {
  const [ns, name] = key.split('/') as [string, string];
  return { namespace: ns, name, labels, ip, ports };
}

export function policy(key: string, spec: NetworkPolicy['spec']): NetworkPolicy {
  const [ns, name] = key.split('/') as [string, string];
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: ns },
    spec,
  };
}
