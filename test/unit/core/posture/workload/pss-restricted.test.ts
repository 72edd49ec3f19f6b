import { describe, expect, it } from 'vitest';
import { kp064 } from '#core/posture/checks/kp-064-allow-privilege-escalation.ts';
import { kp069 } from '#core/posture/checks/kp-069-restricted-capabilities.ts';
import { kp070 } from '#core/posture/checks/kp-070-run-as-non-root.ts';
import { kp071 } from '#core/posture/checks/kp-071-seccomp.ts';
import { kp073 } from '#core/posture/checks/kp-073-volume-types.ts';
import { corpusSnapshot, evaluate, firstContainer, only, podSpec, variant } from '../support.ts';

const withContainerContext = (context: Record<string, unknown>) =>
  variant('m10.yaml', (pod) => {
    firstContainer(pod).securityContext = context;
  });

const withPodContext = (context: Record<string, unknown>, container?: Record<string, unknown>) =>
  variant('m10.yaml', (pod) => {
    podSpec(pod).securityContext = context;
    if (container !== undefined) firstContainer(pod).securityContext = container;
  });

describe('KP-064 allowPrivilegeEscalation', () => {
  it('fails when the field is unset (restricted requires false)', () => {
    expect(only(kp064, corpusSnapshot('m10.yaml')).message).toBe(
      'spec.containers[0].securityContext.allowPrivilegeEscalation is not set (container "nginx"; must be false)',
    );
  });

  it('fails when it is true', () => {
    expect(only(kp064, withContainerContext({ allowPrivilegeEscalation: true })).status).toBe('fail');
  });

  it('passes when every container sets false', () => {
    expect(only(kp064, corpusSnapshot('m11.yaml')).status).toBe('pass');
  });

  it('does not apply to Windows pods (Linux-only control)', () => {
    const snapshot = variant('m10.yaml', (pod) => {
      podSpec(pod).os = { name: 'windows' };
    });

    expect(evaluate(kp064, snapshot)).toEqual([]);
  });
});

describe('KP-069 restricted capabilities', () => {
  it('passes drop ALL with NET_BIND_SERVICE added back', () => {
    expect(
      only(kp069, withContainerContext({ capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } }))
        .status,
    ).toBe('pass');
  });

  it('fails without drop ALL', () => {
    expect(only(kp069, corpusSnapshot('m10.yaml')).message).toBe(
      'spec.containers[0].securityContext.capabilities.drop is not set (container "nginx"; must contain "ALL")',
    );
  });

  it('fails an added capability other than NET_BIND_SERVICE, even a baseline one', () => {
    const result = only(kp069, withContainerContext({ capabilities: { drop: ['ALL'], add: ['CHOWN'] } }));

    expect(result.message).toBe(
      'spec.containers[0].securityContext.capabilities.add[0] is "CHOWN" (container "nginx"; only NET_BIND_SERVICE may be added)',
    );
  });
});

describe('KP-070 run as non-root', () => {
  it('fails a container that sets runAsNonRoot false', () => {
    expect(only(kp070, corpusSnapshot('m13.yaml')).status).toBe('fail');
  });

  it('passes a container that sets runAsNonRoot true', () => {
    expect(only(kp070, corpusSnapshot('m14.yaml')).status).toBe('pass');
  });

  it('passes a pod-level runAsNonRoot true that containers inherit', () => {
    expect(only(kp070, withPodContext({ runAsNonRoot: true, runAsUser: 10001 })).status).toBe('pass');
  });

  it('fails a container that overrides the pod level with false', () => {
    const result = only(kp070, withPodContext({ runAsNonRoot: true }, { runAsNonRoot: false }));

    expect(result.message).toBe(
      'spec.containers[0].securityContext.runAsNonRoot is false (container "nginx")',
    );
  });

  it('fails runAsUser 0 even with runAsNonRoot true', () => {
    const result = only(kp070, withPodContext({ runAsNonRoot: true }, { runAsUser: 0 }));

    expect(result.message).toBe(
      'spec.containers[0].securityContext.runAsUser is 0 (container "nginx" runs as root)',
    );
  });

  it('fails when nothing is set, naming both levels', () => {
    expect(only(kp070, corpusSnapshot('m10.yaml')).message).toBe(
      'spec.containers[0].securityContext.runAsNonRoot is not set (container "nginx"; and spec.securityContext.runAsNonRoot is not true)',
    );
  });
});

describe('KP-071 seccomp', () => {
  it('fails when no profile is set at pod or container level (restricted)', () => {
    expect(only(kp071, corpusSnapshot('m10.yaml')).message).toBe(
      'spec.containers[0].securityContext.seccompProfile.type is not set (container "nginx"; and spec.securityContext.seccompProfile.type is not set)',
    );
  });

  it('passes RuntimeDefault at pod level', () => {
    expect(only(kp071, withPodContext({ seccompProfile: { type: 'RuntimeDefault' } })).status).toBe('pass');
  });

  it('passes Localhost on every container', () => {
    const context = { seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/audit.json' } };

    expect(only(kp071, withContainerContext(context)).status).toBe('pass');
  });

  it('fails a container that overrides the pod profile with Unconfined (baseline)', () => {
    const result = only(
      kp071,
      withPodContext(
        { seccompProfile: { type: 'RuntimeDefault' } },
        { seccompProfile: { type: 'Unconfined' } },
      ),
    );

    expect(result.message).toBe(
      'spec.containers[0].securityContext.seccompProfile.type is "Unconfined" (container "nginx"; must be RuntimeDefault or Localhost)',
    );
  });

  it('fails the pre-1.27 unconfined annotation', () => {
    const snapshot = variant('m10.yaml', (pod) => {
      (pod.metadata as Record<string, unknown>).annotations = {
        'seccomp.security.alpha.kubernetes.io/pod': 'unconfined',
      };
      podSpec(pod).securityContext = { seccompProfile: { type: 'RuntimeDefault' } };
    });

    expect(only(kp071, snapshot).status).toBe('fail');
  });

  it('only applies the baseline part to Windows pods', () => {
    const snapshot = variant('m10.yaml', (pod) => {
      podSpec(pod).os = { name: 'windows' };
    });

    expect(only(kp071, snapshot).status).toBe('pass');
  });
});

describe('KP-073 restricted volume types', () => {
  it('fails a hostPath volume', () => {
    expect(only(kp073, corpusSnapshot('m05.yaml')).message).toBe(
      'spec.volumes[0].hostPath is {"path":"/var/log"} (volume type hostPath is not allowed)',
    );
  });

  it('passes a volume with no source (defaults to emptyDir)', () => {
    expect(only(kp073, corpusSnapshot('m06.yaml')).status).toBe('pass');
  });

  it('passes projected, configMap and persistentVolumeClaim volumes and fails nfs', () => {
    const snapshot = variant('m06.yaml', (pod) => {
      podSpec(pod).volumes = [
        { name: 'token', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } },
        { name: 'config', configMap: { name: 'app' } },
        { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
        { name: 'share', nfs: { server: 'nfs.internal', path: '/exports' } },
      ];
    });

    const result = only(kp073, snapshot);

    expect(result.status).toBe('fail');
    expect(Object.keys(result.evidence ?? {})).toEqual(['spec.volumes[3].nfs']);
  });
});
