import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKubeClient } from '#adapters/kubernetes/client.ts';
import type { ActionContext, PlannedStep, RemediationPlan } from '#core/remediation/action.ts';
import { sha256Hex } from '#core/remediation/forensics.ts';
import { isolatePod } from '#core/remediation/isolate-pod.ts';
import { KUBE_KINDS, type KubeObject } from '#core/remediation/kube-objects.ts';
import { guardOf } from '#core/remediation/plan-guard.ts';
import { PATCH_CONTENT_TYPES } from '#core/remediation/ports.ts';
import {
  QUARANTINE_ANNOTATION,
  QUARANTINE_LABEL,
  RELEASED_ANNOTATION,
} from '#core/remediation/quarantine.ts';
import { requiredRbacRules } from '#core/remediation/registry.ts';
import { releasePod } from '#core/remediation/release-pod.ts';
import { runAction } from '#core/remediation/run.ts';
import { KubeApiDouble, type RecordedRequest } from '#test/support/kube-api-double.ts';
import {
  actionContext,
  awsNode,
  dnsEgressPolicy,
  fixturePod,
  InMemoryEvidenceStore,
  NODE,
  SUSPECT,
  shopCluster,
} from '#test/support/remediation-cluster.ts';

/**
 * Isolate and release a pod end to end: core actions → client-node adapter → a Kubernetes API
 * double on loopback. The plan shown before confirmation must be exactly what execute sends.
 */

let api: KubeApiDouble;
let evidence: InMemoryEvidenceStore;
let context: ActionContext;

async function start(objects: KubeObject[]): Promise<void> {
  api = await new KubeApiDouble({ objects, now: () => '2024-05-01T10:00:00Z' }).start();
  grantBotRole();
  const config = new KubeConfig();
  config.loadFromOptions(api.kubeConfigOptions());
  evidence = new InMemoryEvidenceStore();
  context = actionContext(createKubeClient({ kubeConfig: config }), evidence);
}

afterEach(async () => {
  await api.stop();
});

/** The bot's ClusterRole, as the API server enforces it: a call the actions do not declare gets 403. */
function grantBotRole(): void {
  api.allowOnly(
    requiredRbacRules().flatMap((rule) => rule.verbs.map((verb) => ({ verb, resource: rule.resource }))),
  );
}

const request = { namespace: 'shop', pod: SUSPECT, quarantineId: 'q7f3a9' };

async function plan(action = isolatePod, input: object = request): Promise<RemediationPlan> {
  const preflight = await action.preflight(input as typeof request, context);
  if (preflight.status !== 'ready') throw new Error(`expected a plan, got: ${preflight.reason}`);
  return preflight.plan;
}

/** The request a step must produce on the wire. */
function wireOf(step: PlannedStep): Pick<RecordedRequest, 'method' | 'path' | 'contentType' | 'body'> {
  const target =
    step.op === 'create'
      ? step.object
      : { kind: step.kind, metadata: { name: step.name, namespace: step.namespace } };
  const kind = KUBE_KINDS[target.kind as keyof typeof KUBE_KINDS];
  const root = kind.apiVersion.includes('/') ? `/apis/${kind.apiVersion}` : `/api/${kind.apiVersion}`;
  const scope = target.metadata.namespace ? `/namespaces/${target.metadata.namespace}` : '';
  const collection = `${root}${scope}/${kind.resource}`;
  switch (step.op) {
    case 'create':
      return { method: 'POST', path: collection, contentType: 'application/json', body: step.object };
    case 'patch':
      return {
        method: 'PATCH',
        path: `${collection}/${step.name}`,
        contentType: PATCH_CONTENT_TYPES[step.patchType],
        body: step.body,
      };
    case 'delete':
      return {
        method: 'DELETE',
        path: `${collection}/${step.name}`,
        contentType: 'application/json',
        body: step.preconditions ? { preconditions: step.preconditions } : {},
      };
  }
}

function writesOnTheWire() {
  return api.writes().map(({ method, path, contentType, body }) => ({ method, path, contentType, body }));
}

function pod(): KubeObject {
  return api.object('pods', 'shop', SUSPECT) as KubeObject;
}

describe('isolate pod against the Kubernetes API double', () => {
  beforeEach(async () => {
    await start(shopCluster());
  });

  it('sends exactly the writes of its plan, one to one and in order', async () => {
    const isolation = await plan();

    const outcome = await isolatePod.execute(isolation, context);

    expect(outcome.status).toBe('done');
    expect(isolation.steps.map((s) => s.op)).toEqual(['patch', 'create', 'patch']);
    expect(writesOnTheWire()).toEqual(isolation.steps.map(wireOf));
    expect(api.writes().every((r) => r.status < 300)).toBe(true);
  });

  it('makes no write while planning', async () => {
    await plan();

    expect(api.writes()).toEqual([]);
  });

  it('stores the forensic bundle before the first write', async () => {
    const writesWhenStored: number[] = [];
    evidence.beforeStore = () => writesWhenStored.push(api.writes().length);

    await runAction(isolatePod, request, context);

    expect(writesWhenStored).toEqual([0]);
    expect(evidence.bundles).toHaveLength(1);
  });

  it('quarantines with a unique label, detaches from the workload and records what it removed', async () => {
    await runAction(isolatePod, request, context);

    const { labels, annotations } = pod().metadata;
    expect(labels).toEqual({ tier: 'frontend', [QUARANTINE_LABEL]: 'q7f3a9' });
    expect(JSON.parse(annotations?.[QUARANTINE_ANNOTATION] ?? '{}')).toEqual({
      id: 'q7f3a9',
      policy: 'kubeguard-quarantine-q7f3a9',
      detachedLabels: { app: 'web', 'pod-template-hash': '5cdcc99dbf' },
      evidence: `pods/shop/${SUSPECT}/20240501t100000z-q7f3a9`,
      at: '2024-05-01T10:00:00Z',
      by: 'slack:U024BE7LH',
    });
    expect(api.object('networkpolicies', 'shop', 'kubeguard-quarantine-q7f3a9')?.spec).toEqual({
      podSelector: { matchLabels: { [QUARANTINE_LABEL]: 'q7f3a9' } },
      policyTypes: ['Ingress', 'Egress'],
    });
  });

  it('reports isolation complete when no other policy selects the detached pod', async () => {
    const outcome = await runAction(isolatePod, request, context);

    expect(outcome.status === 'done' && outcome.verification).toMatchObject({
      complete: true,
      summary: 'isolation complete',
    });
  });

  it('plans the detachment from the Service and the ReplicaSet, with replicas and budget impact', async () => {
    const isolation = await plan();

    expect(isolation.effects).toEqual(
      expect.arrayContaining([
        'owner chain: ReplicaSet web-5cdcc99dbf → Deployment web',
        'Deployment shop/web: 3 replicas, 3 ready',
        'ReplicaSet web-5cdcc99dbf releases the pod and creates a replacement, so the workload keeps its replica count',
        'Services web stop routing to the pod',
        'PodDisruptionBudget shop/web (minAvailable 2; healthy 3 of 3 expected; 1 disruption allowed): the pod stops counting toward it until a replacement is ready; isolation evicts nothing, so the budget does not block it',
        'expected after isolation: isolation complete',
      ]),
    );
  });
});

describe('isolate pod: forensic bundle', () => {
  beforeEach(async () => {
    await start(shopCluster());
    api.setLog('shop', SUSPECT, 'nginx', 'GET /healthz 200\ncurl http://169.254.169.254/latest/meta-data/\n');
    api.setLog('shop', SUSPECT, 'nginx', 'segfault before restart\n', { previous: true });
    api.setLog('shop', SUSPECT, 'migrate', 'migrated 3 tables\n');
    await runAction(isolatePod, request, context);
  });

  function bundle() {
    const [stored] = evidence.bundles;
    if (stored === undefined) throw new Error('no bundle stored');
    return stored;
  }

  function file(path: string): string {
    const found = bundle().files.find((f) => f.path === path);
    if (found === undefined) throw new Error(`no ${path} in the bundle`);
    return found.content;
  }

  it('holds the pod, owners, events, logs, service account, RBAC, mounted names, node and policies', () => {
    expect(bundle().files.map((f) => f.path)).toEqual([
      'pod.json',
      'owners.json',
      'events.json',
      'logs/migrate.log',
      'logs/nginx.log',
      'logs/nginx.previous.log',
      'service-account.json',
      'rbac.json',
      'mounted-names.json',
      'node.json',
      'network-policies.json',
    ]);
    expect(JSON.parse(file('pod.json')).metadata.labels).toEqual({
      app: 'web',
      'pod-template-hash': '5cdcc99dbf',
      tier: 'frontend',
    });
    expect(JSON.parse(file('events.json')).map((e: KubeObject) => e.metadata.name)).toEqual([
      `${SUSPECT}.17c1`,
    ]);
    expect(file('logs/nginx.previous.log')).toBe('segfault before restart\n');
    expect(JSON.parse(file('node.json')).metadata.name).toBe(NODE);
  });

  it('lists a SHA-256 for every file and records the missing previous log as missing, not as an error', () => {
    const { manifest } = bundle();

    expect(manifest.files.map((f) => f.sha256)).toEqual(bundle().files.map((f) => sha256Hex(f.content)));
    expect(manifest.missing).toEqual([
      { item: 'logs/migrate.previous.log', reason: 'no previous instance (the container has not restarted)' },
    ]);
    expect(manifest.target).toEqual({
      kind: 'Pod',
      namespace: 'shop',
      name: SUSPECT,
      uid: pod().metadata.uid,
    });
  });

  it('names the Secrets and ConfigMaps the pod uses without ever reading them', () => {
    expect(JSON.parse(file('mounted-names.json'))).toEqual({
      secrets: [
        { name: 'default-token-g2sp7', usedBy: ['volume default-token-g2sp7'] },
        { name: 'web-tls', usedBy: ['volume tls'] },
        { name: 'web-db', usedBy: ['env DB_PASSWORD of container nginx (key password)'] },
      ],
      configMaps: [
        { name: 'web-settings', usedBy: ['volume settings'] },
        { name: 'web-env', usedBy: ['envFrom of container nginx'] },
      ],
    });
    expect(api.requests.filter((r) => r.resource === 'secrets' || r.resource === 'configmaps')).toEqual([]);
    expect(bundle().files.some((f) => f.content.includes('hunter2'))).toBe(false);
  });

  it('captures the RBAC rules bound to the service account, directly and through its groups', () => {
    expect(JSON.parse(file('rbac.json'))).toEqual([
      {
        binding: { kind: 'RoleBinding', namespace: 'shop', name: 'web-config-reader' },
        subject: 'ServiceAccount web',
        roleRef: { kind: 'Role', name: 'config-reader' },
        rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }],
      },
      {
        binding: { kind: 'ClusterRoleBinding', name: 'all-sa-discovery' },
        subject: 'Group system:serviceaccounts',
        roleRef: { kind: 'ClusterRole', name: 'sa-discovery' },
        rules: [{ nonResourceURLs: ['/version'], verbs: ['get'] }],
      },
    ]);
  });
});

describe('isolate pod: honest verification', () => {
  it('reports partial isolation when a namespace-wide policy still allows egress', async () => {
    await start([...shopCluster(), dnsEgressPolicy()]);

    const outcome = await runAction(isolatePod, request, context);

    expect(outcome.status === 'done' && outcome.verification).toMatchObject({
      complete: false,
      summary:
        'partial: shop/allow-dns-egress still allows egress to all pods in namespaces kubernetes.io/metadata.name=kube-system (today: kube-system/coredns-6d4b75cb6d-8kx2q) on UDP/53',
    });
  });

  it('warns when no NetworkPolicy enforcement is visible, and says so in the verification', async () => {
    await start([...shopCluster().filter((o) => o.metadata.name !== 'aws-node'), awsNode(false)]);

    const isolation = await plan();
    const outcome = await isolatePod.execute(isolation, context);

    expect(isolation.warnings[0]).toMatch(
      /^no NetworkPolicy enforcement is visible \(aws-node runs without its network policy agent enabled; no calico-node; no cilium\)/,
    );
    expect(outcome.status === 'done' && outcome.verification.complete).toBe(false);
    expect(outcome.status === 'done' && outcome.verification.summary).toMatch(
      /^isolation complete; but no NetworkPolicy enforcement is visible/,
    );
  });

  it('trusts the AWS-side hint that the VPC CNI add-on enforces policies', async () => {
    await start([...shopCluster().filter((o) => o.metadata.name !== 'aws-node'), awsNode(false)]);

    const isolation = await plan(isolatePod, { ...request, enforcement: 'enabled' });

    expect(isolation.warnings.some((w) => w.startsWith('no NetworkPolicy enforcement'))).toBe(false);
  });
});

describe('isolate pod: what it refuses or reports', () => {
  it('refuses a hostNetwork pod and recommends cordoning its node', async () => {
    const hostPod = fixturePod('node-exporter-x1', 'shop', {
      spec: { ...(fixturePod('x', 'shop').spec as object), hostNetwork: true, nodeName: NODE },
    });
    await start([...shopCluster(), hostPod]);

    const outcome = await runAction(isolatePod, { ...request, pod: 'node-exporter-x1' }, context);

    expect(outcome).toMatchObject({
      status: 'skipped',
      reason:
        'Pod shop/node-exporter-x1 uses the host network: NetworkPolicy does not apply to hostNetwork pods, so a quarantine policy would isolate nothing',
      recommendation: `isolate the node instead: cordon node ${NODE} (kubeguard cordon-node) and restrict it at the EC2 security group level`,
    });
    expect(api.writes()).toEqual([]);
  });

  it('reports the existing quarantine when the pod is already isolated', async () => {
    await start(shopCluster());
    await runAction(isolatePod, request, context);
    const writes = api.writes().length;

    const again = await runAction(isolatePod, { ...request, quarantineId: 'other1' }, context);

    expect(again).toMatchObject({
      status: 'skipped',
      reason: `Pod shop/${SUSPECT} is already isolated: quarantine q7f3a9 since 2024-05-01T10:00:00Z by slack:U024BE7LH, policy kubeguard-quarantine-q7f3a9; now: isolation complete`,
    });
    expect(api.writes()).toHaveLength(writes);
  });

  it('skips a pod that no longer exists', async () => {
    await start(shopCluster());

    const outcome = await runAction(isolatePod, { ...request, pod: 'web-5cdcc99dbf-gone1' }, context);

    expect(outcome.status).toBe('skipped');
  });

  it('changes nothing when the forensic bundle cannot be stored', async () => {
    await start(shopCluster());
    evidence.failWith = new Error('bucket unreachable');

    const outcome = await runAction(isolatePod, request, context);

    expect(outcome).toMatchObject({
      status: 'failed',
      applied: [],
      error: { message: 'bucket unreachable' },
    });
    expect(api.writes()).toEqual([]);
  });
});

describe('isolate pod: a failure midway leaves a state release or a retry can finish', () => {
  beforeEach(async () => {
    await start([...shopCluster(), dnsEgressPolicy()]);
    api.forbid({ verb: 'create', resource: 'networkpolicies' });
  });

  it('stops at the forbidden policy create with the pod labelled and the record on it', async () => {
    const outcome = await runAction(isolatePod, request, context);

    expect(outcome.status).toBe('failed');
    if (outcome.status !== 'failed') return;
    expect(outcome.applied.map((a) => a.step.op)).toEqual(['patch']);
    expect(outcome.failedStep?.op).toBe('create');
    expect(outcome.error).toMatchObject({ code: 'FORBIDDEN', details: { status: 403, reason: 'Forbidden' } });
    expect(outcome.recovery).toContain('run isolate again to finish from the record, or release the pod');
    expect(pod().metadata.labels?.[QUARANTINE_LABEL]).toBe('q7f3a9');
    expect(pod().metadata.annotations?.[QUARANTINE_ANNOTATION]).toBeDefined();
    expect(pod().metadata.labels?.app).toBe('web');
  });

  it('finishes on retry from the record on the pod, with the same quarantine id', async () => {
    await runAction(isolatePod, request, context);
    api.allowAll();
    grantBotRole();
    const writesBefore = api.writes().length;

    const resumed = await plan(isolatePod, { ...request, quarantineId: 'retry2' });
    const outcome = await isolatePod.execute(resumed, context);

    expect(resumed.steps.map((s) => s.op)).toEqual(['create', 'patch']);
    expect(resumed.evidence).toBeUndefined();
    expect(writesOnTheWire().slice(writesBefore)).toEqual(resumed.steps.map(wireOf));
    expect(pod().metadata.labels).toEqual({ tier: 'frontend', [QUARANTINE_LABEL]: 'q7f3a9' });
    expect(outcome.status === 'done' && outcome.verification.summary).toMatch(
      /^partial: shop\/allow-dns-egress still allows egress/,
    );
  });

  it('is undone by release, which finds no policy to delete and restores the pod', async () => {
    await runAction(isolatePod, request, context);
    const writesBefore = api.writes().length;

    const release = await plan(releasePod, { namespace: 'shop', pod: SUSPECT });
    const outcome = await releasePod.execute(release, context);

    expect(release.steps.map((s) => s.op)).toEqual(['patch']);
    expect(writesOnTheWire().slice(writesBefore)).toEqual(release.steps.map(wireOf));
    expect(outcome).toMatchObject({
      status: 'done',
      verification: { complete: true, summary: 'quarantine q7f3a9 released' },
    });
    expect(pod().metadata.labels).toEqual({
      app: 'web',
      'pod-template-hash': '5cdcc99dbf',
      tier: 'frontend',
    });
  });
});

describe('release pod', () => {
  beforeEach(async () => {
    await start(shopCluster());
    await runAction(isolatePod, request, context);
  });

  it('sends exactly the writes of its plan: delete the policy, then restore the pod', async () => {
    const writesBefore = api.writes().length;
    const release = await plan(releasePod, { namespace: 'shop', pod: SUSPECT });

    const outcome = await releasePod.execute(release, context);

    expect(release.steps.map((s) => s.op)).toEqual(['delete', 'patch']);
    expect(writesOnTheWire().slice(writesBefore)).toEqual(release.steps.map(wireOf));
    expect(outcome.status).toBe('done');
  });

  it('restores the original labels, deletes the quarantine policy and records the release', async () => {
    await runAction(releasePod, { namespace: 'shop', pod: SUSPECT }, context);

    const { labels, annotations } = pod().metadata;
    expect(labels).toEqual({ app: 'web', 'pod-template-hash': '5cdcc99dbf', tier: 'frontend' });
    expect(annotations?.[QUARANTINE_ANNOTATION]).toBeUndefined();
    expect(JSON.parse(annotations?.[RELEASED_ANNOTATION] ?? '{}')).toEqual({
      id: 'q7f3a9',
      at: '2024-05-01T10:00:00Z',
      by: 'slack:U024BE7LH',
      evidence: `pods/shop/${SUSPECT}/20240501t100000z-q7f3a9`,
    });
    expect(api.object('networkpolicies', 'shop', 'kubeguard-quarantine-q7f3a9')).toBeUndefined();
  });

  it('names the Service that routes to the pod again', async () => {
    const release = await plan(releasePod, { namespace: 'shop', pod: SUSPECT });

    expect(release.effects).toContain('Services web route to the pod again');
  });

  it('skips a pod that is not quarantined', async () => {
    await runAction(releasePod, { namespace: 'shop', pod: SUSPECT }, context);

    const again = await runAction(releasePod, { namespace: 'shop', pod: SUSPECT }, context);

    expect(again).toMatchObject({
      status: 'skipped',
      reason: `Pod shop/${SUSPECT} is not quarantined (no kubeguard.io/quarantine record)`,
    });
  });

  it('deletes the leftover policy of a pod that is gone, given the quarantine id', async () => {
    api.removeObject('pods', 'shop', SUSPECT);

    const outcome = await runAction(
      releasePod,
      { namespace: 'shop', pod: SUSPECT, quarantineId: 'q7f3a9' },
      context,
    );

    expect(outcome).toMatchObject({ status: 'done', verification: { complete: true } });
    expect(api.object('networkpolicies', 'shop', 'kubeguard-quarantine-q7f3a9')).toBeUndefined();
  });

  it('refuses to patch a pod whose quarantine record changed since the plan', async () => {
    const release = await plan(releasePod, { namespace: 'shop', pod: SUSPECT });
    const current = pod();
    api.seed({
      ...current,
      metadata: { ...current.metadata, annotations: { [QUARANTINE_ANNOTATION]: '{"tampered":true}' } },
    });

    const outcome = await releasePod.execute(release, context);

    expect(outcome).toMatchObject({
      status: 'failed',
      error: { code: 'INVALID_ARGUMENT', details: { status: 422 } },
    });
    expect(pod().metadata.labels?.[QUARANTINE_LABEL]).toBe('q7f3a9');
  });
});

describe('isolate and release: bound to the pod the plan was made for', () => {
  const PLANNED_UID = 'b1f0c6a2-5d1e-4c3b-9a8e-0f1e2d3c4b5a';

  beforeEach(async () => {
    await start(shopCluster());
  });

  /** What a StatefulSet does: the pod is deleted and created again under the same name, with a new uid. */
  function recreatePod(): string {
    const { metadata: old, ...rest } = pod();
    const { uid: _uid, resourceVersion: _rv, annotations: _annotations, ...metadata } = old;
    api.removeObject('pods', 'shop', SUSPECT);
    const labels = { app: 'web', 'pod-template-hash': '5cdcc99dbf', tier: 'frontend' };
    return (api.seed({ ...rest, metadata: { ...metadata, labels } } as KubeObject) as KubeObject).metadata
      .uid as string;
  }

  it('refuses a pod recreated under the same name before the confirmation: nothing captured, nothing written', async () => {
    const isolation = await plan();
    const newUid = recreatePod();

    const outcome = await isolatePod.execute(isolation, context);

    expect(outcome).toMatchObject({
      status: 'failed',
      applied: [],
      error: {
        code: 'CONFLICT',
        message: `Pod shop/${SUSPECT} was replaced after the plan (uid ${PLANNED_UID} → ${newUid}); nothing was captured or written: plan the action again to act on the pod that exists now`,
      },
      recovery: 'nothing was changed or captured: plan the action again against the object that exists now',
    });
    expect(evidence.bundles).toEqual([]);
    expect(api.writes()).toEqual([]);
    expect(pod().metadata.labels).toEqual({
      app: 'web',
      'pod-template-hash': '5cdcc99dbf',
      tier: 'frontend',
    });
  });

  it('refuses the first patch on the wire when the pod is recreated after the capture', async () => {
    const isolation = await plan();
    let newUid = '';
    evidence.beforeStore = () => {
      newUid = recreatePod();
    };

    const outcome = await isolatePod.execute(isolation, context);

    expect(outcome).toMatchObject({
      status: 'failed',
      applied: [],
      failedStep: { op: 'patch', kind: 'Pod' },
      error: {
        code: 'CONFLICT',
        message: `Pod shop/${SUSPECT} was replaced after the plan (uid ${PLANNED_UID} → ${newUid}); nothing was written to it: plan the action again to act on the object that exists now`,
        details: { plannedUid: PLANNED_UID, currentUid: newUid },
      },
    });
    expect(api.writes().map((w) => [w.method, w.status])).toEqual([['PATCH', 409]]);
    expect(pod().metadata.labels?.[QUARANTINE_LABEL]).toBeUndefined();
    expect(api.object('networkpolicies', 'shop', 'kubeguard-quarantine-q7f3a9')).toBeUndefined();
  });

  it('refuses to record labels that changed since the plan, and says to plan again', async () => {
    const isolation = await plan();
    const planned = isolation.steps[0]?.op === 'patch' ? isolation.steps[0].body : undefined;
    const current = pod();
    const changed = api.seed({
      ...current,
      metadata: { ...current.metadata, labels: { app: 'web-canary', tier: 'frontend' } },
    }) as KubeObject;

    const outcome = await isolatePod.execute(isolation, context);

    const plannedVersion = (planned as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
    expect(outcome).toMatchObject({
      status: 'failed',
      applied: [],
      error: {
        code: 'CONFLICT',
        message: `Pod shop/${SUSPECT} changed after the plan (resourceVersion ${plannedVersion} → ${changed.metadata.resourceVersion}); the plan recorded its state as it was then, so nothing was written: plan the action again`,
      },
    });
    expect(pod().metadata.annotations?.[QUARANTINE_ANNOTATION]).toBeUndefined();
  });

  it('release refuses to restore labels onto a pod recreated since the plan', async () => {
    await runAction(isolatePod, request, context);
    const release = await plan(releasePod, { namespace: 'shop', pod: SUSPECT });
    const quarantined = pod().metadata.uid;
    const newUid = recreatePod();

    const outcome = await releasePod.execute(release, context);

    expect(outcome).toMatchObject({
      status: 'failed',
      failedStep: { op: 'patch', kind: 'Pod' },
      error: {
        code: 'CONFLICT',
        message: `Pod shop/${SUSPECT} was replaced after the plan (uid ${quarantined} → ${newUid}); nothing was written to it: plan the action again to act on the object that exists now`,
      },
    });
    expect(pod().metadata.annotations?.[RELEASED_ANNOTATION]).toBeUndefined();
  });

  it('carries the guard in the body the plan shows: what is confirmed is what is sent', async () => {
    const isolation = await plan();

    expect(isolation.steps.map((step) => (step.op === 'create' ? 'create' : guardOf(step)))).toEqual([
      { uid: PLANNED_UID, resourceVersion: pod().metadata.resourceVersion },
      'create',
      { uid: PLANNED_UID },
    ]);
  });
});

describe('isolate pod: reads only what it needs', () => {
  /** Every pod list the action sent: path and query. */
  function podLists() {
    return api.requests
      .filter((r) => r.verb === 'list' && r.resource === 'pods')
      .map((r) => ({ path: r.path, query: r.query }));
  }

  it('lists no pod at all when nothing but the quarantine policy selects the pod', async () => {
    await start(shopCluster());

    await runAction(isolatePod, request, context);

    expect(podLists()).toEqual([]);
  });

  it('lists the pods of only the namespaces a remaining allowance names, running ones only', async () => {
    await start([...shopCluster(), dnsEgressPolicy()]);

    await runAction(isolatePod, request, context);

    const kubeSystem = {
      path: '/api/v1/namespaces/kube-system/pods',
      query: expect.objectContaining({ fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed' }),
    };
    // planning, then verification: never /api/v1/pods (every namespace)
    expect(podLists()).toEqual([kubeSystem, kubeSystem]);
  });

  it('lists by the allowance’s pod selector in the policy’s own namespace', async () => {
    const fromFrontend: KubeObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'tier-from-frontend', namespace: 'shop' },
      spec: {
        podSelector: { matchLabels: { tier: 'frontend' } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ podSelector: { matchLabels: { role: 'frontend' } } }] }],
      },
    };
    await start([...shopCluster(), fromFrontend]);

    const outcome = await runAction(isolatePod, request, context);

    expect(podLists()[0]).toEqual({
      path: '/api/v1/namespaces/shop/pods',
      query: expect.objectContaining({ labelSelector: 'role=frontend' }),
    });
    expect(outcome.status === 'done' && outcome.verification.summary).toBe(
      'partial: shop/tier-from-frontend still allows ingress from pods role=frontend in namespace shop (today: shop/storefront-0) on any port and protocol',
    );
  });
});
