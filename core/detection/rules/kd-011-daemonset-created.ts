import { sentence } from '../../model/sentence.ts';
import { isRequestOn, isSuccess, isSystemPrincipal, namespaceOf, username } from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import { exampleEvent } from './shared-workload-examples.ts';
import { inNamespace, nameOrUnnamed, pastTense, targetName } from './shared-workload-objects.ts';
import { actorOf } from './shared-workload-pod.ts';

export const kd011DaemonSetCreated: AuditRule = {
  id: 'KD-011',
  title: 'DaemonSet created or patched by a non-system user',
  severity: 'low',
  mitre: ['T1610'],
  core: false,
  resources: ['daemonsets'],
  trigger: '`create` or `patch` `daemonsets`, success, non-system user',
  whatHappened: 'A person (not a controller) created or patched a DaemonSet.',
  whyItMatters:
    'A DaemonSet runs a pod on every node: the quickest way to put a backdoor or a miner everywhere at ' +
    'once, and a common persistence technique.',
  firstResponse:
    'Check the DaemonSet’s images, host mounts and service account, and whether the change came through ' +
    'your deployment pipeline. Delete it if it is not recognised.',
  falsePositives: 'Add-on installs by administrators (kubectl apply, Helm run as a person).',
  // Panther k8s_daemonset_created test "DaemonSet created by user" (corpus line 72), with an EKS user.
  example: exampleEvent({
    auditID: 'c4d5e6f7-0011-4a8b-9c0d-1e2f3a4b5c6d',
    requestURI: '/apis/apps/v1/namespaces/kube-system/daemonsets',
    verb: 'create',
    objectRef: {
      resource: 'daemonsets',
      namespace: 'kube-system',
      name: 'monitoring-agent',
      apiGroup: 'apps',
      apiVersion: 'v1',
    },
    responseStatus: { code: 201 },
    requestObject: {
      kind: 'DaemonSet',
      apiVersion: 'apps/v1',
      metadata: { name: 'monitoring-agent', namespace: 'kube-system' },
      spec: {
        selector: { matchLabels: { app: 'monitoring' } },
        template: {
          metadata: { labels: { app: 'monitoring' } },
          spec: { containers: [{ name: 'agent', image: 'monitoring-agent:latest' }] },
        },
      },
    },
  }),
  match(event) {
    if (!isRequestOn(event, ['create', 'patch'], ['daemonsets'])) return null;
    if (!isSuccess(event) || isSystemPrincipal(username(event))) return null;
    const name = targetName(event);
    const namespace = namespaceOf(event);
    const summary = sentence`${actorOf(event)} ${pastTense(event.verb)} DaemonSet ${nameOrUnnamed(name)}${inNamespace(namespace)}.`;
    return {
      summary,
      namespace,
      workload: name === undefined ? undefined : `daemonset/${name}`,
      evidence: { daemonSet: name ?? '' },
    };
  },
};
