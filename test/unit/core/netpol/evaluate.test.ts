import { describe, expect, it } from 'vitest';
import { createEvaluator } from '#core/netpol/evaluate.ts';
import type { ConnectionQuery, NetworkPolicy } from '#core/netpol/types.ts';
import { namespace, pod, policy } from './builders.ts';

const NAMESPACES = [namespace('shop', { team: 'shop' }), namespace('ops', { team: 'ops' })];
const PODS = [
  pod('shop/web', { app: 'web' }, '10.0.1.10', [
    { name: 'http', containerPort: 8080, protocol: 'TCP' },
    { name: 'dns', containerPort: 53, protocol: 'UDP' },
  ]),
  pod('shop/api', { app: 'api' }, '10.0.1.20', [{ name: 'metrics', containerPort: 9090 }]),
  pod('ops/monitor', { app: 'monitor' }, '10.0.2.10'),
  pod('ops/web', { app: 'web' }, '10.0.2.20'),
  pod('shop/v6', { app: 'v6' }, 'fd00::10'),
];

function check(policies: NetworkPolicy[], query: ConnectionQuery) {
  return createEvaluator({ namespaces: NAMESPACES, pods: PODS, policies }).evaluate(query);
}

const denyAllIngressToWeb = policy('shop/deny-web', { podSelector: { matchLabels: { app: 'web' } } });
const allowFromOps = policy('shop/from-ops', {
  podSelector: { matchLabels: { app: 'web' } },
  ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'ops' } } }] }],
});

describe('NetworkPolicy evaluation', () => {
  describe('isolation', () => {
    it('allows everything to and from a pod no policy selects, deciding by nobody', () => {
      const result = check([], { from: { pod: 'ops/monitor' }, to: { pod: 'shop/web' }, port: 8080 });

      expect(result).toMatchObject({
        verdict: 'allow',
        egress: { verdict: 'allow', isolated: false, decidedBy: [] },
        ingress: { verdict: 'allow', isolated: false, decidedBy: [] },
      });
    });

    it('denies ingress to a selected pod when no rule allows it, naming the isolating policy', () => {
      const result = check([denyAllIngressToWeb], {
        from: { pod: 'shop/api' },
        to: { pod: 'shop/web' },
        port: 8080,
      });

      expect(result.verdict).toBe('deny');
      expect(result.ingress).toEqual({ verdict: 'deny', isolated: true, decidedBy: ['shop/deny-web'] });
    });

    it('only selects pods in the policy namespace', () => {
      const result = check([denyAllIngressToWeb], {
        from: { pod: 'shop/api' },
        to: { pod: 'ops/web' },
        port: 80,
      });

      expect(result.verdict).toBe('allow');
    });

    it('adds policies up: a deny-all beside an allow leaves the allow, decided by the allowing policy only', () => {
      const result = check([denyAllIngressToWeb, allowFromOps], {
        from: { pod: 'ops/monitor' },
        to: { pod: 'shop/web' },
        port: 8080,
      });

      expect(result.verdict).toBe('allow');
      expect(result.ingress.decidedBy).toEqual(['shop/from-ops']);
    });

    it('names every isolating policy when several select the pod and none allows', () => {
      const result = check([denyAllIngressToWeb, allowFromOps], {
        from: { pod: 'shop/api' },
        to: { pod: 'shop/web' },
        port: 8080,
      });

      expect(result.ingress).toEqual({
        verdict: 'deny',
        isolated: true,
        decidedBy: ['shop/deny-web', 'shop/from-ops'],
      });
    });

    it('needs both the source egress and the destination ingress to allow', () => {
      const denyEgressFromMonitor = policy('ops/no-egress', {
        podSelector: { matchLabels: { app: 'monitor' } },
        policyTypes: ['Egress'],
      });

      const result = check([denyEgressFromMonitor, allowFromOps], {
        from: { pod: 'ops/monitor' },
        to: { pod: 'shop/web' },
        port: 8080,
      });

      expect(result).toMatchObject({
        verdict: 'deny',
        egress: { verdict: 'deny', decidedBy: ['ops/no-egress'] },
        ingress: { verdict: 'allow', decidedBy: ['shop/from-ops'] },
      });
    });
  });

  describe('policyTypes defaulting', () => {
    it('gives a policy without policyTypes Ingress even when it only has egress rules', () => {
      const egressOnly = policy('shop/egress-rules', {
        podSelector: { matchLabels: { app: 'web' } },
        egress: [{ to: [{ podSelector: {} }] }],
      });

      const result = check([egressOnly], { from: { pod: 'shop/api' }, to: { pod: 'shop/web' }, port: 8080 });

      expect(result.ingress).toEqual({ verdict: 'deny', isolated: true, decidedBy: ['shop/egress-rules'] });
    });

    it('adds Egress only when the egress list is non-empty', () => {
      const emptyEgress = policy('shop/empty-egress', { podSelector: {}, egress: [] });

      const result = check([emptyEgress], {
        from: { pod: 'shop/web' },
        to: { pod: 'ops/monitor' },
        port: 80,
      });

      expect(result.egress).toEqual({ verdict: 'allow', isolated: false, decidedBy: [] });
    });

    it('ignores ingress rules of a policy typed Egress only', () => {
      const egressTyped = policy('shop/egress-typed', {
        podSelector: {},
        policyTypes: ['Egress'],
        ingress: [{ from: [{ podSelector: { matchLabels: { nobody: 'x' } } }] }],
      });

      const result = check([egressTyped], {
        from: { pod: 'ops/monitor' },
        to: { pod: 'shop/web' },
        port: 8080,
      });

      expect(result.ingress.isolated).toBe(false);
      expect(result.verdict).toBe('allow');
    });
  });

  describe('peers', () => {
    it('reads a podSelector without namespaceSelector as pods of the policy namespace only', () => {
      const fromWebPods = policy('shop/from-web', {
        podSelector: { matchLabels: { app: 'api' } },
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }],
      });

      expect(
        check([fromWebPods], { from: { pod: 'shop/web' }, to: { pod: 'shop/api' }, port: 9090 }).verdict,
      ).toBe('allow');
      expect(
        check([fromWebPods], { from: { pod: 'ops/web' }, to: { pod: 'shop/api' }, port: 9090 }).verdict,
      ).toBe('deny');
    });

    it('ANDs namespaceSelector and podSelector in one peer, ORs separate peers', () => {
      const and = policy('shop/and', {
        podSelector: { matchLabels: { app: 'api' } },
        ingress: [
          {
            from: [
              {
                namespaceSelector: { matchLabels: { team: 'ops' } },
                podSelector: { matchLabels: { app: 'web' } },
              },
            ],
          },
        ],
      });
      const or = policy('shop/or', {
        podSelector: { matchLabels: { app: 'api' } },
        ingress: [
          {
            from: [
              { namespaceSelector: { matchLabels: { team: 'ops' } } },
              { podSelector: { matchLabels: { app: 'web' } } },
            ],
          },
        ],
      });
      const monitorToApi: ConnectionQuery = {
        from: { pod: 'ops/monitor' },
        to: { pod: 'shop/api' },
        port: 9090,
      };

      expect(check([and], monitorToApi).verdict).toBe('deny');
      expect(check([and], { ...monitorToApi, from: { pod: 'ops/web' } }).verdict).toBe('allow');
      expect(check([or], monitorToApi).verdict).toBe('allow');
      expect(check([or], { ...monitorToApi, from: { pod: 'shop/web' } }).verdict).toBe('allow');
    });

    it('matches namespaces by matchExpressions on the name label', () => {
      const notFromOps = policy('shop/not-ops', {
        podSelector: { matchLabels: { app: 'api' } },
        ingress: [
          {
            from: [
              {
                namespaceSelector: {
                  matchExpressions: [
                    { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['ops'] },
                  ],
                },
              },
            ],
          },
        ],
      });

      expect(
        check([notFromOps], { from: { pod: 'ops/web' }, to: { pod: 'shop/api' }, port: 1 }).verdict,
      ).toBe('deny');
      expect(
        check([notFromOps], { from: { pod: 'shop/web' }, to: { pod: 'shop/api' }, port: 1 }).verdict,
      ).toBe('allow');
    });

    it('lets a rule without from match every source, external IPs included', () => {
      const anyone = policy('shop/anyone', { podSelector: {}, ingress: [{ ports: [{ port: 8080 }] }] });

      const result = check([anyone], { from: { ip: '203.0.113.9' }, to: { pod: 'shop/web' }, port: 8080 });

      expect(result.verdict).toBe('allow');
    });

    it('does not let namespaceSelector {} match an external IP', () => {
      const allPods = policy('shop/all-pods', {
        podSelector: {},
        ingress: [{ from: [{ namespaceSelector: {} }] }],
      });

      expect(
        check([allPods], { from: { ip: '203.0.113.9' }, to: { pod: 'shop/web' }, port: 8080 }).verdict,
      ).toBe('deny');
      expect(
        check([allPods], { from: { pod: 'ops/monitor' }, to: { pod: 'shop/web' }, port: 8080 }).verdict,
      ).toBe('allow');
    });
  });

  describe('ipBlock', () => {
    const fromBlock = policy('shop/block', {
      podSelector: { matchLabels: { app: 'web' } },
      ingress: [{ from: [{ ipBlock: { cidr: '172.17.0.0/16', except: ['172.17.1.0/24'] } }] }],
    });

    it('allows addresses inside the block and denies those in except', () => {
      expect(
        check([fromBlock], { from: { ip: '172.17.2.3' }, to: { pod: 'shop/web' }, port: 8080 }).verdict,
      ).toBe('allow');
      expect(
        check([fromBlock], { from: { ip: '172.17.1.3' }, to: { pod: 'shop/web' }, port: 8080 }).verdict,
      ).toBe('deny');
    });

    it('treats except as narrowing one block, not as a deny another policy cannot lift', () => {
      const exact = policy('shop/exact', {
        podSelector: { matchLabels: { app: 'web' } },
        ingress: [{ from: [{ ipBlock: { cidr: '172.17.1.3/32' } }] }],
      });

      const result = check([fromBlock, exact], {
        from: { ip: '172.17.1.3' },
        to: { pod: 'shop/web' },
        port: 8080,
      });

      expect(result).toMatchObject({ verdict: 'allow', ingress: { decidedBy: ['shop/exact'] } });
    });

    it('matches IPv6 blocks and their excepts', () => {
      const v6 = policy('shop/v6', {
        podSelector: { matchLabels: { app: 'web' } },
        ingress: [{ from: [{ ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8:bad::/48'] } }] }],
      });

      expect(
        check([v6], { from: { ip: '2001:db8:1::7' }, to: { pod: 'shop/web' }, port: 8080 }).verdict,
      ).toBe('allow');
      expect(
        check([v6], { from: { ip: '2001:db8:bad::7' }, to: { pod: 'shop/web' }, port: 8080 }).verdict,
      ).toBe('deny');
      expect(check([v6], { from: { ip: '172.17.0.1' }, to: { pod: 'shop/web' }, port: 8080 }).verdict).toBe(
        'deny',
      );
    });

    it('matches a pod peer by its pod IP', () => {
      const toV6Pod = policy('shop/egress-v6', {
        podSelector: { matchLabels: { app: 'api' } },
        egress: [{ to: [{ ipBlock: { cidr: 'fd00::/8' } }] }],
      });

      expect(check([toV6Pod], { from: { pod: 'shop/api' }, to: { pod: 'shop/v6' }, port: 80 }).verdict).toBe(
        'allow',
      );
      expect(
        check([toV6Pod], { from: { pod: 'shop/api' }, to: { pod: 'shop/web' }, port: 8080 }).verdict,
      ).toBe('deny');
    });
  });

  describe('ports and protocols', () => {
    function ingressOn(
      ports: NonNullable<NetworkPolicy['spec']['ingress']>[number]['ports'],
    ): NetworkPolicy[] {
      return [policy('shop/ports', { podSelector: {}, ingress: [{ ports }] })];
    }
    const toWeb = (port: number | string, protocol?: 'TCP' | 'UDP' | 'SCTP'): ConnectionQuery => ({
      from: { pod: 'ops/monitor' },
      to: { pod: 'shop/web' },
      port,
      ...(protocol ? { protocol } : {}),
    });

    it('defaults the protocol of a policy port and of a query to TCP', () => {
      expect(check(ingressOn([{ port: 8080 }]), toWeb(8080)).verdict).toBe('allow');
      expect(check(ingressOn([{ port: 8080 }]), toWeb(8080, 'UDP')).verdict).toBe('deny');
      expect(check(ingressOn([{ port: 8080, protocol: 'UDP' }]), toWeb(8080)).verdict).toBe('deny');
    });

    it('never matches across protocols, SCTP included', () => {
      expect(check(ingressOn([{ port: 8080, protocol: 'SCTP' }]), toWeb(8080, 'TCP')).verdict).toBe('deny');
      expect(check(ingressOn([{ port: 8080, protocol: 'SCTP' }]), toWeb(8080, 'SCTP')).verdict).toBe('allow');
    });

    it('matches every port of the protocol when port is left out', () => {
      expect(check(ingressOn([{ protocol: 'UDP' }]), toWeb(5353, 'UDP')).verdict).toBe('allow');
      expect(check(ingressOn([{ protocol: 'UDP' }]), toWeb(5353, 'TCP')).verdict).toBe('deny');
    });

    it('treats endPort as an inclusive range', () => {
      const range = ingressOn([{ port: 32000, endPort: 32768 }]);

      expect(check(range, toWeb(31999)).verdict).toBe('deny');
      expect(check(range, toWeb(32000)).verdict).toBe('allow');
      expect(check(range, toWeb(32768)).verdict).toBe('allow');
      expect(check(range, toWeb(32769)).verdict).toBe('deny');
    });

    it('resolves a named policy port on the destination pod, by name and protocol', () => {
      expect(check(ingressOn([{ port: 'http' }]), toWeb(8080)).verdict).toBe('allow');
      expect(check(ingressOn([{ port: 'http' }]), toWeb(80)).verdict).toBe('deny');
      expect(check(ingressOn([{ port: 'dns' }]), toWeb(53, 'TCP')).verdict).toBe('deny');
      expect(check(ingressOn([{ port: 'dns', protocol: 'UDP' }]), toWeb(53, 'UDP')).verdict).toBe('allow');
    });

    it('resolves a named egress port on the destination pod, not on the source', () => {
      const egressToMetrics = policy('ops/to-metrics', {
        podSelector: { matchLabels: { app: 'monitor' } },
        policyTypes: ['Egress'],
        egress: [{ ports: [{ port: 'metrics' }] }],
      });
      const query: ConnectionQuery = { from: { pod: 'ops/monitor' }, to: { pod: 'shop/api' }, port: 9090 };

      expect(check([egressToMetrics], query).verdict).toBe('allow');
      expect(check([egressToMetrics], { ...query, to: { pod: 'shop/web' } }).verdict).toBe('deny');
    });

    it('never matches a named port towards an external IP', () => {
      const egressToHttp = policy('shop/to-http', {
        podSelector: { matchLabels: { app: 'web' } },
        policyTypes: ['Egress'],
        egress: [{ ports: [{ port: 'http' }] }],
      });

      const result = check([egressToHttp], {
        from: { pod: 'shop/web' },
        to: { ip: '198.51.100.1' },
        port: 8080,
      });

      expect(result.verdict).toBe('deny');
    });

    it('accepts a query port given by name, resolved on the destination pod', () => {
      const result = check(ingressOn([{ port: 8080 }]), toWeb('http'));

      expect(result).toMatchObject({ verdict: 'allow', port: 8080, protocol: 'TCP' });
    });
  });

  describe('IP ends', () => {
    it('evaluates only the pod side when the source is an external IP', () => {
      const result = check([allowFromOps], {
        from: { ip: '203.0.113.9' },
        to: { pod: 'shop/web' },
        port: 8080,
      });

      expect(result).toMatchObject({
        verdict: 'deny',
        egress: { verdict: 'n/a', isolated: false, decidedBy: [] },
        ingress: { verdict: 'deny', decidedBy: ['shop/from-ops'] },
      });
    });

    it('evaluates only the pod side when the destination is an external IP', () => {
      const result = check([denyAllIngressToWeb], {
        from: { pod: 'shop/web' },
        to: { ip: '203.0.113.9' },
        port: 443,
      });

      expect(result).toMatchObject({
        verdict: 'allow',
        egress: { verdict: 'allow' },
        ingress: { verdict: 'n/a' },
      });
    });

    it('treats an IP that belongs to a known pod as that pod', () => {
      const result = check([allowFromOps], {
        from: { ip: '10.0.2.10' },
        to: { pod: 'shop/web' },
        port: 8080,
      });

      expect(result).toMatchObject({
        verdict: 'allow',
        egress: { verdict: 'allow' },
        ingress: { verdict: 'allow' },
      });
    });
  });

  describe('bad input', () => {
    const evaluator = createEvaluator({ namespaces: NAMESPACES, pods: PODS, policies: [] });

    it('names an unknown pod and lists the pods of its namespace', () => {
      expect(() =>
        evaluator.evaluate({ from: { pod: 'shop/wbe' }, to: { pod: 'shop/web' }, port: 80 }),
      ).toThrow(
        expect.objectContaining({
          code: 'NOT_FOUND',
          message: 'unknown pod "shop/wbe"; pods in namespace "shop": api, v6, web',
        }),
      );
    });

    it('lists the namespaces with pods when the namespace has none', () => {
      expect(() =>
        evaluator.evaluate({ from: { pod: 'prod/web' }, to: { pod: 'shop/web' }, port: 80 }),
      ).toThrow('unknown pod "prod/web"; no pods in namespace "prod"; namespaces with pods: ops, shop');
    });

    it('rejects an IP end that is not an address', () => {
      expect(() =>
        evaluator.evaluate({ from: { ip: '10.0.0.300' }, to: { pod: 'shop/web' }, port: 80 }),
      ).toThrow(
        expect.objectContaining({
          code: 'INVALID_ARGUMENT',
          message: expect.stringContaining('"10.0.0.300"'),
        }),
      );
    });

    it('rejects a port out of range and a port name the destination does not have', () => {
      expect(() =>
        evaluator.evaluate({ from: { pod: 'shop/api' }, to: { pod: 'shop/web' }, port: 70000 }),
      ).toThrow(/port 70000 is not a port/);
      expect(() =>
        evaluator.evaluate({ from: { pod: 'shop/api' }, to: { pod: 'shop/web' }, port: 'grpc' }),
      ).toThrow(
        'port "grpc" is not a TCP container port name of shop/web; its named ports: http (8080/TCP), dns (53/UDP)',
      );
    });

    it.each([
      [
        { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0' } }] }] },
        /ingress\[0\]\.from\[0\]\.ipBlock\.cidr is "10\.0\.0\.0", not a CIDR/,
      ],
      [
        { podSelector: {}, ingress: [{ from: [{}] }] },
        /from\[0\] sets none of podSelector, namespaceSelector or ipBlock/,
      ],
      [
        { podSelector: {}, egress: [{ ports: [{ port: 80, endPort: 79 }] }] },
        /egress\[0\]\.ports\[0\]\.endPort 79 is below port 80/,
      ],
      [
        { podSelector: {}, egress: [{ ports: [{ port: 'http', endPort: 90 }] }] },
        /sets endPort with the named port "http"/,
      ],
      [{ podSelector: {}, policyTypes: ['Both'] }, /policyTypes contains "Both"/],
    ] as [NetworkPolicy['spec'], RegExp][])(
      'rejects an invalid policy, naming the field: %j',
      (spec, message) => {
        expect(() =>
          createEvaluator({ namespaces: NAMESPACES, pods: PODS, policies: [policy('shop/bad', spec)] }),
        ).toThrow(message);
      },
    );
  });
});
