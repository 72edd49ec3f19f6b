import { describe, expect, it } from 'vitest';
import { createEvaluator } from '#core/netpol/evaluate.ts';
import { clusterFromObjects } from '#core/netpol/objects.ts';
import type { NetpolCluster, NetworkPolicy, UnevaluatedPolicy } from '#core/netpol/types.ts';
import { namespace, pod, policy } from './builders.ts';
import { fixtureObjects, type KubeJson } from './conformance-scenario.ts';

/**
 * The what-if never answers as if a policy it could not read were absent: a leading-zero CIDR is
 * read as kube-apiserver admitted it, and a policy that may decide but cannot be evaluated makes the
 * verdict `unknown`, naming the policy and why.
 */

const NAMESPACES = [namespace('shop'), namespace('ops')];
const PODS = [
  pod('shop/web', { app: 'web' }, '10.0.1.10'),
  pod('shop/api', { app: 'api' }, '10.0.1.20'),
  pod('ops/monitor', { app: 'monitor' }, '10.0.2.10'),
];
const DENY_ALL_EGRESS = policy('shop/deny-egress', { podSelector: {}, policyTypes: ['Egress'] });

function cluster(policies: NetworkPolicy[], unevaluated: UnevaluatedPolicy[] = []): NetpolCluster {
  return { namespaces: NAMESPACES, pods: PODS, policies, ...(unevaluated.length > 0 ? { unevaluated } : {}) };
}

function allowAllEgress(cidr: string): NetworkPolicy {
  return policy('shop/allow-all-egress', {
    podSelector: {},
    policyTypes: ['Egress'],
    egress: [{ to: [{ ipBlock: { cidr } }] }],
  });
}

describe('CIDRs written with leading zeros', () => {
  it.each([
    ['000.0.0.0/0', '203.0.113.9'],
    ['010.0.0.0/8', '10.200.0.1'],
  ])('reads %s as the API server does: egress to %s is allowed', (cidr, ip) => {
    const result = createEvaluator(cluster([DENY_ALL_EGRESS, allowAllEgress(cidr)])).evaluate({
      from: { pod: 'shop/web' },
      to: { ip },
      port: 443,
    });

    expect(result.verdict).toBe('allow');
    expect(result.egress.decidedBy).toEqual(['shop/allow-all-egress']);
  });

  it('reads 010.0.0.0/8 as decimal 10/8: 8.0.0.1 (its octal reading) stays denied', () => {
    const result = createEvaluator(cluster([DENY_ALL_EGRESS, allowAllEgress('010.0.0.0/8')])).evaluate({
      from: { pod: 'shop/web' },
      to: { ip: '8.0.0.1' },
      port: 443,
    });

    expect(result.verdict).toBe('deny');
  });

  it('keeps such a policy when read from manifests, rather than dropping it', () => {
    const objects = [DENY_ALL_EGRESS, allowAllEgress('000.0.0.0/0')];

    const { cluster: read, problems } = clusterFromObjects(objects);

    expect(problems).toEqual([]);
    expect(read.policies.map((p) => p.metadata.name)).toEqual(['deny-egress', 'allow-all-egress']);
  });
});

describe('a NetworkPolicy that cannot be evaluated', () => {
  const broken = {
    ...policy('shop/broken-egress', {
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Egress'],
    }),
    spec: {
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/33' } }] }],
    },
  };

  it('makes the pods it selects unknown, naming it and the reason', () => {
    const { cluster: read } = clusterFromObjects([...PODS.map(asObject), DENY_ALL_EGRESS, broken]);

    const result = createEvaluator(read).evaluate({
      from: { pod: 'shop/web' },
      to: { ip: '10.9.9.9' },
      port: 443,
    });

    expect(result.verdict).toBe('unknown');
    expect(result.egress).toEqual({
      verdict: 'unknown',
      isolated: true,
      decidedBy: [],
      reason:
        'NetworkPolicy/shop/broken-egress could not be evaluated (shop/broken-egress spec.egress[0].to[0].ipBlock.cidr is "10.0.0.0/33", not a CIDR; write it like 10.0.0.0/8 or 2001:db8::/32)',
    });
  });

  it('leaves the pods its podSelector does not select decided as before', () => {
    const { cluster: read } = clusterFromObjects([...PODS.map(asObject), DENY_ALL_EGRESS, broken]);

    const result = createEvaluator(read).evaluate({
      from: { pod: 'shop/api' },
      to: { ip: '10.9.9.9' },
      port: 443,
    });

    expect(result.verdict).toBe('deny');
  });

  it('cannot take back an allow another NetworkPolicy gives (policies only add allows)', () => {
    const { cluster: read } = clusterFromObjects([
      ...PODS.map(asObject),
      DENY_ALL_EGRESS,
      allowAllEgress('0.0.0.0/0'),
      broken,
    ]);

    const result = createEvaluator(read).evaluate({
      from: { pod: 'shop/web' },
      to: { ip: '10.9.9.9' },
      port: 443,
    });

    expect(result.verdict).toBe('allow');
  });

  it('is unknown for every pod in its namespace when its podSelector itself does not parse', () => {
    const unreadableSelector = {
      ...broken,
      metadata: { name: 'bad-selector', namespace: 'shop' },
      spec: { podSelector: { matchLabels: 'app=web' }, policyTypes: ['Egress'] },
    };
    const { cluster: read } = clusterFromObjects([...PODS.map(asObject), unreadableSelector]);
    const evaluator = createEvaluator(read);

    expect(evaluator.evaluate({ from: { pod: 'shop/api' }, to: { ip: '10.9.9.9' }, port: 443 }).verdict).toBe(
      'unknown',
    );
    expect(
      evaluator.evaluate({ from: { pod: 'ops/monitor' }, to: { ip: '10.9.9.9' }, port: 443 }).verdict,
    ).toBe('allow');
  });

  it('does not hide a deny from the other side: the connection is denied', () => {
    const { cluster: read } = clusterFromObjects([
      ...PODS.map(asObject),
      broken,
      policy('shop/deny-api', { podSelector: { matchLabels: { app: 'api' } } }),
    ]);

    const result = createEvaluator(read).evaluate({
      from: { pod: 'shop/web' },
      to: { pod: 'shop/api' },
      port: 80,
    });

    expect(result).toMatchObject({
      verdict: 'deny',
      egress: { verdict: 'unknown' },
      ingress: { verdict: 'deny' },
    });
  });
});

describe('Calico and Cilium policies', () => {
  const [calicoPolicy, globalPolicy, ciliumPolicy] = fixtureObjects('engine-policies.yaml') as [
    KubeJson,
    KubeJson,
    KubeJson,
  ];
  const inShop = (object: Record<string, unknown>) => ({
    ...object,
    metadata: { ...(object.metadata as object), namespace: 'shop' },
  });

  it('makes every pod unknown while a Calico GlobalNetworkPolicy exists, naming it', () => {
    const { cluster: read } = clusterFromObjects([...PODS.map(asObject), globalPolicy]);

    const result = createEvaluator(read).evaluate({
      from: { pod: 'ops/monitor' },
      to: { pod: 'shop/web' },
      port: 80,
    });

    expect(result.verdict).toBe('unknown');
    expect(result.ingress.reason).toBe(
      'GlobalNetworkPolicy/allow-tcp-6379 could not be evaluated (a Calico policy; kubeguard does not evaluate Calico policies)',
    );
  });

  it('scopes a Calico NetworkPolicy to its namespace and tells it apart from the built-in kind', () => {
    const { cluster: read, problems } = clusterFromObjects([...PODS.map(asObject), inShop(calicoPolicy)]);
    const evaluator = createEvaluator(read);

    expect(problems).toEqual([]);
    expect(read.policies).toEqual([]);
    expect(
      evaluator.evaluate({ from: { pod: 'ops/monitor' }, to: { pod: 'shop/web' }, port: 80 }).ingress,
    ).toEqual({
      verdict: 'unknown',
      isolated: false,
      decidedBy: [],
      reason:
        'NetworkPolicy.projectcalico.org/shop/allow-tcp-6379 could not be evaluated (a Calico policy; kubeguard does not evaluate Calico policies)',
    });
    expect(
      evaluator.evaluate({ from: { pod: 'shop/web' }, to: { pod: 'ops/monitor' }, port: 80 }).ingress.verdict,
    ).toBe('allow');
  });

  it('names a CiliumNetworkPolicy of the pod namespace', () => {
    const { cluster: read } = clusterFromObjects([...PODS.map(asObject), inShop(ciliumPolicy)]);

    const result = createEvaluator(read).evaluate({
      from: { pod: 'shop/api' },
      to: { ip: '192.0.2.1' },
      port: 80,
    });

    expect(result.egress.reason).toBe(
      'CiliumNetworkPolicy/shop/rule1 could not be evaluated (a Cilium policy; kubeguard does not evaluate Cilium policies)',
    );
  });

  it('is unknown for every pod when a policy kind could not be read at all', () => {
    const unreadable: UnevaluatedPolicy = {
      kind: 'CiliumClusterwideNetworkPolicy',
      apiVersion: 'cilium.io/v2',
      reason: 'HTTP 403: list ciliumclusterwidenetworkpolicies.cilium.io is forbidden',
    };

    const result = createEvaluator(cluster([], [unreadable])).evaluate({
      from: { pod: 'shop/web' },
      to: { pod: 'shop/api' },
      port: 80,
    });

    expect(result.verdict).toBe('unknown');
    expect(result.egress.reason).toBe(
      'CiliumClusterwideNetworkPolicy objects could not be read (HTTP 403: list ciliumclusterwidenetworkpolicies.cilium.io is forbidden)',
    );
  });
});

function asObject(p: (typeof PODS)[number]): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: p.name, namespace: p.namespace, labels: p.labels },
    status: { podIP: p.ip },
  };
}
