import type { AuditRule } from '../rule.ts';
import { examplePodCreate } from './shared-workload-examples.ts';
import { matchHostNamespace } from './shared-workload-host-namespace.ts';

export const kd006HostIpc: AuditRule = {
  id: 'KD-006',
  title: 'Pod uses host IPC namespace',
  severity: 'medium',
  mitre: ['T1611'],
  core: true,
  resources: ['pods'],
  trigger: '`create` `pods`, success, `spec.hostIPC == true`',
  whatHappened: "A pod was created in its node's IPC namespace (hostIPC: true).",
  whyItMatters:
    'The pod can read and write the shared memory and message queues of every process on the node, ' +
    'including other pods — data exposure and a foothold for escaping the container.',
  firstResponse:
    'Check who created the pod and why it needs host IPC (almost nothing does). If unexpected, isolate ' +
    'the pod and remove hostIPC from its workload.',
  falsePositives:
    'Rare: some legacy or HPC workloads use host shared memory; the catalog has no default allow-list for ' +
    'KD-006, configure one if needed.',
  // Panther k8s_pod_host_ipc test "Pod with hostIPC" (corpus line 91), with an EKS user.
  example: examplePodCreate({
    auditID: '7e6d5c4b-0006-4a39-8b2c-1d0e9f8a7b6c',
    namespace: 'default',
    metadata: { name: 'debug-pod' },
    spec: { hostIPC: true, containers: [{ name: 'debug', image: 'busybox' }] },
  }),
  match: matchHostNamespace('KD-006', 'hostIPC'),
};
