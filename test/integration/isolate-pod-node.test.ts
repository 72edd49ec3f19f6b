import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKubeClient } from '#adapters/kubernetes/client.ts';
import type { ActionContext, RemediationPlan } from '#core/remediation/action.ts';
import { CORDON_ANNOTATION, CORDON_LABEL, cordonNode, uncordonNode } from '#core/remediation/cordon-node.ts';
import { isolatePod } from '#core/remediation/isolate-pod.ts';
import type { KubeObject } from '#core/remediation/kube-objects.ts';
import { requiredRbacRules } from '#core/remediation/registry.ts';
import { runAction } from '#core/remediation/run.ts';
import { KubeApiDouble } from '#test/support/kube-api-double.ts';
import { actionContext, fixturePod, NODE, SUSPECT, shopCluster } from '#test/support/remediation-cluster.ts';

/**
 * Node isolation for findings on the host and for hostNetwork pods: cordon (unschedulable plus a
 * label, no drain) and its undo, against the Kubernetes API double with the bot's exact role.
 */

let api: KubeApiDouble;
let context: ActionContext;

async function start(objects: KubeObject[]): Promise<void> {
  api = await new KubeApiDouble({ objects }).start();
  api.allowOnly(
    requiredRbacRules().flatMap((rule) => rule.verbs.map((verb) => ({ verb, resource: rule.resource }))),
  );
  const config = new KubeConfig();
  config.loadFromOptions(api.kubeConfigOptions());
  context = actionContext(createKubeClient({ kubeConfig: config }));
}

afterEach(async () => {
  await api.stop();
});

function node(): KubeObject {
  return api.object('nodes', undefined, NODE) as KubeObject;
}

async function planOf<R>(
  action: { preflight: (r: R, c: ActionContext) => ReturnType<typeof cordonNode.preflight> },
  request: R,
) {
  const preflight = await action.preflight(request, context);
  if (preflight.status !== 'ready') throw new Error(`expected a plan, got: ${preflight.reason}`);
  return preflight.plan;
}

function patchOnTheWire(plan: RemediationPlan) {
  return plan.steps.map((step) => ({
    method: 'PATCH',
    path: `/api/v1/nodes/${NODE}`,
    contentType: 'application/strategic-merge-patch+json',
    body: step.op === 'patch' ? step.body : undefined,
  }));
}

function writes() {
  return api.writes().map(({ method, path, contentType, body }) => ({ method, path, contentType, body }));
}

describe('cordon node', () => {
  beforeEach(async () => {
    await start(shopCluster());
  });

  it('sends exactly its planned patch: unschedulable, a label and the record, no eviction', async () => {
    const cordon = await planOf(cordonNode, { node: NODE, cordonId: 'c42', reason: 'finding 7f1c' });

    const outcome = await cordonNode.execute(cordon, context);

    expect(writes()).toEqual(patchOnTheWire(cordon));
    expect(outcome).toMatchObject({
      status: 'done',
      verification: { complete: true, summary: `node ${NODE} cordoned (${CORDON_LABEL}=c42)` },
    });
    expect(node().spec).toMatchObject({ unschedulable: true });
    expect(node().metadata.labels?.[CORDON_LABEL]).toBe('c42');
    expect(JSON.parse(node().metadata.annotations?.[CORDON_ANNOTATION] ?? '{}')).toMatchObject({
      id: 'c42',
      wasUnschedulable: false,
      reason: 'finding 7f1c',
    });
    expect(
      api.requests.filter((r) => r.verb === 'delete' || (r.resource === 'pods' && r.verb !== 'list')),
    ).toEqual([]);
  });

  it('names the pods that keep running on the node', async () => {
    const cordon = await planOf(cordonNode, { node: NODE, cordonId: 'c42' });

    expect(cordon.effects).toContain(`1 pod keeps running: shop/${SUSPECT}`);
    expect(api.requests.at(-1)?.query.fieldSelector).toBe(`spec.nodeName=${NODE}`);
  });

  it('reports an existing kubeguard cordon instead of cordoning again', async () => {
    await runAction(cordonNode, { node: NODE, cordonId: 'c42' }, context);

    const again = await runAction(cordonNode, { node: NODE, cordonId: 'c43' }, context);

    expect(again).toMatchObject({
      status: 'skipped',
      reason: expect.stringContaining('already cordoned by kubeguard: c42'),
    });
  });

  it('is undone by uncordon, which sends exactly its planned patch', async () => {
    await runAction(cordonNode, { node: NODE, cordonId: 'c42' }, context);
    const before = api.writes().length;

    const uncordon = await planOf(uncordonNode, { node: NODE });
    const outcome = await uncordonNode.execute(uncordon, context);

    expect(writes().slice(before)).toEqual(patchOnTheWire(uncordon));
    expect(outcome).toMatchObject({ status: 'done', verification: { complete: true } });
    expect(node().spec).not.toHaveProperty('unschedulable');
    expect(node().metadata.labels?.[CORDON_LABEL]).toBeUndefined();
  });

  it('leaves a node that was already unschedulable unschedulable on uncordon', async () => {
    api.seed({ ...node(), spec: { ...(node().spec as object), unschedulable: true } });
    const cordon = await planOf(cordonNode, { node: NODE, cordonId: 'c42' });
    await cordonNode.execute(cordon, context);

    await runAction(uncordonNode, { node: NODE }, context);

    expect(cordon.warnings).toEqual([
      'the node is already unschedulable (cordoned by someone else): uncordon will leave it unschedulable',
    ]);
    expect(node().spec).toMatchObject({ unschedulable: true });
    expect(node().metadata.labels?.[CORDON_LABEL]).toBeUndefined();
  });
});

describe('hostNetwork pod → node isolation', () => {
  it('refuses to isolate the pod and names the node that cordon then isolates', async () => {
    const hostPod = fixturePod('node-exporter-x1', 'shop', {
      spec: { ...(fixturePod('x', 'shop').spec as object), hostNetwork: true, nodeName: NODE },
    });
    await start([...shopCluster(), hostPod]);

    const refused = await runAction(
      isolatePod,
      { namespace: 'shop', pod: 'node-exporter-x1', quarantineId: 'q1' },
      context,
    );
    const nodeName = refused.status === 'skipped' ? (refused.facts?.node as string) : '';
    const cordoned = await runAction(cordonNode, { node: nodeName, cordonId: 'q1' }, context);

    expect(refused.status).toBe('skipped');
    expect(cordoned.status).toBe('done');
    expect(node().spec).toMatchObject({ unschedulable: true });
  });
});

describe('cordon and uncordon: bound to the node as planned', () => {
  beforeEach(async () => {
    await start(shopCluster());
  });

  /** `kubectl cordon`: a patch that sets spec.unschedulable, by someone else. */
  function cordonByHand(): KubeObject {
    return api.seed({ ...node(), spec: { ...(node().spec as object), unschedulable: true } }) as KubeObject;
  }

  it('does not record a node cordoned by hand after the plan as schedulable, so uncordon cannot undo that cordon', async () => {
    const cordon = await planOf(cordonNode, { node: NODE, cordonId: 'c42' });
    const planned = (cordon.steps[0] as { body: { metadata: { resourceVersion: string } } }).body.metadata;
    const byHand = cordonByHand();

    const refused = await cordonNode.execute(cordon, context);

    expect(refused).toMatchObject({
      status: 'failed',
      applied: [],
      error: {
        code: 'CONFLICT',
        message: `Node ${NODE} changed after the plan (resourceVersion ${planned.resourceVersion} → ${byHand.metadata.resourceVersion}); the plan recorded its state as it was then, so nothing was written: plan the action again`,
      },
    });
    expect(node().metadata.labels?.[CORDON_LABEL]).toBeUndefined();

    const replanned = await planOf(cordonNode, { node: NODE, cordonId: 'c42' });
    await cordonNode.execute(replanned, context);
    const uncordoned = await runAction(uncordonNode, { node: NODE }, context);

    expect(uncordoned).toMatchObject({ status: 'done', verification: { complete: true } });
    expect(node().spec).toMatchObject({ unschedulable: true });
    expect(node().metadata.labels?.[CORDON_LABEL]).toBeUndefined();
  });

  it('uncordon refuses a node changed since its plan instead of undoing what changed', async () => {
    await runAction(cordonNode, { node: NODE, cordonId: 'c42' }, context);
    const uncordon = await planOf(uncordonNode, { node: NODE });
    const annotations = { ...node().metadata.annotations, 'ops.example/hold': 'SEC-42' };
    api.seed({ ...node(), metadata: { ...node().metadata, annotations } });

    const outcome = await uncordonNode.execute(uncordon, context);

    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'CONFLICT' } });
    expect(outcome.status === 'failed' && outcome.error.message).toMatch(
      new RegExp(`^Node ${NODE} changed after the plan \\(resourceVersion \\d+ → \\d+\\)`),
    );
    expect(node().spec).toMatchObject({ unschedulable: true });
  });

  it('uncordon refuses a node that re-registered under the same name since its plan', async () => {
    await runAction(cordonNode, { node: NODE, cordonId: 'c42' }, context);
    const uncordon = await planOf(uncordonNode, { node: NODE });
    const { metadata: old, ...rest } = node();
    const { uid: planned, resourceVersion: _rv, ...metadata } = old;
    api.removeObject('nodes', undefined, NODE);
    const fresh = api.seed({ ...rest, metadata } as KubeObject) as KubeObject;

    const outcome = await uncordonNode.execute(uncordon, context);

    expect(outcome).toMatchObject({
      status: 'failed',
      error: {
        code: 'CONFLICT',
        message: `Node ${NODE} was replaced after the plan (uid ${planned} → ${fresh.metadata.uid}); nothing was written to it: plan the action again to act on the object that exists now`,
      },
    });
  });
});
