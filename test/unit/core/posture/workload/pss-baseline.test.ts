import { describe, expect, it } from 'vitest';
import { kp060 } from '#core/posture/checks/kp-060-privileged.ts';
import { kp061 } from '#core/posture/checks/kp-061-host-pid.ts';
import { kp062 } from '#core/posture/checks/kp-062-host-ipc.ts';
import { kp063 } from '#core/posture/checks/kp-063-host-network.ts';
import { kp065 } from '#core/posture/checks/kp-065-host-path.ts';
import { exposedSocket, kp066, normalizePath } from '#core/posture/checks/kp-066-runtime-socket.ts';
import { kp067 } from '#core/posture/checks/kp-067-host-port.ts';
import { kp068 } from '#core/posture/checks/kp-068-baseline-capabilities.ts';
import { kp074 } from '#core/posture/checks/kp-074-apparmor.ts';
import { kp075 } from '#core/posture/checks/kp-075-selinux.ts';
import { kp076 } from '#core/posture/checks/kp-076-proc-mount.ts';
import { kp077 } from '#core/posture/checks/kp-077-sysctls.ts';
import { kp078 } from '#core/posture/checks/kp-078-host-process.ts';
import { kp079 } from '#core/posture/checks/kp-079-probe-host.ts';
import { corpusSnapshot, firstContainer, only, podSpec, variant } from '../support.ts';

// m10.yaml is a plain Pod (nginx, no securityContext); m14.yaml a Deployment. Variants edit them.
const withContainerContext = (context: Record<string, unknown>) =>
  variant('m10.yaml', (pod) => {
    firstContainer(pod).securityContext = context;
  });

describe('KP-060 privileged container', () => {
  it('flags a privileged container with the field and value', () => {
    const result = only(kp060, corpusSnapshot('m29.yaml'));

    expect(result.status).toBe('fail');
    expect(result.message).toBe('spec.containers[0].securityContext.privileged is true (container "foobar")');
    expect(result.evidence).toEqual({ 'spec.containers[0].securityContext.privileged': 'true' });
    expect(result.object).toEqual({ kind: 'Pod', name: 'pod-test-1' });
    expect(result.file).toBe('m29.yaml');
  });

  it('flags a privileged init container', () => {
    const snapshot = variant('m10.yaml', (pod) => {
      podSpec(pod).initContainers = [
        { name: 'setup', image: 'busybox:1.36', securityContext: { privileged: true } },
      ];
    });

    expect(only(kp060, snapshot).message).toBe(
      'spec.initContainers[0].securityContext.privileged is true (container "setup")',
    );
  });

  it('flags a privileged ephemeral container', () => {
    const snapshot = variant('m10.yaml', (pod) => {
      podSpec(pod).ephemeralContainers = [
        { name: 'debug', image: 'busybox', securityContext: { privileged: true } },
      ];
    });

    expect(only(kp060, snapshot).status).toBe('fail');
  });

  it('ignores a pod-level "privileged" field, which the API does not have', () => {
    expect(only(kp060, corpusSnapshot('m09.yaml')).status).toBe('pass');
  });

  it('reports a Deployment once, on its pod template path', () => {
    const snapshot = variant('m14.yaml', (deployment) => {
      firstContainer(deployment).securityContext = { privileged: true };
    });

    const result = only(kp060, snapshot);

    expect(result.object.kind).toBe('Deployment');
    expect(result.message).toContain('spec.template.spec.containers[0].securityContext.privileged is true');
  });
});

describe('KP-061/062/063 host namespaces', () => {
  it('flags hostPID, hostIPC and hostNetwork set to true', () => {
    expect(only(kp061, corpusSnapshot('m04.yaml')).message).toBe(
      'spec.hostPID is true (shares the node’s process ID namespace)',
    );
    expect(only(kp062, corpusSnapshot('m01.yaml')).status).toBe('fail');
    expect(only(kp063, corpusSnapshot('m03.yaml')).status).toBe('fail');
  });

  it('passes when the fields are false or unset', () => {
    expect(only(kp062, corpusSnapshot('m02.yaml')).status).toBe('pass');
    expect(only(kp061, corpusSnapshot('m10.yaml')).status).toBe('pass');
    expect(only(kp063, corpusSnapshot('m10.yaml')).status).toBe('pass');
  });

  it('reads a CronJob pod template', () => {
    const snapshot = variant('m14.yaml', (object) => {
      const template = (object.spec as { template: unknown }).template;
      object.kind = 'CronJob';
      object.apiVersion = 'batch/v1';
      object.spec = { schedule: '*/5 * * * *', jobTemplate: { spec: { template } } };
      ((template as { spec: Record<string, unknown> }).spec as Record<string, unknown>).hostNetwork = true;
    });

    expect(only(kp063, snapshot).message).toBe(
      'spec.jobTemplate.spec.template.spec.hostNetwork is true (shares the node’s network namespace)',
    );
  });
});

describe('KP-065 hostPath volumes', () => {
  it('flags a hostPath volume with its path', () => {
    expect(only(kp065, corpusSnapshot('m05.yaml')).message).toBe(
      'spec.volumes[0].hostPath.path is "/var/log" (volume "log-volume")',
    );
  });

  it('passes a volume without hostPath', () => {
    expect(only(kp065, corpusSnapshot('m06.yaml')).status).toBe('pass');
  });
});

describe('KP-066 container runtime socket', () => {
  const withHostPath = (path: string) =>
    variant('m05.yaml', (pod) => {
      (podSpec(pod).volumes as { hostPath: { path: string } }[])[0] = {
        hostPath: { path },
      } as { hostPath: { path: string } };
    });

  it('flags the Docker socket', () => {
    const result = only(kp066, withHostPath('/var/run/docker.sock'));

    expect(result.status).toBe('fail');
    expect(result.message).toContain('is "/var/run/docker.sock" (the container runtime socket)');
  });

  it('flags a directory that contains the containerd socket', () => {
    expect(only(kp066, withHostPath('/run/containerd')).message).toContain(
      'contains the runtime socket /run/containerd/containerd.sock',
    );
  });

  it('sees through "..", "//" and a trailing slash', () => {
    expect(normalizePath('/var/run/../run//docker.sock/')).toBe('/var/run/docker.sock');
    expect(exposedSocket('/var//run/crio/')).toBe('/var/run/crio/crio.sock');
  });

  it('passes an unrelated host path', () => {
    expect(only(kp066, corpusSnapshot('m05.yaml')).status).toBe('pass');
  });
});

describe('KP-067 hostPort', () => {
  it('flags a hostPort', () => {
    expect(only(kp067, corpusSnapshot('m07.yaml')).message).toBe(
      'spec.containers[0].ports[0].hostPort is 8080 (container "nginx")',
    );
  });

  it('passes hostPort 0 (unset in the API)', () => {
    const snapshot = variant('m07.yaml', (pod) => {
      (firstContainer(pod).ports as { hostPort: number }[])[0] = { hostPort: 0 } as { hostPort: number };
    });

    expect(only(kp067, snapshot).status).toBe('pass');
  });
});

describe('KP-068 capabilities beyond baseline', () => {
  it('compares capability names exactly, as the admission plugin does', () => {
    expect(only(kp068, corpusSnapshot('m12.yaml')).status).toBe('fail');
  });

  it('passes capabilities of the baseline set', () => {
    expect(
      only(kp068, withContainerContext({ capabilities: { add: ['CHOWN', 'NET_BIND_SERVICE'] } })).status,
    ).toBe('pass');
  });

  it('flags SYS_ADMIN added by an init container', () => {
    const snapshot = variant('m10.yaml', (pod) => {
      podSpec(pod).initContainers = [
        { name: 'init', image: 'busybox:1.36', securityContext: { capabilities: { add: ['SYS_ADMIN'] } } },
      ];
    });

    expect(only(kp068, snapshot).message).toBe(
      'spec.initContainers[0].securityContext.capabilities.add[0] is "SYS_ADMIN" (container "init"; not in the baseline set)',
    );
  });
});

describe('KP-074 AppArmor', () => {
  it('flags an Unconfined profile', () => {
    expect(only(kp074, withContainerContext({ appArmorProfile: { type: 'Unconfined' } })).status).toBe(
      'fail',
    );
  });

  it('flags the unconfined beta annotation', () => {
    const snapshot = variant('m10.yaml', (pod) => {
      (pod.metadata as Record<string, unknown>).annotations = {
        'container.apparmor.security.beta.kubernetes.io/nginx': 'unconfined',
      };
    });

    expect(only(kp074, snapshot).message).toBe(
      'metadata.annotations["container.apparmor.security.beta.kubernetes.io/nginx"] is "unconfined"',
    );
  });

  it('passes RuntimeDefault and localhost profiles', () => {
    const snapshot = variant('m10.yaml', (pod) => {
      (pod.metadata as Record<string, unknown>).annotations = {
        'container.apparmor.security.beta.kubernetes.io/nginx': 'localhost/k8s-nginx',
      };
      firstContainer(pod).securityContext = { appArmorProfile: { type: 'RuntimeDefault' } };
    });

    expect(only(kp074, snapshot).status).toBe('pass');
  });
});

describe('KP-075 SELinux', () => {
  it('flags a custom type and a user', () => {
    const result = only(kp075, withContainerContext({ seLinuxOptions: { type: 'spc_t', user: 'system_u' } }));

    expect(result.message).toBe(
      'spec.containers[0].securityContext.seLinuxOptions.type is "spc_t"; spec.containers[0].securityContext.seLinuxOptions.user is "system_u" (must be unset)',
    );
  });

  it('passes container_t with a level', () => {
    expect(
      only(kp075, withContainerContext({ seLinuxOptions: { type: 'container_t', level: 's0:c1,c2' } }))
        .status,
    ).toBe('pass');
  });
});

describe('KP-076 /proc mount', () => {
  it('flags Unmasked', () => {
    expect(only(kp076, withContainerContext({ procMount: 'Unmasked' })).status).toBe('fail');
  });

  it('passes Default', () => {
    expect(only(kp076, withContainerContext({ procMount: 'Default' })).status).toBe('pass');
  });
});

describe('KP-077 sysctls', () => {
  const withSysctls = (names: string[]) =>
    variant('m10.yaml', (pod) => {
      podSpec(pod).securityContext = { sysctls: names.map((name) => ({ name, value: '1' })) };
    });

  it('flags an unsafe sysctl', () => {
    expect(only(kp077, withSysctls(['net.ipv4.tcp_syncookies', 'kernel.msgmax'])).message).toBe(
      'spec.securityContext.sysctls[1].name is "kernel.msgmax" (not a safe sysctl)',
    );
  });

  it('passes safe sysctls', () => {
    expect(only(kp077, withSysctls(['net.ipv4.ip_local_port_range'])).status).toBe('pass');
  });
});

describe('KP-078 Windows HostProcess', () => {
  it('flags hostProcess at pod level', () => {
    const snapshot = variant('m10.yaml', (pod) => {
      podSpec(pod).securityContext = { windowsOptions: { hostProcess: true } };
    });

    expect(only(kp078, snapshot).message).toBe('spec.securityContext.windowsOptions.hostProcess is true');
  });

  it('passes hostProcess false', () => {
    expect(only(kp078, withContainerContext({ windowsOptions: { hostProcess: false } })).status).toBe('pass');
  });
});

describe('KP-079 host in probes and lifecycle hooks', () => {
  it('flags a probe aimed at another host', () => {
    const snapshot = variant('m10.yaml', (pod) => {
      firstContainer(pod).livenessProbe = { httpGet: { host: '169.254.169.254', path: '/', port: 80 } };
    });

    expect(only(kp079, snapshot).message).toBe(
      'spec.containers[0].livenessProbe.httpGet.host is "169.254.169.254" (container "nginx")',
    );
  });

  it('passes an empty host', () => {
    const snapshot = variant('m10.yaml', (pod) => {
      firstContainer(pod).lifecycle = { preStop: { tcpSocket: { host: '', port: 80 } } };
    });

    expect(only(kp079, snapshot).status).toBe('pass');
  });
});
