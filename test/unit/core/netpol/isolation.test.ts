import { describe, expect, it } from 'vitest';
import { isolationReport } from '#core/netpol/isolation.ts';
import type { NetworkPolicy } from '#core/netpol/types.ts';
import { namespace, pod, policy } from './builders.ts';

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
  return isolationReport(SUSPECT, policies, NAMESPACES, [SUSPECT, ...OTHERS]);
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
