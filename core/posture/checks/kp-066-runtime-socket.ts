import { list, record } from '../pod-templates.ts';
import { POD_READS, templateCheck, type Violation, violation } from '../template-check.ts';

/** Container runtime sockets: whoever can write to one can start a privileged container on the node. */
export const RUNTIME_SOCKETS: readonly string[] = [
  '/var/run/docker.sock',
  '/run/docker.sock',
  '/var/run/cri-dockerd.sock',
  '/run/containerd/containerd.sock',
  '/var/run/containerd/containerd.sock',
  '/var/run/crio/crio.sock',
  '/run/crio/crio.sock',
];

/** Collapses `//`, `.` and `..` and drops a trailing `/`, so `/var/run/../run/docker.sock/` is recognised. */
export function normalizePath(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

/** The runtime socket a host path exposes: the socket itself, or a directory that contains one. */
export function exposedSocket(hostPath: string): string | undefined {
  const path = normalizePath(hostPath);
  return RUNTIME_SOCKETS.find(
    (socket) => socket === path || socket.startsWith(path === '/' ? '/' : `${path}/`),
  );
}

export const kp066 = templateCheck({
  id: 'KP-066',
  title: 'Container runtime socket not mounted',
  severity: 'critical',
  category: 'workload',
  core: false,
  cis: [],
  reads: POD_READS,
  remediation:
    'Remove the hostPath volume that exposes the container runtime socket (or a directory containing it); build images with a rootless builder instead of the node’s runtime.',
  passMessage: 'no hostPath volume exposes a container runtime socket',
  inspect: (template) => {
    const violations: Violation[] = [];
    list(template.spec.volumes).forEach((item, index) => {
      const path = record(record(item)?.hostPath)?.path;
      if (typeof path !== 'string') return;
      const socket = exposedSocket(path);
      if (socket === undefined) return;
      const why =
        normalizePath(path) === socket
          ? 'the container runtime socket'
          : `contains the runtime socket ${socket}`;
      violations.push(violation(`${template.specPath}.volumes[${index}].hostPath.path`, path, why));
    });
    return violations;
  },
});
