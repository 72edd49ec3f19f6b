import { joinSentence, literal, sentence } from '../../model/sentence.ts';
import { allContainers } from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import { firstContainerMounting, hostPathVolumes } from './kd-002-sensitive-hostpath-mount.ts';
import { EKS_ADMIN_USER, examplePodCreate } from './shared-workload-examples.ts';
import {
  actorOf,
  describePod,
  everyImageAllowed,
  imageAllowListFor,
  podIdentity,
  podMatch,
  successfulPodSpec,
} from './shared-workload-pod.ts';

const ID = 'KD-003';

export const kd003HostPathVolume: AuditRule = {
  id: ID,
  title: 'Any hostPath volume mounted',
  severity: 'low',
  mitre: ['T1611'],
  core: false,
  resources: ['pods'],
  trigger:
    '`create` `pods`, success, any `spec.volumes[*].hostPath` present (superset of KD-002, lower severity)',
  whatHappened: 'A pod was created with a hostPath volume: a directory of its node mounted into the pod.',
  whyItMatters:
    'hostPath ties a pod to the node file system. Writable mounts let a compromised container plant files ' +
    'on the node or read other pods’ data; Pod Security "baseline" forbids them for that reason.',
  firstResponse:
    'Check the path and whether the mount is read-only. If the workload does not need node files, replace ' +
    'the hostPath with an emptyDir, a ConfigMap or a persistent volume.',
  falsePositives:
    'CNI plugins, log collectors and CSI drivers mount node directories by design (e.g. /var/lib/cni, ' +
    '/var/log); configure an image allow-list for KD-003 or disable the rule where this is routine.',
  // Panther k8s_pod_hostpath test "HostPath volume mounted" (corpus line 95), with an EKS user.
  example: examplePodCreate({
    auditID: 'b1c2d3e4-0003-4f5a-8b9c-0d1e2f3a4b5c',
    namespace: 'kube-system',
    user: EKS_ADMIN_USER,
    metadata: { name: 'cni-debug' },
    spec: {
      volumes: [{ name: 'cni', hostPath: { path: '/var/lib/cni' } }],
      containers: [{ name: 'debug', image: 'busybox', volumeMounts: [{ name: 'cni', mountPath: '/cni' }] }],
    },
  }),
  match(event, { config }) {
    const spec = successfulPodSpec(event);
    if (spec === undefined) return null;
    const volumes = hostPathVolumes(spec);
    const first = volumes[0];
    if (first === undefined) return null;
    const containers = allContainers(spec);
    if (everyImageAllowed(containers, imageAllowListFor(config, ID))) return null;
    const paths = volumes.map((v) => (v.path === '' ? literal('(no path)') : v.path));
    const summary = sentence`${actorOf(event)} created ${describePod(podIdentity(event))} with hostPath volume ${joinSentence(paths, ', ')}.`;
    const mountedBy = firstContainerMounting(
      containers,
      volumes.map((v) => v.volume),
    );
    return podMatch(
      event,
      summary,
      { hostPath: first.path, hostPaths: volumes.map((v) => `${v.volume}=${v.path}`).join(', ') },
      mountedBy,
    );
  },
};
