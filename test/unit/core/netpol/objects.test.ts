import { describe, expect, it } from 'vitest';
import { parseManifests } from '#core/manifests/load.ts';
import { createEvaluator } from '#core/netpol/evaluate.ts';
import { clusterFromObjects } from '#core/netpol/objects.ts';
import { readFixtureText } from '#test/support/fixtures.ts';
import { fixtureObjects, type KubeJson } from './conformance-scenario.ts';

/** A real manifest pair (pod + policy) from the public manifest corpus. */
function manifestObjects(name: string): Record<string, unknown>[] {
  const { objects, errors } = parseManifests(readFixtureText(`corpus/public/manifests/${name}`), name);
  expect(errors).toEqual([]);
  return objects.map((o) => structuredClone(o.object) as Record<string, unknown>);
}

describe('Kubernetes objects to evaluator input', () => {
  it('reads pods and policies from manifests, defaulting the namespace as kubectl does', () => {
    const { cluster, problems } = clusterFromObjects(manifestObjects('m23.yaml'));

    expect(problems).toEqual([]);
    expect(cluster.pods).toEqual([
      {
        namespace: 'default',
        name: 'test-pod',
        labels: { security: 'medium' },
        ports: [{ containerPort: 80, protocol: 'TCP' }],
      },
    ]);
    expect(cluster.policies.map((p) => `${p.metadata.namespace}/${p.metadata.name}`)).toEqual([
      'default/test',
    ]);
  });

  it('gives namespaces that are referenced but not declared their name label', () => {
    const { cluster } = clusterFromObjects(manifestObjects('m23.yaml'));

    expect(cluster.namespaces).toEqual([
      { name: 'default', labels: { 'kubernetes.io/metadata.name': 'default' } },
    ]);
  });

  it('sets the name label on declared namespaces, whatever the manifest says', () => {
    const { cluster } = clusterFromObjects([
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'shop', labels: { team: 'a', 'kubernetes.io/metadata.name': 'x' } },
      },
    ]);

    expect(cluster.namespaces).toEqual([
      { name: 'shop', labels: { team: 'a', 'kubernetes.io/metadata.name': 'shop' } },
    ]);
  });

  it('takes the pod IP from status.podIP and named ports from containers and sidecars', () => {
    const [podObject] = manifestObjects('m23.yaml');
    const spec = podObject?.spec as { containers: Record<string, unknown>[]; initContainers?: unknown[] };
    spec.containers[0] = { ...spec.containers[0], ports: [{ name: 'http', containerPort: 80 }] };
    spec.initContainers = [
      {
        name: 'proxy',
        image: 'envoy',
        restartPolicy: 'Always',
        ports: [{ name: 'admin', containerPort: 9901 }],
      },
      { name: 'migrate', image: 'migrate', ports: [{ name: 'ignored', containerPort: 1 }] },
    ];

    const { cluster } = clusterFromObjects([{ ...podObject, status: { podIP: '10.8.0.10' } }]);

    expect(cluster.pods[0]).toMatchObject({
      ip: '10.8.0.10',
      ports: [
        { name: 'http', containerPort: 80, protocol: 'TCP' },
        { name: 'admin', containerPort: 9901, protocol: 'TCP' },
      ],
    });
  });

  it('evaluates the manifest pair: the pod accepts TCP 8080 from anywhere and nothing else', () => {
    const objects = manifestObjects('m23.yaml');
    const [podObject] = objects;
    const { cluster } = clusterFromObjects([
      { ...podObject, status: { podIP: '10.8.0.10' } },
      ...objects.slice(1),
    ]);
    const evaluator = createEvaluator(cluster);

    expect(
      evaluator.evaluate({ from: { ip: '203.0.113.1' }, to: { pod: 'default/test-pod' }, port: 8080 })
        .verdict,
    ).toBe('allow');
    expect(
      evaluator.evaluate({ from: { ip: '203.0.113.1' }, to: { pod: 'default/test-pod' }, port: 80 }).verdict,
    ).toBe('deny');
    expect(
      evaluator.evaluate({ from: { pod: 'default/test-pod' }, to: { ip: '203.0.113.1' }, port: 80 }).verdict,
    ).toBe('deny');
  });

  it('reports a malformed policy with the field at fault and keeps the rest', () => {
    const [podObject, policyObject] = manifestObjects('m23.yaml');
    const broken = { ...policyObject, spec: { podSelector: {}, ingress: { from: [] } } };

    const { cluster, problems } = clusterFromObjects([podObject, broken]);

    expect(cluster.pods).toHaveLength(1);
    expect(cluster.policies).toEqual([]);
    expect(problems).toEqual([
      {
        object: 'NetworkPolicy default/test',
        reason: expect.stringMatching(/^spec\.ingress: /),
        unevaluated: true,
      },
    ]);
    expect(cluster.unevaluated).toEqual([
      {
        kind: 'NetworkPolicy',
        apiVersion: 'networking.k8s.io/v1',
        namespace: 'default',
        name: 'test',
        reason: expect.stringMatching(/^spec\.ingress: /),
        object: broken,
      },
    ]);
  });

  it('refuses a misspelt key inside a rule rather than reading the rule as "from anyone"', () => {
    const [podObject, policyObject] = manifestObjects('m23.yaml');
    const misspelt = {
      ...policyObject,
      spec: { podSelector: {}, ingress: [{ form: [{ podSelector: { matchLabels: { app: 'x' } } }] }] },
    };

    const { cluster, problems } = clusterFromObjects([podObject, misspelt]);

    expect(cluster.policies).toEqual([]);
    expect(problems[0]?.reason).toMatch(/^spec\.ingress\[0\]: Unrecognized key: "form"/);
  });

  it('keeps a policy that does not compile as not evaluated, saying why', () => {
    const [podObject, policyObject] = manifestObjects('m23.yaml');
    const badCidr = {
      ...policyObject,
      spec: { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/33' } }] }] },
    };

    const { cluster, problems } = clusterFromObjects([podObject, badCidr]);

    expect(cluster.policies).toEqual([]);
    expect(problems).toEqual([
      {
        object: 'NetworkPolicy default/test',
        reason:
          'default/test spec.ingress[0].from[0].ipBlock.cidr is "0.0.0.0/33", not a CIDR; write it like 10.0.0.0/8 or 2001:db8::/32',
        unevaluated: true,
      },
    ]);
    expect(cluster.unevaluated?.map((u) => `${u.kind} ${u.namespace}/${u.name}`)).toEqual([
      'NetworkPolicy default/test',
    ]);
  });

  it('ignores kinds the evaluator does not need', () => {
    const { cluster, problems } = clusterFromObjects([
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' } },
      'not an object',
    ]);

    expect(problems).toEqual([]);
    expect(cluster).toEqual({ pods: [], namespaces: [], policies: [] });
  });
});

describe('admin, baseline and engine policy objects', () => {
  it('reads AdminNetworkPolicies and the BaselineAdminNetworkPolicy of the upstream conformance suite', () => {
    const { cluster, problems } = clusterFromObjects(fixtureObjects('standard-anp-np-banp.yaml'));

    expect(problems).toEqual([]);
    expect(cluster.adminPolicies?.map((p) => [p.metadata.name, p.spec.priority])).toEqual([
      ['pass-example', 10],
    ]);
    expect(cluster.baselinePolicies?.map((p) => p.metadata.name)).toEqual(['default']);
    expect(cluster.policies.map((p) => p.metadata.name)).toEqual([
      'allow-gress-from-to-slytherin-to-gryffindor',
    ]);
  });

  it.each([
    ['a priority out of range', { priority: 1001 }, 'spec.priority is 1001; use an integer from 0 to 1000'],
    ['a field this code does not know', { tier: 'Admin' }, 'spec: Unrecognized key: "tier"'],
    [
      'a peer with two fields',
      {
        ingress: [
          { action: 'Deny', from: [{ namespaces: {}, pods: { namespaceSelector: {}, podSelector: {} } }] },
        ],
      },
      'spec.ingress[0].from[0] must set exactly one peer field (it sets namespaces, pods)',
    ],
    [
      'a networks CIDR with leading zeros (the CRD validates it with CEL isCIDR)',
      { egress: [{ action: 'Allow', to: [{ networks: ['010.0.0.0/8'] }] }] },
      'spec.egress[0].to[0].networks[0] is "010.0.0.0/8", not a CIDR; write it like 10.0.0.0/8 or fd00::/8',
    ],
  ])('keeps an AdminNetworkPolicy with %s as not evaluated, saying why', (_what, change, reason) => {
    const [anp] = fixtureObjects('anp-standard-priority-field.yaml') as [KubeJson];
    const edited = { ...anp, spec: { ...(anp.spec as object), ...change } };

    const { cluster, problems } = clusterFromObjects([edited]);

    expect(cluster.adminPolicies).toBeUndefined();
    expect(problems).toEqual([
      { object: 'AdminNetworkPolicy priority-50-example', reason, unevaluated: true },
    ]);
    expect(cluster.unevaluated?.[0]).toMatchObject({
      kind: 'AdminNetworkPolicy',
      name: 'priority-50-example',
      reason,
    });
  });

  it('keeps a BaselineAdminNetworkPolicy not named default as not evaluated (the API server admits only default)', () => {
    const [banp] = fixtureObjects('banp-standard-ingress-tcp-rules.yaml') as [KubeJson];

    const { problems } = clusterFromObjects([{ ...banp, metadata: { name: 'baseline' } }]);

    expect(problems).toEqual([
      {
        object: 'BaselineAdminNetworkPolicy baseline',
        unevaluated: true,
        reason: 'the API server admits only the BaselineAdminNetworkPolicy named "default"; rename it',
      },
    ]);
  });

  it('keeps Calico and Cilium policies as not evaluated, without calling them malformed', () => {
    const { cluster, problems } = clusterFromObjects(fixtureObjects('engine-policies.yaml'));

    expect(problems).toEqual([]);
    expect(cluster.policies).toEqual([]);
    expect(cluster.unevaluated?.map((u) => [u.kind, u.apiVersion, u.namespace, u.name])).toEqual([
      ['NetworkPolicy', 'projectcalico.org/v3', 'production', 'allow-tcp-6379'],
      ['GlobalNetworkPolicy', 'projectcalico.org/v3', undefined, 'allow-tcp-6379'],
      ['CiliumNetworkPolicy', 'cilium.io/v2', 'default', 'rule1'],
    ]);
  });

  it('reads nodes with their addresses, for AdminNetworkPolicy nodes peers', () => {
    const node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'ip-10-0-1-23.eu-west-1.compute.internal', labels: { 'kubernetes.io/os': 'linux' } },
      status: {
        addresses: [
          { type: 'InternalIP', address: '10.0.1.23' },
          { type: 'Hostname', address: 'ip-10-0-1-23.eu-west-1.compute.internal' },
        ],
      },
    };

    expect(clusterFromObjects([node]).cluster.nodes).toEqual([
      {
        name: 'ip-10-0-1-23.eu-west-1.compute.internal',
        labels: { 'kubernetes.io/os': 'linux' },
        addresses: ['10.0.1.23', 'ip-10-0-1-23.eu-west-1.compute.internal'],
      },
    ]);
    expect(clusterFromObjects([]).cluster.nodes).toBeUndefined();
  });
});
