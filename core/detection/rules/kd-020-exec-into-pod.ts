import type { AuditRule } from '../rule.ts';
import { exampleStream } from './shared-workload-examples.ts';
import { isSuccessfulExecOrAttach, streamMatch } from './shared-workload-exec.ts';

export const kd020ExecIntoPod: AuditRule = {
  id: 'KD-020',
  title: 'Exec / attach into a pod',
  severity: 'medium',
  mitre: ['T1609'],
  core: true,
  resources: ['pods'],
  evaluatesResponseStarted: true,
  trigger: 'verb in {create, get} on `pods` subresource in {`exec`, `attach`}, success (101/2xx)',
  whatHappened: 'Someone opened an interactive session in a running container (kubectl exec or attach).',
  whyItMatters:
    'Exec gives a shell inside the container with its service-account token, mounted secrets and network ' +
    'position — the usual first step after stolen kubeconfig credentials, and invisible to image scanning.',
  firstResponse:
    'Confirm with the person that the session was expected (incident, debugging). If not, isolate the pod, ' +
    'revoke the caller’s credentials and review what the command touched.',
  falsePositives:
    'Routine debugging by operators; suppress by principal or namespace for known break-glass roles.',
  // test/fixtures/eks-audit-exec-pod-create.json (falco exec_pod trace, corpus line 48), at ResponseStarted.
  example: exampleStream({
    auditID: 'ca1ed9f4-7bf4-4c85-81a8-1b11253d1ba6',
    namespace: 'default',
    pod: 'nginx-deployment-7998647bdf-phvq7',
    subresource: 'exec',
    query: 'command=bash&container=nginx1&stdin=true&stdout=true&tty=true',
  }),
  match(event) {
    if (!isSuccessfulExecOrAttach(event)) return null;
    return streamMatch(event);
  },
};
