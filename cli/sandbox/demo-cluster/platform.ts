import type { JsonObject } from '../kube-api/failure.ts';
import { NODES } from './nodes.ts';
import {
  ACCOUNT,
  namespaceDefaults,
  namespaceObject,
  type SeedClock,
  serviceAccount,
  uidOf,
} from './objects.ts';
import { service } from './shop.ts';
import { daemonSet, deployment } from './workloads.ts';

/**
 * The platform namespaces. `kube-system` as EKS sets it up: the VPC CNI DaemonSet `aws-node` with
 * its network policy agent on (the shape of awsNode() in test/support/remediation-cluster.ts, so
 * isolation sees an enforcing CNI), CoreDNS with its hardened security context, and aws-auth
 * mapping only the node role. `monitoring`: a log agent DaemonSet run the risky way — privileged,
 * on the host network, with the node's /var/log mounted — on every node.
 */

export const MONITORING = 'monitoring';
export const KUBE_SYSTEM = 'kube-system';
const DAY = 60 * 24;
const ECR = '602401143452.dkr.ecr.eu-west-1.amazonaws.com';

export function monitoringObjects(clock: SeedClock): JsonObject[] {
  const created = clock.ago(11 * DAY);
  return [
    namespaceObject(MONITORING, { team: 'observability' }, created),
    ...namespaceDefaults(MONITORING, created),
    serviceAccount(MONITORING, 'log-agent', created),
    ...daemonSet(
      {
        namespace: MONITORING,
        name: 'log-agent',
        labels: { 'app.kubernetes.io/name': 'log-agent' },
        nodes: NODES,
        age: 10 * DAY,
        template: {
          labels: { 'app.kubernetes.io/name': 'log-agent' },
          spec: {
            serviceAccountName: 'log-agent',
            hostNetwork: true,
            dnsPolicy: 'ClusterFirstWithHostNet',
            containers: [
              {
                name: 'fluent-bit',
                image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.4',
                securityContext: { privileged: true },
                volumeMounts: [{ name: 'varlog', mountPath: '/var/log' }],
              },
            ],
            volumes: [{ name: 'varlog', hostPath: { path: '/var/log', type: '' } }],
          },
        },
      },
      clock,
    ),
  ];
}

/** `default`, as every cluster has it: its namespace defaults and the API server's own Service. */
export function defaultNamespaceObjects(clock: SeedClock): JsonObject[] {
  const created = clock.ago(12 * DAY);
  const kubernetes = service('kubernetes', {}, 443, 443, created, 'default');
  const spec = kubernetes.spec as JsonObject;
  delete spec.selector;
  spec.ports = [{ name: 'https', protocol: 'TCP', port: 443, targetPort: 443 }];
  spec.clusterIP = '172.20.0.1';
  spec.clusterIPs = ['172.20.0.1'];
  kubernetes.metadata = {
    ...(kubernetes.metadata as JsonObject),
    labels: { component: 'apiserver', provider: 'kubernetes' },
  };
  return [namespaceObject('default', {}, created), ...namespaceDefaults('default', created), kubernetes];
}

export function kubeSystemObjects(clock: SeedClock): JsonObject[] {
  const created = clock.ago(12 * DAY);
  return [
    namespaceObject(KUBE_SYSTEM, {}, created),
    ...namespaceDefaults(KUBE_SYSTEM, created),
    serviceAccount(KUBE_SYSTEM, 'aws-node', created),
    serviceAccount(KUBE_SYSTEM, 'coredns', created),
    ...daemonSet(
      {
        namespace: KUBE_SYSTEM,
        name: 'aws-node',
        labels: { 'k8s-app': 'aws-node' },
        nodes: NODES,
        age: 12 * DAY,
        template: {
          labels: { 'k8s-app': 'aws-node' },
          spec: {
            serviceAccountName: 'aws-node',
            hostNetwork: true,
            priorityClassName: 'system-node-critical',
            containers: [
              {
                name: 'aws-node',
                image: `${ECR}/amazon-k8s-cni:v1.19.6`,
                securityContext: { capabilities: { add: ['NET_ADMIN', 'NET_RAW'] } },
              },
              {
                name: 'aws-eks-nodeagent',
                image: `${ECR}/amazon/aws-network-policy-agent:v1.2.4`,
                args: [
                  '--enable-ipv6=false',
                  '--enable-network-policy=true',
                  '--enable-cloudwatch-logs=false',
                  '--metrics-bind-addr=:8162',
                ],
                securityContext: { privileged: true, capabilities: { add: ['NET_ADMIN'] } },
              },
            ],
          },
        },
      },
      clock,
    ),
    ...deployment(
      {
        namespace: KUBE_SYSTEM,
        name: 'coredns',
        labels: { 'k8s-app': 'kube-dns', 'eks.amazonaws.com/component': 'coredns' },
        replicas: 2,
        nodes: NODES,
        age: 12 * DAY,
        template: {
          labels: { 'k8s-app': 'kube-dns', 'eks.amazonaws.com/component': 'coredns' },
          spec: {
            serviceAccountName: 'coredns',
            priorityClassName: 'system-cluster-critical',
            dnsPolicy: 'Default',
            containers: [
              {
                name: 'coredns',
                image: `${ECR}/eks/coredns:v1.11.4-eksbuild.2`,
                args: ['-conf', '/etc/coredns/Corefile'],
                ports: [
                  { name: 'dns', containerPort: 53, protocol: 'UDP' },
                  { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
                ],
                resources: { limits: { memory: '170Mi' }, requests: { cpu: '100m', memory: '70Mi' } },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] },
                  readOnlyRootFilesystem: true,
                },
              },
            ],
          },
        },
      },
      clock,
    ),
    service('kube-dns', { 'k8s-app': 'kube-dns' }, 53, 53, created, KUBE_SYSTEM),
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'aws-auth',
        namespace: KUBE_SYSTEM,
        uid: uidOf('ConfigMap', KUBE_SYSTEM, 'aws-auth'),
        creationTimestamp: created,
      },
      data: {
        mapRoles: [
          `- rolearn: arn:aws:iam::${ACCOUNT}:role/sandbox-nodegroup-NodeInstanceRole`,
          '  username: system:node:{{EC2PrivateDNSName}}',
          '  groups:',
          '  - system:bootstrappers',
          '  - system:nodes',
          '',
        ].join('\n'),
      },
    },
  ];
}
