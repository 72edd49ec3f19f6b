import type { AuditRule } from '../rule.ts';
import { examplePodCreate } from './shared-workload-examples.ts';
import { matchHostNamespace } from './shared-workload-host-namespace.ts';

export const kd005HostPid: AuditRule = {
  id: 'KD-005',
  title: 'Pod uses host PID namespace',
  severity: 'high',
  mitre: ['T1611'],
  core: true,
  resources: ['pods'],
  trigger: '`create` `pods`, success, `spec.hostPID == true`',
  whatHappened: "A pod was created in its node's process namespace (hostPID: true).",
  whyItMatters:
    'The pod sees every process on the node, including other pods’ containers: it can read their ' +
    'environment and memory through /proc and, with enough privilege, enter them (nsenter) — a classic ' +
    'container-escape step.',
  firstResponse:
    'Check who created the pod and why it needs the host PID namespace. If unexpected, isolate the pod and ' +
    'review the other workloads on its node for tampering.',
  falsePositives:
    'Node-level debugging (kubectl debug node/…), profilers and some security agents need hostPID; the ' +
    'catalog has no default allow-list for KD-005, configure one if needed.',
  // Panther k8s_pod_host_pid test "Pod with hostPID" (corpus line 93), with an EKS user.
  example: examplePodCreate({
    auditID: '0c9b8a7f-0005-4e6d-8c5b-4a3f2e1d0c9b',
    namespace: 'default',
    metadata: { name: 'nginx-hostpid' },
    spec: { hostPID: true, containers: [{ name: 'nginx', image: 'nginx' }] },
  }),
  match: matchHostNamespace('KD-005', 'hostPID'),
};
