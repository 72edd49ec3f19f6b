import { isSystemPrincipal, namespaceOf, username } from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import { exampleStream } from './shared-workload-examples.ts';
import { isSuccessfulExecOrAttach, streamMatch } from './shared-workload-exec.ts';

export const kd021ExecIntoKubeSystem: AuditRule = {
  id: 'KD-021',
  title: 'Exec into a kube-system pod',
  severity: 'high',
  mitre: ['T1609'],
  core: false,
  resources: ['pods'],
  evaluatesResponseStarted: true,
  trigger: 'KD-020 (exec/attach, success) and `objectRef.namespace == kube-system`, non-system user',
  whatHappened: 'A person opened an exec or attach session in a pod of the kube-system namespace.',
  whyItMatters:
    'kube-system pods (CNI, CoreDNS, kube-proxy, controllers) run with node-level privileges and powerful ' +
    'service accounts: a shell there is close to cluster-admin.',
  firstResponse:
    'Confirm the session with the person immediately. If unexpected, revoke their credentials, isolate the ' +
    'pod and rotate the service-account tokens it mounts.',
  falsePositives: 'Platform engineers debugging add-ons (CoreDNS, aws-node) during an incident.',
  // test/fixtures/eks-audit-exec-pod-websocket-get.json (kubectl >= 1.30, verb get).
  example: exampleStream({
    auditID: '7b1e0c2d-3f4a-4b5c-9d6e-8f7a6b5c4d3e',
    namespace: 'kube-system',
    pod: 'coredns-5d8f9c7b6-abcde',
    subresource: 'exec',
    verb: 'get',
    query: 'command=%2Fbin%2Fsh&container=coredns&stdin=true&stdout=true&tty=true',
  }),
  match(event) {
    if (!isSuccessfulExecOrAttach(event) || namespaceOf(event) !== 'kube-system') return null;
    if (isSystemPrincipal(username(event))) return null;
    return streamMatch(event);
  },
};
