import { describe, expect, it } from 'vitest';
import type { KubeObject } from '#core/remediation/kube-objects.ts';
import {
  evaluateIsolation,
  type OtherPolicies,
  QUARANTINE_ANNOTATION,
  quarantinePolicy,
  quarantineStateOf,
  requireQuarantineId,
  serializeState,
} from '#core/remediation/quarantine.ts';
import { fixturePod, SUSPECT, shopCluster } from '#test/support/remediation-cluster.ts';

/** The quarantine as recorded on the pod, and the policy that enforces it. */

const STATE = {
  id: 'q1',
  policy: 'kubeguard-quarantine-q1',
  detachedLabels: { app: 'web' },
  evidence: 'pods/shop/web/20240501t100000z-q1',
  at: '2024-05-01T10:00:00Z',
  by: 'slack:U1',
};

function podWith(annotation: string | undefined): KubeObject {
  const pod = fixturePod('web', 'shop');
  return {
    ...pod,
    metadata: {
      ...pod.metadata,
      annotations: annotation === undefined ? {} : { [QUARANTINE_ANNOTATION]: annotation },
    },
  };
}

describe('quarantine record', () => {
  it('reads back what was written', () => {
    expect(quarantineStateOf(podWith(serializeState(STATE)))).toEqual(STATE);
  });

  it('is absent on a pod kubeguard never quarantined', () => {
    expect(quarantineStateOf(podWith(undefined))).toBeUndefined();
  });

  it.each([
    ['not JSON', 'q1'],
    ['an unknown field', JSON.stringify({ ...STATE, extra: true })],
    ['an id that is not a label value', JSON.stringify({ ...STATE, id: 'Q 1' })],
  ])('refuses a record with %s, naming the value and what to do', (_what, raw) => {
    expect(() => quarantineStateOf(podWith(raw))).toThrow(
      expect.objectContaining({ code: 'PRECONDITION_FAILED' }),
    );
    expect(() => quarantineStateOf(podWith(raw))).toThrow(
      /remove the annotation and the kubeguard\.io\/quarantine label by hand/,
    );
  });

  it.each(['a', 'req-7f3a9c', '0'.repeat(40)])('accepts the quarantine id %s', (id) => {
    expect(requireQuarantineId(id)).toBe(id);
  });

  it.each(['', '-a', 'a-', 'A1', 'a_b', '0'.repeat(41)])('rejects the quarantine id %j', (id) => {
    expect(() => requireQuarantineId(id)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('quarantine policy under core/netpol', () => {
  const objects = shopCluster();
  const of = (kind: string) => objects.filter((o) => o.kind === kind);
  const suspect = objects.find((o) => o.metadata.name === SUSPECT) as KubeObject;
  const quarantined: KubeObject = {
    ...suspect,
    metadata: { ...suspect.metadata, labels: { 'kubeguard.io/quarantine': 'q1' } },
  };

  it('isolates the pod completely when it is the only policy selecting it', () => {
    const policy = quarantinePolicy({ namespace: 'shop', id: 'q1', pod: SUSPECT, allowDns: false });

    const report = evaluateIsolation(quarantined, [policy], of('Namespace'), of('Pod'));

    expect(report).toMatchObject({ complete: true, summary: 'isolation complete' });
  });

  it('leaves egress open when the pod does not carry the quarantine label', () => {
    const policy = quarantinePolicy({ namespace: 'shop', id: 'q1', pod: SUSPECT, allowDns: false });

    const report = evaluateIsolation(suspect, [policy], of('Namespace'), of('Pod'));

    expect(report.complete).toBe(false);
    expect(report.egress.status).toBe('open');
  });

  it('ignores policies of other namespaces', () => {
    const policy = quarantinePolicy({ namespace: 'shop', id: 'q1', pod: SUSPECT, allowDns: false });
    const elsewhere = {
      ...quarantinePolicy({ namespace: 'monitoring', id: 'q1', pod: 'x', allowDns: true }),
    };

    const report = evaluateIsolation(quarantined, [policy, elsewhere], of('Namespace'), of('Pod'));

    expect(report.complete).toBe(true);
  });

  /** The quarantined suspect and what verification reads: its namespace's policies plus others. */
  function verify(extra: KubeObject[], others: OtherPolicies = { objects: [], unreadable: [] }) {
    const policy = quarantinePolicy({ namespace: 'shop', id: 'q1', pod: SUSPECT, allowDns: false });
    return evaluateIsolation(quarantined, [policy, ...extra], of('Namespace'), of('Pod'), others);
  }

  function allowAllEgress(cidr: string): KubeObject {
    return {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'allow-all-egress', namespace: 'shop' },
      spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr } }] }] },
    };
  }

  it.each([
    ['000.0.0.0/0', '0.0.0.0/0'],
    ['010.0.0.0/8', '10.0.0.0/8'],
  ])('is not complete while an allow-all egress to %s (leading zeros) stands', (cidr, read) => {
    const report = verify([allowAllEgress(cidr)]);

    expect(report.complete).toBe(false);
    expect(report.egress.status).toBe('partial');
    expect(report.summary).toMatch(
      new RegExp(
        `^partial: shop/allow-all-egress still allows egress to IPs in ${cidr.replaceAll('.', '\\.')} \\(read as ${read.replaceAll('.', '\\.')}\\)`,
      ),
    );
  });

  it('is not verified while a policy selecting the pod cannot be parsed, naming it', () => {
    const broken: KubeObject = {
      ...allowAllEgress('10.0.0.0/8'),
      metadata: { name: 'typo', namespace: 'shop' },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ too: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }],
      },
    };

    const report = verify([broken]);

    expect(report.complete).toBe(false);
    expect(report.summary).toBe(
      'not verified: NetworkPolicy/shop/typo could not be evaluated (spec.egress[0]: Unrecognized key: "too")',
    );
  });

  it('is not verified while a Calico GlobalNetworkPolicy exists, naming it', () => {
    const calico: KubeObject = {
      apiVersion: 'projectcalico.org/v3',
      kind: 'GlobalNetworkPolicy',
      metadata: { name: 'allow-tcp-6379' },
      spec: { selector: "role == 'database'", types: ['Ingress', 'Egress'], egress: [{ action: 'Allow' }] },
    };

    const report = verify([], { objects: [calico], unreadable: [] });

    expect(report.complete).toBe(false);
    expect(report.summary).toBe(
      'not verified: GlobalNetworkPolicy/allow-tcp-6379 could not be evaluated (a Calico policy; kubeguard does not evaluate Calico policies)',
    );
  });

  it('is partial while an AdminNetworkPolicy allows traffic to the pod, naming it', () => {
    const anp: KubeObject = {
      apiVersion: 'policy.networking.k8s.io/v1alpha1',
      kind: 'AdminNetworkPolicy',
      metadata: { name: 'allow-monitoring' },
      spec: {
        priority: 5,
        subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } },
        ingress: [
          {
            name: 'allow-from-monitoring',
            action: 'Allow',
            from: [{ namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
            ports: [{ portNumber: { protocol: 'TCP', port: 8080 } }],
          },
        ],
      },
    };

    const report = verify([], { objects: [anp], unreadable: [] });

    expect(report.complete).toBe(false);
    expect(report.summary).toBe(
      'partial: AdminNetworkPolicy/allow-monitoring still allows ingress from all pods in namespaces kubernetes.io/metadata.name=monitoring (today: monitoring/prometheus-0) on TCP/8080',
    );
  });

  it('is not verified when a policy kind could not be read', () => {
    const report = verify([], {
      objects: [],
      unreadable: [
        {
          kind: 'AdminNetworkPolicy',
          apiVersion: 'policy.networking.k8s.io/v1alpha1',
          reason: 'HTTP 403 Forbidden',
        },
      ],
    });

    expect(report.summary).toBe(
      'not verified: AdminNetworkPolicy objects could not be read (HTTP 403 Forbidden)',
    );
  });
});
