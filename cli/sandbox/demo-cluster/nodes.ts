import type { JsonObject } from '../kube-api/failure.ts';
import { CLUSTER_NAME, REGION, type SeedClock, uidOf } from './objects.ts';

/**
 * The demo cluster's worker nodes: two EC2 instances of one managed node group (t3.medium, as in
 * test/fixtures/aws/eks-describe-nodegroup.json), Ready, in two zones, labelled and addressed as EKS
 * registers them; and the kubelet configuration each answers at `nodes/<name>/proxy/configz` (the
 * `{"kubeletconfig": …}` shape of test/integration/snapshot-collector.test.ts, with the settings of
 * the EKS-optimized AMI: anonymous authentication off, Webhook authorization, read-only port off).
 */

export interface DemoNode {
  name: string;
  ip: string;
  zone: string;
  /** A stable pod IP on this node for `key`. */
  podIP(key: string): string;
}

const NODEGROUP = 'sandbox-nodegroup';

function node(third: number, fourth: number, zone: string): DemoNode {
  return {
    name: `ip-10-0-${third}-${fourth}.${REGION}.compute.internal`,
    ip: `10-0-${third}-${fourth}`.replaceAll('-', '.'),
    zone,
    podIP: (key) => {
      let sum = 0;
      for (const char of key) sum = (sum * 31 + char.charCodeAt(0)) % 200;
      return `10.0.${third}.${sum + 30}`;
    },
  };
}

export const NODES: readonly DemoNode[] = [node(1, 23, `${REGION}a`), node(2, 41, `${REGION}b`)];

export function nodeObjects(clock: SeedClock): JsonObject[] {
  const created = clock.ago(60 * 24 * 12);
  return NODES.map((n) => {
    const instance = `i-0${uidOf('instance', n.name).replaceAll('-', '').slice(0, 16)}`;
    return {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: n.name,
        uid: uidOf('Node', n.name),
        creationTimestamp: created,
        labels: {
          'beta.kubernetes.io/arch': 'amd64',
          'beta.kubernetes.io/instance-type': 't3.medium',
          'beta.kubernetes.io/os': 'linux',
          'eks.amazonaws.com/capacityType': 'ON_DEMAND',
          'eks.amazonaws.com/nodegroup': NODEGROUP,
          'eks.amazonaws.com/nodegroup-image': 'ami-0c2b2a6c1f1e0b0a1',
          'failure-domain.beta.kubernetes.io/region': REGION,
          'failure-domain.beta.kubernetes.io/zone': n.zone,
          'k8s.io/cloud-provider-aws': uidOf('cloud-provider', CLUSTER_NAME).replaceAll('-', ''),
          'kubernetes.io/arch': 'amd64',
          'kubernetes.io/hostname': n.name,
          'kubernetes.io/os': 'linux',
          'node.kubernetes.io/instance-type': 't3.medium',
          'topology.kubernetes.io/region': REGION,
          'topology.kubernetes.io/zone': n.zone,
        },
        annotations: {
          'alpha.kubernetes.io/provided-node-ip': n.ip,
          'node.alpha.kubernetes.io/ttl': '0',
          'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
        },
      },
      spec: { providerID: `aws:///${n.zone}/${instance}` },
      status: {
        capacity: { cpu: '2', 'ephemeral-storage': '20959212Ki', memory: '3943372Ki', pods: '17' },
        allocatable: { cpu: '1930m', 'ephemeral-storage': '18242267924', memory: '3388364Ki', pods: '17' },
        conditions: [
          [
            'MemoryPressure',
            'False',
            'KubeletHasSufficientMemory',
            'kubelet has sufficient memory available',
          ],
          ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
          ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
          ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
        ].map(([type, status, reason, message]) => ({
          type,
          status,
          lastHeartbeatTime: clock.ago(1),
          lastTransitionTime: created,
          reason,
          message,
        })),
        addresses: [
          { type: 'InternalIP', address: n.ip },
          { type: 'InternalDNS', address: n.name },
          { type: 'Hostname', address: n.name },
        ],
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
        nodeInfo: {
          machineID: uidOf('machine', n.name).replaceAll('-', ''),
          systemUUID: `ec2${uidOf('system', n.name).slice(3)}`,
          bootID: uidOf('boot', n.name),
          kernelVersion: '6.1.119-129.201.amzn2023.x86_64',
          osImage: 'Amazon Linux 2023.6.20250107',
          containerRuntimeVersion: 'containerd://1.7.25',
          kubeletVersion: 'v1.32.0-eks-aeac579',
          kubeProxyVersion: 'v1.32.0-eks-aeac579',
          operatingSystem: 'linux',
          architecture: 'amd64',
        },
      },
    };
  });
}

/** What each node's kubelet answers at configz. */
export function kubeletConfigz(): JsonObject {
  return {
    kubeletconfig: {
      authentication: {
        anonymous: { enabled: false },
        webhook: { enabled: true, cacheTTL: '2m0s' },
        x509: { clientCAFile: '/etc/kubernetes/pki/ca.crt' },
      },
      authorization: {
        mode: 'Webhook',
        webhook: { cacheAuthorizedTTL: '5m0s', cacheUnauthorizedTTL: '30s' },
      },
      readOnlyPort: 0,
      streamingConnectionIdleTimeout: '4h0m0s',
      makeIPTablesUtilChains: true,
      eventRecordQPS: 50,
      rotateCertificates: true,
      serverTLSBootstrap: true,
      protectKernelDefaults: true,
      clusterDomain: 'cluster.local',
      clusterDNS: ['172.20.0.10'],
      maxPods: 17,
    },
  };
}
