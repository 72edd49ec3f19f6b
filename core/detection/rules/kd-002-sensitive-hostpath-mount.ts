import { joinSentence, sentence } from '../../model/sentence.ts';
import { allContainers, asArray, asString, type ContainerView, getPath, isRecord } from '../audit-event.ts';
import type { AuditRule } from '../rule.ts';
import {
  examplePodCreate,
  REPLICASET_CONTROLLER,
  replicaSetPodMetadata,
} from './shared-workload-examples.ts';
import {
  actorOf,
  describePod,
  everyImageAllowed,
  imageAllowListFor,
  podIdentity,
  podMatch,
  successfulPodSpec,
} from './shared-workload-pod.ts';

const ID = 'KD-002';

/** The catalog's sensitive host paths; each matches exactly or with a trailing slash. */
export const SENSITIVE_HOST_PATHS: readonly string[] = [
  '/',
  '/proc',
  '/etc',
  '/root',
  '/var',
  '/var/run',
  '/var/run/docker.sock',
  '/run/containerd/containerd.sock',
  '/var/run/crio/crio.sock',
  '/var/run/cri-dockerd.sock',
  '/var/lib/kubelet',
  '/var/lib/kubelet/pki',
  '/var/lib/docker/overlay2',
  '/etc/kubernetes',
  '/etc/kubernetes/manifests',
  '/etc/kubernetes/pki',
  '/home/admin',
];

/**
 * `/etc/`, `//etc` and `/etc/.` all name `/etc` on the node; collapsing empty and `.` segments keeps
 * the exact-path match from being evaded by spelling. Subdirectories (`/etc/ssl/certs`) stay distinct.
 */
export function normalizeHostPath(path: string): string {
  if (!path.startsWith('/')) return path;
  const segments = path.split('/').filter((segment) => segment !== '' && segment !== '.');
  return `/${segments.join('/')}`;
}

export function isSensitiveHostPath(path: string): boolean {
  return SENSITIVE_HOST_PATHS.includes(normalizeHostPath(path));
}

interface HostPathVolume {
  volume: string;
  path: string;
}

/** `spec.volumes[*]` that have a `hostPath` (path '' when the field is missing or not a string). */
export function hostPathVolumes(spec: Record<string, unknown>): HostPathVolume[] {
  return asArray(spec.volumes)
    .filter(isRecord)
    .filter((volume) => isRecord(volume.hostPath))
    .map((volume) => ({
      volume: asString(volume.name) ?? '',
      path: asString(getPath(volume.hostPath, 'path')) ?? '',
    }));
}

/** The first container that mounts one of the named volumes. */
export function firstContainerMounting(
  containers: readonly ContainerView[],
  volumes: readonly string[],
): ContainerView | undefined {
  return containers.find((c) =>
    asArray(c.raw.volumeMounts).some((m) => volumes.includes(asString(getPath(m, 'name')) ?? '\u0000')),
  );
}

export const kd002SensitiveHostPathMount: AuditRule = {
  id: ID,
  title: 'Sensitive hostPath volume mounted',
  severity: 'high',
  mitre: ['T1611'],
  core: true,
  resources: ['pods'],
  trigger:
    '`create` `pods`, success, `spec.volumes[*].hostPath.path` in {/, /proc, /etc, /root, /var, /var/run, ' +
    '/var/run/docker.sock, /run/containerd/containerd.sock, /var/run/crio/crio.sock, /var/run/cri-dockerd.sock, ' +
    '/var/lib/kubelet, /var/lib/kubelet/pki, /var/lib/docker/overlay2, /etc/kubernetes, /etc/kubernetes/manifests, ' +
    '/etc/kubernetes/pki, /home/admin} (exact path or trailing-slash variant); image not in the sensitive-mount allow-list',
  whatHappened:
    'A pod was created that mounts a sensitive directory or socket of its node (root file system, /etc, ' +
    'the kubelet directory or a container-runtime socket).',
  whyItMatters:
    'Whoever controls the container can read node credentials and kubelet certificates, start containers ' +
    'through the runtime socket, or write files the node executes: a direct path from pod to node.',
  firstResponse:
    'Check who created the pod and which container mounts the path. If unexpected, isolate the pod, keep ' +
    'its spec as evidence, and rotate the node role credentials if the mount was readable.',
  falsePositives:
    'Log shippers, monitoring and security agents mount /var or runtime sockets; add their image ' +
    'repositories to the KD-002 image allow-list.',
  // falcosecurity/falco test/trace_files/k8s_audit/create_nginx_pod_sensitive_mount.json (corpus line 25).
  example: examplePodCreate({
    auditID: 'a4b5c6d7-0001-4e5f-9a8b-7c6d5e4f3a21',
    namespace: 'default',
    user: REPLICASET_CONTROLLER,
    metadata: replicaSetPodMetadata('nginx-deployment-7d5b5dd9cf'),
    spec: {
      volumes: [{ name: 'etc', hostPath: { path: '/etc', type: '' } }],
      containers: [
        { name: 'nginx', image: 'nginx', volumeMounts: [{ name: 'etc', mountPath: '/host/etc' }] },
      ],
      securityContext: {},
    },
  }),
  match(event, { config }) {
    const spec = successfulPodSpec(event);
    if (spec === undefined) return null;
    const sensitive = hostPathVolumes(spec).filter((v) => isSensitiveHostPath(v.path));
    const first = sensitive[0];
    if (first === undefined) return null;
    const containers = allContainers(spec);
    if (everyImageAllowed(containers, imageAllowListFor(config, ID))) return null;
    const mountedBy = firstContainerMounting(
      containers,
      sensitive.map((v) => v.volume),
    );
    const paths = sensitive.map((v) => v.path);
    const summary = sentence`${actorOf(event)} created ${describePod(podIdentity(event))} mounting host path ${joinSentence(paths, ', ')}.`;
    return podMatch(
      event,
      summary,
      { hostPath: first.path, hostPaths: sensitive.map((v) => `${v.volume}=${v.path}`).join(', ') },
      mountedBy,
    );
  },
};
