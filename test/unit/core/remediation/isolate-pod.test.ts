import { describe, expect, it } from 'vitest';
import type { PreflightResult, RemediationPlan } from '#core/remediation/action.ts';
import { type IsolatePodRequest, isolatePod } from '#core/remediation/isolate-pod.ts';
import type { KubeObject } from '#core/remediation/kube-objects.ts';
import { QUARANTINE_LABEL } from '#core/remediation/quarantine.ts';
import { InMemoryKube } from '#test/support/in-memory-kube.ts';
import { actionContext, awsNode, NODE, SUSPECT, shopCluster } from '#test/support/remediation-cluster.ts';

/**
 * Isolate pod, planning only: what the plan detaches, creates, warns about and expects, across the
 * owners a pod can have. End-to-end execution is covered in test/integration/isolate-pod.test.ts.
 */

const REQUEST: IsolatePodRequest = { namespace: 'shop', pod: SUSPECT, quarantineId: 'q1' };

function cluster(edit: (objects: KubeObject[]) => KubeObject[] = (o) => o): InMemoryKube {
  return new InMemoryKube(edit(shopCluster()));
}

/** The shop cluster with the suspect pod replaced by `change(pod)`. */
function withSuspect(change: (pod: KubeObject) => KubeObject, extra: KubeObject[] = []): InMemoryKube {
  return cluster((objects) => [
    ...objects.map((o) => (o.metadata.name === SUSPECT ? change(o) : o)),
    ...extra,
  ]);
}

async function preflight(
  kube: InMemoryKube,
  request: Partial<IsolatePodRequest> = {},
): Promise<PreflightResult> {
  return isolatePod.preflight({ ...REQUEST, ...request }, actionContext(kube));
}

async function plan(kube: InMemoryKube, request: Partial<IsolatePodRequest> = {}): Promise<RemediationPlan> {
  const result = await preflight(kube, request);
  if (result.status !== 'ready') throw new Error(`expected a plan, got: ${result.reason}`);
  return result.plan;
}

function ownedBy(kind: string, name: string, labels: Record<string, string>) {
  return (pod: KubeObject): KubeObject => ({
    ...pod,
    metadata: {
      ...pod.metadata,
      labels,
      ownerReferences: [
        {
          apiVersion: kind === 'Job' ? 'batch/v1' : 'apps/v1',
          kind,
          name,
          uid: `uid-${name}`,
          controller: true,
        },
      ],
    },
  });
}

function controller(
  kind: string,
  name: string,
  selector: Record<string, string>,
  extra: object = {},
): KubeObject {
  return {
    apiVersion: kind === 'Job' ? 'batch/v1' : 'apps/v1',
    kind,
    metadata: { name, namespace: 'shop', uid: `uid-${name}` },
    spec: { selector: { matchLabels: selector }, ...extra },
  };
}

function detachPatch(isolation: RemediationPlan): unknown {
  return isolation.steps.find((s) => s.op === 'patch' && s.patchType === 'json');
}

describe('isolate pod: what the plan detaches', () => {
  it('removes the ReplicaSet and Service selector labels, keeps the others, and tests them first', async () => {
    const isolation = await plan(cluster());

    expect(detachPatch(isolation)).toMatchObject({
      body: [
        { op: 'test', path: '/metadata/uid', value: 'b1f0c6a2-5d1e-4c3b-9a8e-0f1e2d3c4b5a' },
        { op: 'test', path: `/metadata/labels/kubeguard.io~1quarantine`, value: 'q1' },
        { op: 'test', path: '/metadata/labels/app', value: 'web' },
        { op: 'test', path: '/metadata/labels/pod-template-hash', value: '5cdcc99dbf' },
        { op: 'remove', path: '/metadata/labels/app' },
        { op: 'remove', path: '/metadata/labels/pod-template-hash' },
      ],
      why: 'detach the pod from Service web, ReplicaSet web-5cdcc99dbf by removing app, pod-template-hash',
    });
  });

  it('explains that a StatefulSet cannot replace the pod while it exists under its name', async () => {
    const kube = withSuspect(
      ownedBy('StatefulSet', 'ledger', { app: 'ledger', 'apps.kubernetes.io/pod-index': '0' }),
      [controller('StatefulSet', 'ledger', { app: 'ledger' }, { replicas: 2 })],
    );

    const isolation = await plan(kube);

    expect(isolation.effects).toContain(
      `StatefulSet ledger releases the pod but cannot create a replacement named ${SUSPECT} while this pod exists: that replica stays unavailable until the isolated pod is deleted`,
    );
    expect(isolation.effects).toContain('StatefulSet shop/ledger: 2 replicas, 0 ready');
  });

  it('explains that a DaemonSet starts its replacement on the same node', async () => {
    const kube = withSuspect(ownedBy('DaemonSet', 'agent', { name: 'agent' }), [
      controller('DaemonSet', 'agent', { name: 'agent' }),
    ]);

    const isolation = await plan(kube);

    expect(isolation.effects).toContain(
      `DaemonSet agent releases the pod and starts a replacement on the same node ${NODE}`,
    );
  });

  it('detaches a Job pod from its Job by the controller-uid selector', async () => {
    const labels = {
      'batch.kubernetes.io/controller-uid': 'uid-nightly',
      'batch.kubernetes.io/job-name': 'nightly',
    };
    const kube = withSuspect(ownedBy('Job', 'nightly', labels), [
      controller('Job', 'nightly', { 'batch.kubernetes.io/controller-uid': 'uid-nightly' }),
    ]);

    const isolation = await plan(kube);

    expect(isolation.effects).toContain('owner chain: Job nightly');
    expect(isolation.state.detachedLabels).toEqual({ 'batch.kubernetes.io/controller-uid': 'uid-nightly' });
  });

  it('names an owner kubeguard does not read instead of guessing how it replaces pods', async () => {
    const kube = withSuspect((pod) => ({
      ...ownedBy('Rollout', 'canary', { app: 'web' })(pod),
      metadata: {
        ...pod.metadata,
        labels: { app: 'web' },
        ownerReferences: [
          { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'canary', uid: 'u', controller: true },
        ],
      },
    }));

    const isolation = await plan(kube);

    expect(isolation.effects).toContain('owner chain: Rollout canary (not read)');
    expect(isolation.effects).toContain(
      'its controller Rollout canary is not read by kubeguard: check whether it replaces the pod',
    );
  });

  it('keeps every workload label with detach off, and expects the workload policy to still apply', async () => {
    const isolation = await plan(cluster(), { detach: false });

    expect(isolation.steps.map((s) => s.op)).toEqual(['patch', 'create']);
    expect(isolation.warnings).toContain(
      'detach is off: Services still route to the pod and the policies that select its workload labels still apply (see the expected result)',
    );
    expect(isolation.effects.at(-1)).toBe(
      'expected after isolation: partial: shop/web-from-frontend still allows ingress from pods role=frontend in namespace shop (today: shop/storefront-0) on TCP/8080 (http)',
    );
  });
});

describe('isolate pod: the quarantine policy', () => {
  it('denies all ingress and egress of the quarantine label, with no rules', async () => {
    const isolation = await plan(cluster());

    expect(isolation.steps[1]).toMatchObject({
      op: 'create',
      object: {
        kind: 'NetworkPolicy',
        metadata: {
          name: 'kubeguard-quarantine-q1',
          namespace: 'shop',
          labels: { 'app.kubernetes.io/managed-by': 'kubeguard' },
        },
        spec: {
          podSelector: { matchLabels: { [QUARANTINE_LABEL]: 'q1' } },
          policyTypes: ['Ingress', 'Egress'],
        },
      },
    });
    expect(isolation.steps[1]).not.toHaveProperty('object.spec.egress');
  });

  it('allows DNS to kube-dns only when asked, and expects that allowance to show', async () => {
    const isolation = await plan(cluster(), { allowDns: true });

    expect(isolation.effects.at(-1)).toBe(
      'expected after isolation: partial: shop/kubeguard-quarantine-q1 still allows egress to pods k8s-app=kube-dns in namespaces kubernetes.io/metadata.name=kube-system (today: kube-system/coredns-6d4b75cb6d-8kx2q) on UDP/53, TCP/53',
    );
  });

  it('labels and records in one strategic merge patch, bound to the pod as planned, before creating the policy', async () => {
    const kube = cluster();
    const planned = kube.find('Pod', 'shop', SUSPECT);
    const isolation = await plan(kube);

    expect(isolation.steps[0]).toMatchObject({
      op: 'patch',
      kind: 'Pod',
      patchType: 'strategic-merge',
      body: {
        metadata: {
          uid: 'b1f0c6a2-5d1e-4c3b-9a8e-0f1e2d3c4b5a',
          resourceVersion: planned?.metadata.resourceVersion,
          labels: { [QUARANTINE_LABEL]: 'q1' },
          annotations: { 'kubeguard.io/quarantine': expect.any(String) },
        },
      },
    });
  });

  it('plans a forensic capture under a bundle id unique to this plan', async () => {
    const isolation = await plan(cluster());

    expect(isolation.evidence?.bundleId).toBe(`pods/shop/${SUSPECT}/20240501t100000z-q1`);
    expect(isolation.evidence?.captures).toHaveLength(8);
  });
});

describe('isolate pod: warnings', () => {
  it('warns that the VPC CNI may not enforce policies on the pod once its controller releases it', async () => {
    const isolation = await plan(cluster());

    expect(isolation.warnings).toContain(
      'the EKS documentation says VPC CNI network policies do not apply to pods without metadata.ownerReferences, and a detached pod loses its ownerReference when its controller releases it: confirm with a connection test, or isolate with detach off',
    );
  });

  it('does not raise the VPC CNI caveat when Calico enforces policies', async () => {
    const calico: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'calico-node', namespace: 'calico-system' },
    };
    const kube = cluster((objects) => [
      ...objects.filter((o) => o.metadata.name !== 'aws-node'),
      awsNode(false),
      calico,
    ]);

    const isolation = await plan(kube);

    expect(isolation.warnings).toEqual([]);
  });

  it('warns when the budget allows no disruption', async () => {
    const kube = cluster((objects) =>
      objects.map((o) =>
        o.kind === 'PodDisruptionBudget'
          ? { ...o, status: { currentHealthy: 2, expectedPods: 3, disruptionsAllowed: 0 } }
          : o,
      ),
    );

    const isolation = await plan(kube);

    expect(isolation.warnings).toContain(
      'web allow no disruption now: detaching the pod takes the workload below its budget until the replacement is ready',
    );
  });

  it('warns that Fargate does not enforce NetworkPolicy with the VPC CNI', async () => {
    const kube = withSuspect((pod) => ({
      ...pod,
      spec: { ...(pod.spec as object), nodeName: 'fargate-ip-10-0-3-7.eu-west-1.compute.internal' },
    }));

    const isolation = await plan(kube);

    expect(isolation.warnings).toContain(
      'the pod runs on Fargate, where the VPC CNI does not enforce NetworkPolicy: use a CNI that does, or delete the pod after capture',
    );
  });
});

describe('isolate pod: refusals', () => {
  it('skips a pod labelled for quarantine by hand, without kubeguard record', async () => {
    const kube = withSuspect((pod) => ({
      ...pod,
      metadata: { ...pod.metadata, labels: { [QUARANTINE_LABEL]: 'manual' } },
    }));

    const result = await preflight(kube);

    expect(result).toMatchObject({ status: 'skipped', facts: { quarantineLabel: 'manual' } });
  });

  it('refuses a tampered quarantine record, naming the value', async () => {
    const kube = withSuspect((pod) => ({
      ...pod,
      metadata: { ...pod.metadata, annotations: { 'kubeguard.io/quarantine': '{"id":"<script>"}' } },
    }));

    await expect(preflight(kube)).rejects.toMatchObject({
      code: 'PRECONDITION_FAILED',
      message: expect.stringContaining('{"id":"<script>"}'),
    });
  });

  it.each([
    [{ quarantineId: 'Q1' }, 'quarantine id "Q1" is not usable'],
    [{ quarantineId: 'x'.repeat(41) }, 'is not usable'],
    [{ pod: '../etc' }, 'pod "../etc" is not a Kubernetes name'],
    [{ namespace: '' }, 'namespace "" is not a Kubernetes name'],
  ])('rejects the request %o before reading the cluster', async (change, message) => {
    const kube = cluster();

    await expect(preflight(kube, change)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining(message),
    });
  });

  it('fails the preflight (does not skip) when the bot may not read the pod', async () => {
    const kube = cluster();
    kube.fail('get Pod', 403, 'Forbidden');

    await expect(preflight(kube)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('isolate pod: execution with a failing capture read', () => {
  it('stores the bundle with the unreadable logs listed as missing and goes on', async () => {
    const kube = cluster();
    const context = actionContext(kube);
    const isolation = await plan(kube);
    kube.fail('podLog Pod', 403, 'Forbidden');

    const outcome = await isolatePod.execute(isolation, context);

    expect(outcome.status).toBe('done');
    expect(kube.writes.map((w) => `${w.op} ${w.kind}`)).toEqual([
      'patch Pod',
      'create NetworkPolicy',
      'patch Pod',
    ]);
  });
});
