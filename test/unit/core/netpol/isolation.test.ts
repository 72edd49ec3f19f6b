import { describe, expect, it } from 'vitest';
import { isolationReport } from '#core/netpol/isolation.ts';
import { clusterFromObjects } from '#core/netpol/objects.ts';
import type { NetpolCluster, NetworkPolicy } from '#core/netpol/types.ts';
import { namespace, pod, policy } from './builders.ts';
import { fixtureObjects, HOUSES, type KubeJson, scenario } from './conformance-scenario.ts';

const NAMESPACES = [namespace('shop'), namespace('kube-system')];
/** The suspect pod after the isolate action relabelled it onto a unique quarantine label. */
const SUSPECT = pod('shop/web-7f9c', { 'kubeguard.io/quarantine': 'q-1' }, '10.0.1.10', [
  { name: 'http', containerPort: 8080, protocol: 'TCP' },
]);
const OTHERS = [
  pod('shop/web-2b1d', { app: 'web' }, '10.0.1.11'),
  pod('shop/frontend-1', { app: 'frontend' }, '10.0.1.30'),
  pod('kube-system/coredns-1', { 'k8s-app': 'kube-dns' }, '10.0.9.2'),
];
const QUARANTINE = policy('shop/kubeguard-quarantine-q-1', {
  podSelector: { matchLabels: { 'kubeguard.io/quarantine': 'q-1' } },
  policyTypes: ['Ingress', 'Egress'],
});

function report(policies: NetworkPolicy[]) {
  return isolationReport(SUSPECT, { policies, namespaces: NAMESPACES, pods: [SUSPECT, ...OTHERS] });
}

describe('isolation report', () => {
  it('reports complete isolation when only the deny-all selects the pod', () => {
    const result = report([QUARANTINE]);

    expect(result).toMatchObject({ pod: 'shop/web-7f9c', complete: true, summary: 'isolation complete' });
    expect(result.ingress).toEqual({
      direction: 'ingress',
      status: 'isolated',
      selectingPolicies: ['shop/kubeguard-quarantine-q-1'],
      allowances: [],
    });
  });

  it('ignores policies that no longer select the relabelled pod', () => {
    const allowWeb = policy('shop/allow-web', {
      podSelector: { matchLabels: { app: 'web' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'frontend' } } }] }],
    });

    expect(report([QUARANTINE, allowWeb]).complete).toBe(true);
  });

  it('reports partial isolation when another policy still allows traffic to the pod, naming it', () => {
    const allowAllInNamespace = policy('shop/allow-frontend', {
      podSelector: {},
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'frontend' } } }], ports: [{ port: 8080 }] }],
    });

    const result = report([QUARANTINE, allowAllInNamespace]);

    expect(result.complete).toBe(false);
    expect(result.ingress.status).toBe('partial');
    expect(result.ingress.allowances).toEqual([
      {
        policy: 'shop/allow-frontend',
        direction: 'ingress',
        rule: 0,
        peers: ['pods app=frontend in namespace shop'],
        ports: ['TCP/8080'],
        matchingPods: ['shop/frontend-1'],
        admitsIpAddresses: false,
      },
    ]);
    expect(result.egress.status).toBe('isolated');
    expect(result.summary).toBe(
      'partial: shop/allow-frontend still allows ingress from pods app=frontend in namespace shop (today: shop/frontend-1) on TCP/8080',
    );
  });

  it('names egress allowances with their peers, ports and the pods they reach', () => {
    const allowDns = policy('shop/allow-dns', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
              podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
            },
          ],
          ports: [{ port: 53, protocol: 'UDP' }, { port: 53 }],
        },
      ],
    });

    const result = report([QUARANTINE, allowDns]);

    expect(result.egress.status).toBe('partial');
    expect(result.summary).toBe(
      'partial: shop/allow-dns still allows egress to pods k8s-app=kube-dns in namespaces kubernetes.io/metadata.name=kube-system (today: kube-system/coredns-1) on UDP/53, TCP/53',
    );
  });

  it('reports a direction no policy selects the pod for as open', () => {
    const ingressOnly = policy('shop/quarantine-ingress', {
      podSelector: { matchLabels: { 'kubeguard.io/quarantine': 'q-1' } },
    });

    const result = report([ingressOnly]);

    expect(result.egress).toEqual({
      direction: 'egress',
      status: 'open',
      selectingPolicies: [],
      allowances: [],
    });
    expect(result.summary).toBe(
      'partial: egress not isolated: no NetworkPolicy selects shop/web-7f9c for egress',
    );
  });

  it('describes rules without peers and ipBlocks honestly, IP addresses included', () => {
    const openToAll = policy('shop/open', {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{}],
      egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.169.254/32'] } }] }],
    });

    const result = report([QUARANTINE, openToAll]);

    expect(result.ingress.allowances[0]).toMatchObject({
      peers: ['anyone (every pod and every IP address)'],
      ports: ['any port and protocol'],
      admitsIpAddresses: true,
    });
    expect(result.egress.allowances[0]).toMatchObject({
      peers: ['IPs in 0.0.0.0/0 except 169.254.169.254/32'],
      matchingPods: ['shop/web-2b1d', 'shop/frontend-1', 'kube-system/coredns-1'],
    });
  });

  it('says when a selector matches no known pod today, since future pods may match', () => {
    const fromAuditors = policy('shop/from-auditors', {
      podSelector: {},
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { role: 'audit' } } }] }],
    });

    expect(report([QUARANTINE, fromAuditors]).summary).toBe(
      'partial: shop/from-auditors still allows ingress from all pods in namespaces role=audit (no known pod matches today) on any port and protocol',
    );
  });

  it('does not count an ingress rule whose named ports the pod does not have', () => {
    const grpcOnly = policy('shop/grpc', { podSelector: {}, ingress: [{ ports: [{ port: 'grpc' }] }] });
    const httpByName = policy('shop/http', { podSelector: {}, ingress: [{ ports: [{ port: 'http' }] }] });

    expect(report([QUARANTINE, grpcOnly]).complete).toBe(true);
    expect(report([QUARANTINE, httpByName]).ingress.allowances[0]?.ports).toEqual(['TCP/8080 (http)']);
  });
});

describe('isolation report with admin policies and policies it cannot evaluate', () => {
  it.each([
    ['000.0.0.0/0', '0.0.0.0/0'],
    ['010.0.0.0/8', '10.0.0.0/8'],
  ])(
    'reports an allow-all egress to %s (leading zeros, as the API server admitted it) as partial',
    (cidr, read) => {
      const allowAll = policy('shop/allow-all-egress', {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr } }] }],
      });

      const result = report([QUARANTINE, allowAll]);

      expect(result.complete).toBe(false);
      expect(result.summary).toBe(
        `partial: shop/allow-all-egress still allows egress to IPs in ${cidr} (read as ${read}) (today: shop/web-2b1d, shop/frontend-1, kube-system/coredns-1) on any port and protocol`,
      );
    },
  );

  /** The quarantined gryffindor pod of the upstream scenario, under a quarantine deny-all. */
  function quarantinedHarry(
    policyFiles: string[],
    edit?: (o: KubeJson) => KubeJson | undefined,
    kept: Record<string, string> = {},
  ): {
    cluster: NetpolCluster;
    report: ReturnType<typeof isolationReport>;
  } {
    const quarantine = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'kubeguard-quarantine-q-1', namespace: HOUSES.gryffindor },
      spec: {
        podSelector: { matchLabels: { 'kubeguard.io/quarantine': 'q-1' } },
        policyTypes: ['Ingress', 'Egress'],
      },
    };
    const base = scenario(policyFiles, edit);
    const cluster = {
      ...base,
      policies: [...base.policies.filter((p) => p.metadata.namespace !== HOUSES.gryffindor), quarantine],
    } as NetpolCluster;
    const harry = cluster.pods.find((p) => p.name === 'harry-potter-0');
    if (harry === undefined) throw new Error('no harry-potter-0');
    // Relabelled onto the quarantine label; `kept` stands for labels an isolation with detach off leaves.
    const suspect = { ...harry, labels: { ...kept, 'kubeguard.io/quarantine': 'q-1' } };
    return { cluster, report: isolationReport(suspect, cluster) };
  }

  it('reports an AdminNetworkPolicy Allow to the quarantined pod as partial, naming it', () => {
    const { report: result } = quarantinedHarry(['anp-standard-ingress-tcp-rules.yaml']);

    expect(result.complete).toBe(false);
    expect(result.ingress.status).toBe('partial');
    expect(result.ingress.allowances.map((a) => [a.policy, a.rule, a.ports])).toEqual([
      ['AdminNetworkPolicy/ingress-tcp', 0, ['any port and protocol']],
      ['AdminNetworkPolicy/ingress-tcp', 5, ['TCP/80']],
    ]);
    expect(result.summary).toBe(
      'partial: AdminNetworkPolicy/ingress-tcp still allows ingress from all pods in namespaces kubernetes.io/metadata.name=network-policy-conformance-ravenclaw (today: network-policy-conformance-ravenclaw/luna-lovegood-0, network-policy-conformance-ravenclaw/luna-lovegood-1) on any port and protocol; AdminNetworkPolicy/ingress-tcp still allows ingress from all pods in namespaces kubernetes.io/metadata.name=network-policy-conformance-hufflepuff (today: network-policy-conformance-hufflepuff/cedric-diggory-0, network-policy-conformance-hufflepuff/cedric-diggory-1) on TCP/80',
    );
  });

  it('stays complete under admin Deny and Pass rules, which admit nothing past the quarantine policy', () => {
    const { report: result } = quarantinedHarry(['anp-standard-priority-field.yaml']);

    expect(result).toMatchObject({ complete: true, summary: 'isolation complete', notVerified: [] });
  });

  it('names the networks an admin Allow opens for egress', () => {
    const { report: result } = quarantinedHarry(
      ['anp-standard-egress-inline-cidr-rules.yaml'],
      (object) => {
        if (object.kind !== 'AdminNetworkPolicy') return object;
        const spec = object.spec as { egress: unknown[] };
        spec.egress = [
          { name: 'allow-metadata', action: 'Allow', to: [{ networks: ['169.254.169.254/32'] }] },
          ...spec.egress,
        ];
        return object;
      },
      { 'conformance-house': 'gryffindor' },
    );

    expect(result.egress.allowances.map((a) => `${a.policy} ${a.peers.join(' or ')}`)).toEqual([
      'AdminNetworkPolicy/inline-cidr-as-peers-example IPs in 169.254.169.254/32',
      'AdminNetworkPolicy/inline-cidr-as-peers-example pods conformance-house=slytherin in namespaces conformance-house=slytherin',
    ]);
  });

  it('is not verified while a policy that may select the pod could not be evaluated, naming it', () => {
    const broken = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'allow-egress', namespace: 'shop' },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/33' } }] }],
      },
    };
    const { cluster } = clusterFromObjects([broken]);

    const result = isolationReport(SUSPECT, {
      ...cluster,
      policies: [QUARANTINE],
      namespaces: NAMESPACES,
      pods: [SUSPECT, ...OTHERS],
    });

    expect(result.complete).toBe(false);
    expect(result.notVerified).toEqual([
      'NetworkPolicy/shop/allow-egress could not be evaluated (shop/allow-egress spec.egress[0].to[0].ipBlock.cidr is "10.0.0.0/33", not a CIDR; write it like 10.0.0.0/8 or 2001:db8::/32)',
    ]);
    expect(result.summary).toBe(
      'not verified: NetworkPolicy/shop/allow-egress could not be evaluated (shop/allow-egress spec.egress[0].to[0].ipBlock.cidr is "10.0.0.0/33", not a CIDR; write it like 10.0.0.0/8 or 2001:db8::/32)',
    );
  });

  it('is not verified while a Calico policy exists, and still lists what the evaluated policies allow', () => {
    const [, globalPolicy] = fixtureObjects('engine-policies.yaml');
    const { cluster } = clusterFromObjects([globalPolicy]);
    const allowFrontend = policy('shop/allow-frontend', {
      podSelector: {},
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'frontend' } } }], ports: [{ port: 8080 }] }],
    });

    const result = isolationReport(SUSPECT, {
      ...cluster,
      policies: [QUARANTINE, allowFrontend],
      namespaces: NAMESPACES,
      pods: [SUSPECT, ...OTHERS],
    });

    expect(result.summary).toBe(
      'not verified: GlobalNetworkPolicy/allow-tcp-6379 could not be evaluated (a Calico policy; kubeguard does not evaluate Calico policies); partial: shop/allow-frontend still allows ingress from pods app=frontend in namespace shop (today: shop/frontend-1) on TCP/8080',
    );
  });
});
