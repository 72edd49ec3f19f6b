import { describe, expect, it } from 'vitest';
import { createEvaluator } from '#core/netpol/evaluate.ts';
import type { ConnectionQuery, NetpolCluster, Protocol } from '#core/netpol/types.ts';
import { type KubeJson, podRef, scenario, specOf } from './conformance-scenario.ts';

/**
 * AdminNetworkPolicy and BaselineAdminNetworkPolicy semantics on the upstream conformance scenario.
 * Each case mirrors a `PokeServer` call of kubernetes-sigs/network-policy-api conformance/tests at
 * v0.1.7 (the test named in the describe), with the verdict that test expects.
 */

function verdict(
  cluster: NetpolCluster,
  from: string,
  to: string,
  port: number,
  protocol: Protocol = 'TCP',
): string {
  const query: ConnectionQuery = { from: podRef(from), to: podRef(to), port, protocol };
  return createEvaluator(cluster).evaluate(query).verdict;
}

function editRules(name: string, direction: 'ingress' | 'egress', edit: (rules: unknown[]) => unknown[]) {
  return (object: KubeJson) => {
    if (object.metadata.name !== name || !object.kind.endsWith('AdminNetworkPolicy')) return object;
    const spec = specOf(object);
    spec[direction] = edit([...(spec[direction] ?? [])]);
    return object;
  };
}

function swap(rules: unknown[], a: number, b: number): unknown[] {
  [rules[a], rules[b]] = [rules[b], rules[a]];
  return rules;
}

function withAction(action: string) {
  return (rules: unknown[]) => rules.map((rule, i) => (i === 0 ? { ...(rule as object), action } : rule));
}

describe('AdminNetworkPolicy, NetworkPolicy and baseline together (CNPAdminTierIntegration / AdminNetworkPolicyIntegration)', () => {
  const FILES = ['standard-anp-np-banp.yaml'];

  it('denies slytherin → gryffindor by the ANP Deny, although a NetworkPolicy allows it', () => {
    const cluster = scenario(FILES);
    const result = createEvaluator(cluster).evaluate({
      from: podRef('draco-malfoy-0'),
      to: podRef('harry-potter-0'),
      port: 80,
    });

    expect(result.verdict).toBe('deny');
    expect(result.ingress).toEqual({
      verdict: 'deny',
      isolated: true,
      decidedBy: ['AdminNetworkPolicy/pass-example'],
      rule: 'AdminNetworkPolicy/pass-example ingress[0] "deny-all-ingress-from-slytherin": Deny',
    });
    expect(verdict(cluster, 'draco-malfoy-1', 'harry-potter-0', 8080)).toBe('deny');
  });

  it('denies gryffindor → slytherin on the egress side by the ANP Deny', () => {
    const cluster = scenario(FILES);

    expect(verdict(cluster, 'harry-potter-0', 'draco-malfoy-0', 80)).toBe('deny');
    expect(verdict(cluster, 'harry-potter-1', 'draco-malfoy-0', 8080)).toBe('deny');
  });

  it('hands a Pass to the NetworkPolicy, which allows slytherin → gryffindor', () => {
    const cluster = scenario(FILES, editRules('pass-example', 'ingress', withAction('Pass')));
    const result = createEvaluator(cluster).evaluate({
      from: podRef('draco-malfoy-0'),
      to: podRef('harry-potter-0'),
      port: 80,
    });

    expect(result.verdict).toBe('allow');
    expect(result.ingress).toEqual({
      verdict: 'allow',
      isolated: true,
      decidedBy: ['network-policy-conformance-gryffindor/allow-gress-from-to-slytherin-to-gryffindor'],
      passedBy: 'AdminNetworkPolicy/pass-example ingress[0] "deny-all-ingress-from-slytherin": Pass',
    });
    expect(verdict(cluster, 'draco-malfoy-1', 'harry-potter-0', 8080)).toBe('allow');
  });

  it('hands an egress Pass to the NetworkPolicy, which allows gryffindor → slytherin', () => {
    const cluster = scenario(FILES, editRules('pass-example', 'egress', withAction('Pass')));

    expect(verdict(cluster, 'harry-potter-0', 'draco-malfoy-0', 80)).toBe('allow');
    expect(verdict(cluster, 'harry-potter-1', 'draco-malfoy-0', 8080)).toBe('allow');
  });

  it('falls through a Pass to the baseline Deny when no NetworkPolicy selects the pod', () => {
    const pass = (object: KubeJson) =>
      object.kind === 'NetworkPolicy'
        ? undefined
        : editRules(
            'pass-example',
            'egress',
            withAction('Pass'),
          )(editRules('pass-example', 'ingress', withAction('Pass'))(object));
    const cluster = scenario(FILES, pass);
    const result = createEvaluator(cluster).evaluate({
      from: podRef('draco-malfoy-0'),
      to: podRef('harry-potter-0'),
      port: 80,
    });

    expect(result.ingress).toMatchObject({
      verdict: 'deny',
      isolated: false,
      decidedBy: ['BaselineAdminNetworkPolicy/default'],
      rule: 'BaselineAdminNetworkPolicy/default ingress[0] "deny-all-ingress-from-slytherin": Deny',
    });
    expect(verdict(cluster, 'draco-malfoy-1', 'harry-potter-0', 8080)).toBe('deny');
    expect(verdict(cluster, 'harry-potter-0', 'draco-malfoy-0', 80)).toBe('deny');
  });

  it('leaves connections no rule matches to the NetworkPolicies (hufflepuff → gryffindor is isolated)', () => {
    const cluster = scenario(FILES);

    expect(verdict(cluster, 'cedric-diggory-0', 'harry-potter-0', 80)).toBe('deny');
    expect(verdict(cluster, 'cedric-diggory-0', 'luna-lovegood-0', 80)).toBe('allow');
  });
});

describe('AdminNetworkPolicy priority (AdminNetworkPolicyPriorityField)', () => {
  const FILES = ['anp-standard-priority-field.yaml'];

  it('applies the priority-50 Deny before the priority-60 Pass, both directions', () => {
    const cluster = scenario(FILES);

    expect(verdict(cluster, 'draco-malfoy-0', 'harry-potter-0', 80)).toBe('deny');
    expect(verdict(cluster, 'draco-malfoy-1', 'harry-potter-0', 8080)).toBe('deny');
    expect(verdict(cluster, 'harry-potter-0', 'draco-malfoy-0', 80)).toBe('deny');
    expect(verdict(cluster, 'harry-potter-1', 'draco-malfoy-0', 8080)).toBe('deny');
  });

  it('passes to the baseline Allow once the Pass policy moves to priority 40', () => {
    const cluster = scenario(FILES, (object) => {
      if (object.metadata.name === 'old-priority-60-new-priority-40-example') specOf(object).priority = 40;
      return object;
    });
    const result = createEvaluator(cluster).evaluate({
      from: podRef('draco-malfoy-0'),
      to: podRef('harry-potter-0'),
      port: 80,
    });

    expect(result.ingress).toMatchObject({
      verdict: 'allow',
      decidedBy: ['BaselineAdminNetworkPolicy/default'],
      passedBy:
        'AdminNetworkPolicy/old-priority-60-new-priority-40-example ingress[0] "pass-all-ingress-from-slytherin": Pass',
    });
    expect(verdict(cluster, 'draco-malfoy-1', 'harry-potter-0', 8080)).toBe('allow');
    expect(verdict(cluster, 'harry-potter-0', 'draco-malfoy-0', 80)).toBe('allow');
    expect(verdict(cluster, 'harry-potter-1', 'draco-malfoy-0', 8080)).toBe('allow');
  });

  it('is unknown when two policies of the same priority disagree, as the API leaves it to the implementation', () => {
    const cluster = scenario(FILES, (object) => {
      if (object.metadata.name === 'old-priority-60-new-priority-40-example') specOf(object).priority = 50;
      return object;
    });
    const result = createEvaluator(cluster).evaluate({
      from: podRef('draco-malfoy-0'),
      to: podRef('harry-potter-0'),
      port: 80,
    });

    expect(result.verdict).toBe('unknown');
    expect(result.ingress.reason).toBe(
      'AdminNetworkPolicy/old-priority-60-new-priority-40-example ingress[0] "pass-all-ingress-from-slytherin": Pass and AdminNetworkPolicy/priority-50-example ingress[0] "deny-all-ingress-from-slytherin": Deny share priority 50 and disagree; the API lets the implementation apply either',
    );
  });
});

describe('AdminNetworkPolicy ingress rules in order (AdminNetworkPolicyIngressTCP)', () => {
  const FILES = ['anp-standard-ingress-tcp-rules.yaml'];

  it('lets the first matching rule act: Allow before Deny for ravenclaw', () => {
    const cluster = scenario(FILES);

    expect(verdict(cluster, 'luna-lovegood-0', 'harry-potter-0', 80)).toBe('allow');
    expect(verdict(cluster, 'luna-lovegood-1', 'harry-potter-0', 8080)).toBe('allow');
  });

  it('matches rules on their ports: hufflepuff is allowed on 80 and denied elsewhere', () => {
    const cluster = scenario(FILES);

    expect(verdict(cluster, 'cedric-diggory-0', 'harry-potter-1', 80)).toBe('allow');
    expect(verdict(cluster, 'cedric-diggory-1', 'harry-potter-1', 8080)).toBe('deny');
  });

  it('denies ravenclaw once Deny is written before Allow', () => {
    const cluster = scenario(
      FILES,
      editRules('ingress-tcp', 'ingress', (rules) => swap(rules, 0, 1)),
    );

    expect(verdict(cluster, 'luna-lovegood-0', 'harry-potter-1', 80)).toBe('deny');
    expect(verdict(cluster, 'luna-lovegood-1', 'harry-potter-1', 8080)).toBe('deny');
  });

  it('denies slytherin on port 80 only; other ports match no rule and are allowed', () => {
    const cluster = scenario(FILES);

    expect(verdict(cluster, 'draco-malfoy-0', 'harry-potter-0', 80)).toBe('deny');
    expect(verdict(cluster, 'draco-malfoy-1', 'harry-potter-0', 8080)).toBe('allow');
  });

  it('allows ravenclaw when Pass comes first and nothing below selects the pod', () => {
    const cluster = scenario(
      FILES,
      editRules('ingress-tcp', 'ingress', (rules) => swap(rules, 0, 2)),
    );

    expect(verdict(cluster, 'luna-lovegood-0', 'harry-potter-0', 80)).toBe('allow');
    expect(verdict(cluster, 'luna-lovegood-1', 'harry-potter-0', 8080)).toBe('allow');
  });

  it('allows slytherin on port 80 when the Pass for port 80 comes before the Deny', () => {
    const cluster = scenario(
      FILES,
      editRules('ingress-tcp', 'ingress', (rules) => swap(rules, 3, 4)),
    );

    expect(verdict(cluster, 'draco-malfoy-0', 'harry-potter-0', 80)).toBe('allow');
  });

  it('matches a rule port by protocol: UDP 80 from slytherin matches no TCP rule', () => {
    const cluster = scenario(FILES);

    expect(verdict(cluster, 'draco-malfoy-0', 'harry-potter-0', 80, 'UDP')).toBe('allow');
  });
});

describe('BaselineAdminNetworkPolicy ingress rules (BaselineAdminNetworkPolicyIngressTCP)', () => {
  const FILES = ['banp-standard-ingress-tcp-rules.yaml'];

  it('decides by its first matching rule when nothing else selects the pod', () => {
    const cluster = scenario(FILES);

    expect(verdict(cluster, 'luna-lovegood-0', 'harry-potter-0', 80)).toBe('allow');
    expect(verdict(cluster, 'cedric-diggory-0', 'harry-potter-1', 80)).toBe('allow');
    expect(verdict(cluster, 'cedric-diggory-1', 'harry-potter-1', 8080)).toBe('deny');
    expect(verdict(cluster, 'draco-malfoy-0', 'harry-potter-0', 80)).toBe('deny');
    expect(verdict(cluster, 'draco-malfoy-1', 'harry-potter-0', 8080)).toBe('allow');
  });

  it('is not consulted when a NetworkPolicy selects the pod', () => {
    const allowAll = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'allow-all-ingress', namespace: 'network-policy-conformance-gryffindor' },
      spec: { podSelector: {}, ingress: [{}] },
    };
    const cluster = scenario(FILES);
    const withPolicy = { ...cluster, policies: [...cluster.policies, allowAll] } as NetpolCluster;

    expect(verdict(withPolicy, 'draco-malfoy-0', 'harry-potter-0', 80)).toBe('allow');
    expect(verdict(withPolicy, 'cedric-diggory-1', 'harry-potter-1', 8080)).toBe('allow');
  });
});

describe('AdminNetworkPolicy networks peers (AdminNetworkPolicyEgressInlineCIDRPeers)', () => {
  const FILES = ['anp-standard-egress-inline-cidr-rules.yaml'];

  it('denies egress to 0.0.0.0/0, pod IPs included, after the Allow to slytherin', () => {
    const cluster = scenario(FILES);

    for (const protocol of ['TCP', 'UDP', 'SCTP'] as const) {
      expect(verdict(cluster, 'harry-potter-1', 'luna-lovegood-0', 80, protocol)).toBe('deny');
      expect(verdict(cluster, 'harry-potter-1', 'cedric-diggory-0', 80, protocol)).toBe('deny');
      expect(verdict(cluster, 'harry-potter-1', 'draco-malfoy-0', 80, protocol)).toBe('allow');
    }
    expect(
      createEvaluator(cluster).evaluate({
        from: podRef('harry-potter-0'),
        to: { ip: '203.0.113.5' },
        port: 443,
      }).verdict,
    ).toBe('deny');
  });

  it('allows the two pod IPs of an Allow networks rule inserted first, and still denies the others', () => {
    const allowIps = {
      name: 'allow-egress-to-specific-podIPs',
      action: 'Allow',
      to: [{ networks: ['10.244.4.10/32', '10.244.3.10/32'] }],
    };
    const cluster = scenario(
      FILES,
      editRules('inline-cidr-as-peers-example', 'egress', (r) => [allowIps, ...r]),
    );

    expect(verdict(cluster, 'harry-potter-1', 'luna-lovegood-0', 80)).toBe('allow');
    expect(verdict(cluster, 'harry-potter-1', 'cedric-diggory-0', 53, 'UDP')).toBe('allow');
    expect(verdict(cluster, 'harry-potter-1', 'luna-lovegood-1', 80)).toBe('deny');
    expect(verdict(cluster, 'harry-potter-1', 'cedric-diggory-1', 80)).toBe('deny');
  });
});

describe('admin rules kubeguard cannot decide', () => {
  const FILES = ['anp-standard-egress-inline-cidr-rules.yaml'];

  it('is unknown when a domainNames rule may match before the Deny, naming it', () => {
    const allowDomains = {
      name: 'allow-registry',
      action: 'Allow',
      to: [{ domainNames: ['*.amazonaws.com'] }],
    };
    const cluster = scenario(
      FILES,
      editRules('inline-cidr-as-peers-example', 'egress', (r) => [allowDomains, ...r]),
    );
    const result = createEvaluator(cluster).evaluate({
      from: podRef('harry-potter-0'),
      to: { ip: '52.94.0.10' },
      port: 443,
    });

    expect(result.verdict).toBe('unknown');
    expect(result.egress.reason).toBe(
      'AdminNetworkPolicy/inline-cidr-as-peers-example egress[0] "allow-registry": Allow may match: domain names (*.amazonaws.com) match the IPs DNS answers with, which kubeguard does not see',
    );
  });

  it('decides a nodes peer by the node addresses when nodes were read, and is unknown otherwise', () => {
    const toNodes = {
      name: 'allow-to-nodes',
      action: 'Allow',
      to: [{ nodes: { matchLabels: { 'kubernetes.io/os': 'linux' } } }],
    };
    const edit = editRules('inline-cidr-as-peers-example', 'egress', (r) => [toNodes, ...r]);
    const query = { from: podRef('harry-potter-0'), to: { ip: '192.168.10.7' }, port: 10250 };
    const node = {
      name: 'ip-192-168-10-7',
      labels: { 'kubernetes.io/os': 'linux' },
      addresses: ['192.168.10.7'],
    };

    expect(createEvaluator(scenario(FILES, edit)).evaluate(query).verdict).toBe('unknown');
    expect(createEvaluator({ ...scenario(FILES, edit), nodes: [node] }).evaluate(query).verdict).toBe(
      'allow',
    );
    expect(createEvaluator({ ...scenario(FILES, edit), nodes: [] }).evaluate(query).verdict).toBe('deny');
  });
});
