import type { AuditRule } from '../rule.ts';
import {
  examplePodCreate,
  REPLICASET_CONTROLLER,
  replicaSetPodMetadata,
} from './shared-workload-examples.ts';
import { matchHostNamespace } from './shared-workload-host-namespace.ts';

export const kd004HostNetwork: AuditRule = {
  id: 'KD-004',
  title: 'Pod uses host network',
  severity: 'medium',
  mitre: ['T1611', 'T1610'],
  core: true,
  resources: ['pods'],
  trigger: '`create` `pods`, success, `spec.hostNetwork == true`; image not in the host-network allow-list',
  whatHappened: "A pod was created in its node's network namespace (hostNetwork: true).",
  whyItMatters:
    'The pod sees every interface of the node: it can sniff node traffic, reach services bound to ' +
    'localhost (kubelet, instance metadata without hop limits) and bypass NetworkPolicy, which does not ' +
    'apply to host-network pods.',
  firstResponse:
    'Check who created the pod and why it needs the host network. If it does not, remove hostNetwork from ' +
    'the workload; if the pod is unexpected, isolate it at the node level (NetworkPolicy cannot).',
  falsePositives:
    'CNI agents, kube-proxy, node-local DNS and some ingress controllers use the host network; add their ' +
    'image repositories to the KD-004 image allow-list.',
  // falcosecurity/falco test/trace_files/k8s_audit/create_nginx_pod_hostnetwork.json (corpus line 20).
  example: examplePodCreate({
    auditID: '6a2c1f4e-0004-4d3b-9f2a-1b0c9d8e7f6a',
    namespace: 'default',
    user: REPLICASET_CONTROLLER,
    metadata: replicaSetPodMetadata('nginx-deployment-754c877bcd'),
    spec: {
      containers: [{ name: 'nginx1', image: 'nginx' }],
      hostNetwork: true,
      dnsPolicy: 'ClusterFirst',
      securityContext: {},
    },
  }),
  match: matchHostNamespace('KD-004', 'hostNetwork'),
};
