import { joinSentence, literal, sentence } from '../../model/sentence.ts';
import { allContainers, imageAllowed, namespaceOf, username } from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import { EKS_ADMIN_USER, examplePodCreate } from './shared-workload-examples.ts';
import {
  actorOf,
  containerList,
  describePod,
  everyImageAllowed,
  imageAllowListFor,
  podIdentity,
  podMatch,
  successfulPodSpec,
} from './shared-workload-pod.ts';

const ID = 'KD-008';

export const SYSTEM_NAMESPACES: readonly string[] = ['kube-system', 'kube-public', 'kube-node-lease'];

/** KD-008 excludes only EKS control-plane identities and kubelets (mirror pods of static pods). */
function isExcludedCreator(name: string): boolean {
  return name.startsWith('eks:') || name.startsWith('system:node:');
}

export const kd008PodInSystemNamespace: AuditRule = {
  id: ID,
  title: 'Pod created in a system namespace',
  severity: 'medium',
  mitre: ['T1036.005'],
  core: true,
  resources: ['pods'],
  trigger:
    '`create` `pods` (no subresource), success, `objectRef.namespace` in {kube-system, kube-public, ' +
    'kube-node-lease}, image not in the kube-namespace allow-list; creator is anyone except `eks:*` and ' +
    '`system:node:*`',
  whatHappened: 'A pod was created in a Kubernetes system namespace.',
  whyItMatters:
    'System namespaces hold the cluster’s own components and their powerful service accounts. A pod ' +
    'dropped there blends in with them (name similarity) and can mount their secrets.',
  firstResponse:
    'Compare the pod and its image with the add-ons you run. If it is not one of them, isolate it, find ' +
    'who created its owning workload and rotate the secrets it could mount.',
  falsePositives:
    'Add-on installs and upgrades (CNI, CoreDNS, metrics-server, controllers installed in kube-system) ' +
    'create pods there; allow-list their image repositories under KD-008.',
  // Panther k8s_pod_created_in_system_namespace test "Pod created in kube-system" (corpus line 85).
  example: examplePodCreate({
    auditID: '9d8c7b6a-0008-4e5f-8a9b-0c1d2e3f4a5b',
    namespace: 'kube-system',
    user: EKS_ADMIN_USER,
    metadata: { name: 'malicious-pod', namespace: 'kube-system' },
    spec: { containers: [{ name: 'backdoor', image: 'attacker/backdoor:latest' }] },
  }),
  match(event, { config }) {
    const spec = successfulPodSpec(event);
    if (spec === undefined) return null;
    const namespace = namespaceOf(event);
    if (namespace === undefined || !SYSTEM_NAMESPACES.includes(namespace)) return null;
    if (isExcludedCreator(username(event))) return null;
    const allowList = imageAllowListFor(config, ID);
    const containers = allContainers(spec);
    if (everyImageAllowed(containers, allowList)) return null;
    const offending = containers.find((c) => !imageAllowed(c.image, allowList));
    const images =
      containers.length === 0
        ? literal('no containers')
        : sentence`images ${joinSentence(
            containers.map((c) => c.image),
            ', ',
          )}`;
    const summary = sentence`${actorOf(event)} created ${describePod(podIdentity(event))} with ${images}.`;
    return podMatch(event, summary, { containers: containerList(containers) }, offending);
  },
};
