import { joinSentence, sentence } from '../../model/sentence.ts';
import type { AuditRule } from '../rule.ts';
import { exampleStream } from './shared-workload-examples.ts';
import { execCommand, isSuccessfulExecOrAttach, streamMatch } from './shared-workload-exec.ts';

export const CREDENTIAL_PATHS: readonly string[] = [
  '/var/run/secrets/',
  'serviceaccount/token',
  '/etc/kubernetes/',
  '/var/lib/kubelet/',
  '/etc/shadow',
  '/.aws/',
  '/.kube/config',
  'eks.amazonaws.com/serviceaccount',
];

export const kd022ExecCredentialAccess: AuditRule = {
  id: 'KD-022',
  title: 'Exec command touches credentials / service-account token',
  severity: 'high',
  mitre: ['T1552.001', 'T1528'],
  core: true,
  resources: ['pods'],
  evaluatesResponseStarted: true,
  trigger:
    'KD-020 and the URL-decoded `command=` parameters of `requestURI` contain any of `/var/run/secrets/`, ' +
    '`serviceaccount/token`, `/etc/kubernetes/`, `/var/lib/kubelet/`, `/etc/shadow`, `/.aws/`, ' +
    '`/.kube/config`, `eks.amazonaws.com/serviceaccount`',
  whatHappened:
    'An exec command read a credential file: a service-account token, kubelet or node configuration, ' +
    'AWS credentials or a kubeconfig.',
  whyItMatters:
    'The token or credentials can now be used from outside the cluster with the pod’s (or node’s) ' +
    'permissions; with IRSA/Pod Identity tokens, that includes AWS API access.',
  firstResponse:
    'Treat the credential as stolen: rotate the service account’s tokens (delete the pod or token secret), ' +
    'revoke the caller’s access, and look for API calls made with the token afterwards.',
  falsePositives: 'Operators checking token mounts while debugging IRSA or RBAC issues.',
  // Panther k8s_steal_serviceaccount_token / Stratus steal-serviceaccount-token (corpus line 156), EKS user.
  example: exampleStream({
    auditID: 'b9c0d1e2-0022-4f3a-8b4c-5d6e7f8a9b0c',
    namespace: 'production',
    pod: 'webapp-pod',
    subresource: 'exec',
    query: 'command=cat&command=%2Fvar%2Frun%2Fsecrets%2Fkubernetes.io%2Fserviceaccount%2Ftoken&stdout=true',
  }),
  match(event) {
    if (!isSuccessfulExecOrAttach(event)) return null;
    const command = execCommand(event).join(' ');
    const touched = CREDENTIAL_PATHS.filter((path) => command.includes(path));
    if (touched.length === 0) return null;
    return streamMatch(event, sentence`, touching ${joinSentence(touched, ', ')}`, {
      credentialPaths: touched.join(', '),
    });
  },
};
