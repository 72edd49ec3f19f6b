import { describe, expect, it } from 'vitest';
import type { PostureCheck } from '#core/posture/check.ts';
import { kubeletAnonymousAuthCheck } from '#core/posture/checks/kp-030-kubelet-anonymous-auth.ts';
import { kubeletAuthorizationModeCheck } from '#core/posture/checks/kp-031-kubelet-authorization-mode.ts';
import { kubeletClientCaCheck } from '#core/posture/checks/kp-032-kubelet-client-ca.ts';
import { kubeletReadOnlyPortCheck } from '#core/posture/checks/kp-033-kubelet-read-only-port.ts';
import { kubeletStreamingIdleTimeoutCheck } from '#core/posture/checks/kp-034-kubelet-streaming-idle-timeout.ts';
import { kubeletIptablesUtilChainsCheck } from '#core/posture/checks/kp-035-kubelet-iptables-util-chains.ts';
import { kubeletEventRecordQpsCheck } from '#core/posture/checks/kp-036-kubelet-event-record-qps.ts';
import { kubeletCertificateRotationCheck } from '#core/posture/checks/kp-037-kubelet-certificate-rotation.ts';
import { durationSeconds } from '#core/posture/checks/kubelet-support.ts';
import type { ClusterSnapshot } from '#core/posture/snapshot.ts';

/**
 * `GET /api/v1/nodes/<node>/proxy/configz` of an EKS AL2 node: the AMI's kubelet-config.json
 * (anonymous off, Webhook, client CA, read-only port 0, RotateKubeletServerCertificate,
 * serverTLSBootstrap) with the defaults the kubelet fills in.
 */
function eksConfigz(): Record<string, unknown> {
  return {
    kubeletconfig: {
      enableServer: true,
      podLogsDir: '/var/log/pods',
      syncFrequency: '1m0s',
      address: '0.0.0.0',
      port: 10250,
      tlsCipherSuites: ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'],
      serverTLSBootstrap: true,
      authentication: {
        x509: { clientCAFile: '/etc/kubernetes/pki/ca.crt' },
        webhook: { enabled: true, cacheTTL: '2m0s' },
        anonymous: { enabled: false },
      },
      authorization: {
        mode: 'Webhook',
        webhook: { cacheAuthorizedTTL: '5m0s', cacheUnauthorizedTTL: '30s' },
      },
      registryPullQPS: 5,
      registryBurst: 10,
      eventRecordQPS: 50,
      eventBurst: 100,
      enableDebuggingHandlers: true,
      healthzPort: 10248,
      healthzBindAddress: '127.0.0.1',
      clusterDomain: 'cluster.local',
      clusterDNS: ['10.100.0.10'],
      streamingConnectionIdleTimeout: '4h0m0s',
      nodeStatusUpdateFrequency: '10s',
      cgroupRoot: '/',
      cgroupDriver: 'systemd',
      hairpinMode: 'hairpin-veth',
      maxPods: 17,
      makeIPTablesUtilChains: true,
      iptablesMasqueradeBit: 14,
      iptablesDropBit: 15,
      featureGates: { RotateKubeletServerCertificate: true },
      protectKernelDefaults: true,
      serializeImagePulls: false,
      containerRuntimeEndpoint: 'unix:///run/containerd/containerd.sock',
    },
  };
}

type Config = ReturnType<typeof eksConfigz> & { kubeletconfig: Record<string, unknown> };

function weakened(change: (config: Record<string, unknown>) => void): Config {
  const configz = eksConfigz() as Config;
  change(configz.kubeletconfig);
  return configz;
}

function snapshotOf(configs: Record<string, Record<string, unknown>>): ClusterSnapshot {
  return {
    name: 'my-eks-cluster',
    takenAt: '2026-03-01T00:00:00.000Z',
    objects: [],
    unavailable: {},
    kubeletConfigs: configs,
  };
}

function outcome(check: PostureCheck, configz: Record<string, unknown>) {
  const [result] = check.evaluate(snapshotOf({ 'ip-192-168-17-56.us-west-2.compute.internal': configz }));
  return result ?? expect.unreachable();
}

const CASES: { check: PostureCheck; weaken: (config: Record<string, unknown>) => void; names: string }[] = [
  {
    check: kubeletAnonymousAuthCheck,
    weaken: (c) => ((c.authentication as { anonymous: unknown }).anonymous = { enabled: true }),
    names: 'authentication.anonymous.enabled is true',
  },
  {
    check: kubeletAuthorizationModeCheck,
    weaken: (c) => ((c.authorization as { mode: string }).mode = 'AlwaysAllow'),
    names: 'authorization.mode is "AlwaysAllow"',
  },
  {
    check: kubeletClientCaCheck,
    weaken: (c) => ((c.authentication as { x509: unknown }).x509 = {}),
    names: 'authentication.x509.clientCAFile is not set',
  },
  {
    check: kubeletReadOnlyPortCheck,
    weaken: (c) => (c.readOnlyPort = 10255),
    names: 'readOnlyPort is 10255',
  },
  {
    check: kubeletStreamingIdleTimeoutCheck,
    weaken: (c) => (c.streamingConnectionIdleTimeout = '0s'),
    names: 'streamingConnectionIdleTimeout is "0s"',
  },
  {
    check: kubeletIptablesUtilChainsCheck,
    weaken: (c) => (c.makeIPTablesUtilChains = false),
    names: 'makeIPTablesUtilChains is false',
  },
  { check: kubeletEventRecordQpsCheck, weaken: (c) => (c.eventRecordQPS = 1), names: 'eventRecordQPS is 1' },
  {
    check: kubeletCertificateRotationCheck,
    weaken: (c) => (c.featureGates = { RotateKubeletServerCertificate: false }),
    names: 'featureGates.RotateKubeletServerCertificate is false',
  },
];

describe('Kubelet configuration checks KP-030…KP-037', () => {
  for (const { check, weaken, names } of CASES) {
    describe(`${check.id} ${check.title}`, () => {
      it('passes the EKS AMI configuration, reported on the node', () => {
        const result = outcome(check, eksConfigz());
        expect(result).toMatchObject({
          status: 'pass',
          object: { kind: 'Node', name: 'ip-192-168-17-56.us-west-2.compute.internal' },
        });
      });

      it(`fails when ${names}`, () => {
        const result = outcome(check, weakened(weaken));
        expect(result.status).toBe('fail');
        expect(result.message).toContain(names);
      });
    });
  }

  it('KP-030 fails when anonymous auth is not reported (the flag default serves anonymous requests)', () => {
    const result = outcome(
      kubeletAnonymousAuthCheck,
      weakened((c) => delete (c.authentication as { anonymous?: unknown }).anonymous),
    );
    expect(result.status).toBe('fail');
  });

  it('KP-033 passes an omitted readOnlyPort (configz omits the zero value)', () => {
    expect(
      outcome(
        kubeletReadOnlyPortCheck,
        weakened((c) => delete c.readOnlyPort),
      ).status,
    ).toBe('pass');
  });

  it('KP-036 accepts 0 (unlimited)', () => {
    expect(
      outcome(
        kubeletEventRecordQpsCheck,
        weakened((c) => (c.eventRecordQPS = 0)),
      ).status,
    ).toBe('pass');
  });

  it('reads a bare KubeletConfiguration as well as the configz wrapper', () => {
    expect(
      outcome(kubeletAnonymousAuthCheck, eksConfigz().kubeletconfig as Record<string, unknown>).status,
    ).toBe('pass');
  });

  it('gives one result per node', () => {
    const results = kubeletAuthorizationModeCheck.evaluate(
      snapshotOf({
        a: eksConfigz(),
        b: weakened((c) => ((c.authorization as { mode: string }).mode = 'AlwaysAllow')),
      }),
    );
    expect(results.map((r) => [r.object.name, r.status])).toEqual([
      ['a', 'pass'],
      ['b', 'fail'],
    ]);
  });

  it('skips when no kubelet configuration was collected', () => {
    const [result] = kubeletAnonymousAuthCheck.evaluate({ ...snapshotOf({}), kubeletConfigs: undefined });
    expect(result?.status).toBe('skip');
  });

  it('parses Go durations', () => {
    expect(durationSeconds('4h0m0s')).toBe(14400);
    expect(durationSeconds('5m30s')).toBe(330);
    expect(durationSeconds('0s')).toBe(0);
    expect(durationSeconds('soon')).toBeUndefined();
  });
});
