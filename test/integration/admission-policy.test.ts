import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { createKubeClient } from '#adapters/kubernetes/client.ts';
import type { ActionContext, ActionOutcome } from '#core/remediation/action.ts';
import { cordonNode, uncordonNode } from '#core/remediation/cordon-node.ts';
import { isolatePod } from '#core/remediation/isolate-pod.ts';
import type { KubeObject } from '#core/remediation/kube-objects.ts';
import { QUARANTINE_LABEL } from '#core/remediation/quarantine.ts';
import { requiredRbacRules } from '#core/remediation/registry.ts';
import { releasePod } from '#core/remediation/release-pod.ts';
import type { RotateSecretRequest } from '#core/remediation/rotate-secret.ts';
import { runAction } from '#core/remediation/run.ts';
import { GENERATE_TAG } from '#core/remediation/secret-ports.ts';
import { type AdmittedWrite, enforceAdmissionPolicy } from '#test/support/admission-policy.ts';
import { KubeApiDouble } from '#test/support/kube-api-double.ts';
import { actionContext, NODE, SUSPECT, shopCluster } from '#test/support/remediation-cluster.ts';
import { argoRolloutObjects, ROTATION_ID, RotationWorld } from '#test/support/rotate-secret-harness.ts';

/**
 * deploy/kubernetes/admission-policy.yaml in front of the Kubernetes API double while the real
 * actions run: every write their plans send — isolate (new and resumed), release, cordon, uncordon,
 * rotate-secret in both modes — reaches validating admission with the object before and after,
 * and every one is admitted. A write the policy refused would fail the action (422).
 */

let api: KubeApiDouble | undefined;
let world: RotationWorld | undefined;

afterEach(async () => {
  await api?.stop();
  await world?.stop();
  api = undefined;
  world = undefined;
});

async function shop(objects: KubeObject[] = shopCluster()) {
  const double = await new KubeApiDouble({ objects, now: () => '2024-05-01T10:00:00Z' }).start();
  api = double;
  double.allowOnly(
    requiredRbacRules().flatMap((rule) => rule.verbs.map((verb) => ({ verb, resource: rule.resource }))),
  );
  const admitted = enforceAdmissionPolicy(double);
  const config = new KubeConfig();
  config.loadFromOptions(double.kubeConfigOptions());
  const context: ActionContext = actionContext(createKubeClient({ kubeConfig: config }));
  return { api: double, admitted, context };
}

function done(outcome: ActionOutcome): void {
  if (outcome.status !== 'done') throw new Error(`expected done, got ${JSON.stringify(outcome)}`);
}

/** `OPERATION resource namespace/name`, each admitted, and exactly the writes the double received. */
function admittedWrites(admitted: readonly AdmittedWrite[], double: KubeApiDouble): string[] {
  expect(admitted.map((w) => w.decision)).toEqual(
    admitted.map(() => ({ matched: true, allowed: true, denials: [] })),
  );
  expect(double.writes().map((w) => w.status)).toEqual(double.writes().map(() => expect.any(Number)));
  expect(double.writes().every((w) => w.status < 300)).toBe(true);
  expect(admitted).toHaveLength(double.writes().length);
  return admitted.map(
    ({ request }) =>
      `${request.operation} ${request.resource.resource} ${request.namespace ? `${request.namespace}/` : ''}${request.name}`,
  );
}

describe('the admission policy admits every write of isolate and release', () => {
  it('admits a new quarantine: label and record, deny-all policy, detach', async () => {
    const { api, admitted, context } = await shop();

    done(await runAction(isolatePod, { namespace: 'shop', pod: SUSPECT, quarantineId: 'q7f3a9' }, context));

    expect(admittedWrites(admitted, api)).toEqual([
      `UPDATE pods shop/${SUSPECT}`,
      'CREATE networkpolicies shop/kubeguard-quarantine-q7f3a9',
      `UPDATE pods shop/${SUSPECT}`,
    ]);
    const detach = admitted[2]?.request;
    expect(detach?.oldObject?.metadata).toMatchObject({ labels: { app: 'web' } });
    expect((detach?.object?.metadata as KubeObject['metadata'] | undefined)?.labels).toEqual({
      tier: 'frontend',
      [QUARANTINE_LABEL]: 'q7f3a9',
    });
  });

  it('admits the DNS-allowing quarantine policy', async () => {
    const { api, admitted, context } = await shop();

    done(
      await runAction(
        isolatePod,
        { namespace: 'shop', pod: SUSPECT, quarantineId: 'q7f3a9', allowDns: true },
        context,
      ),
    );

    expect(admittedWrites(admitted, api)).toContain(
      'CREATE networkpolicies shop/kubeguard-quarantine-q7f3a9',
    );
  });

  it('admits a resumed quarantine: the label put back and the missing policy created', async () => {
    const { api, admitted, context } = await shop();
    await runAction(isolatePod, { namespace: 'shop', pod: SUSPECT, quarantineId: 'q7f3a9' }, context);
    const pod = api.object('pods', 'shop', SUSPECT) as KubeObject;
    const { [QUARANTINE_LABEL]: _removed, ...labels } = pod.metadata.labels ?? {};
    api.seed({ ...pod, metadata: { ...pod.metadata, labels } });
    api.removeObject('networkpolicies', 'shop', 'kubeguard-quarantine-q7f3a9');
    admitted.length = 0;
    api.requests.length = 0;

    done(await runAction(isolatePod, { namespace: 'shop', pod: SUSPECT, quarantineId: 'other1' }, context));

    expect(admittedWrites(admitted, api)).toEqual([
      `UPDATE pods shop/${SUSPECT}`,
      'CREATE networkpolicies shop/kubeguard-quarantine-q7f3a9',
    ]);
  });

  it('admits the release: policy deleted, recorded labels restored, record replaced', async () => {
    const { api, admitted, context } = await shop();
    await runAction(isolatePod, { namespace: 'shop', pod: SUSPECT, quarantineId: 'q7f3a9' }, context);
    admitted.length = 0;
    api.requests.length = 0;

    done(await runAction(releasePod, { namespace: 'shop', pod: SUSPECT }, context));

    expect(admittedWrites(admitted, api)).toEqual([
      'DELETE networkpolicies shop/kubeguard-quarantine-q7f3a9',
      `UPDATE pods shop/${SUSPECT}`,
    ]);
    expect(api.object('pods', 'shop', SUSPECT)?.metadata).toMatchObject({
      labels: { app: 'web', 'pod-template-hash': '5cdcc99dbf', tier: 'frontend' },
    });
  });

  it('admits deleting the leftover policy of a pod that is gone', async () => {
    const { api, admitted, context } = await shop();
    await runAction(isolatePod, { namespace: 'shop', pod: SUSPECT, quarantineId: 'q7f3a9' }, context);
    api.removeObject('pods', 'shop', SUSPECT);
    admitted.length = 0;
    api.requests.length = 0;

    done(await runAction(releasePod, { namespace: 'shop', pod: SUSPECT, quarantineId: 'q7f3a9' }, context));

    expect(admittedWrites(admitted, api)).toEqual([
      'DELETE networkpolicies shop/kubeguard-quarantine-q7f3a9',
    ]);
  });
});

describe('the admission policy admits every write of cordon and uncordon', () => {
  function withNode(unschedulable: boolean): KubeObject[] {
    return shopCluster().map((o) =>
      o.kind === 'Node' && unschedulable ? { ...o, spec: { ...(o.spec as object), unschedulable: true } } : o,
    );
  }

  it('admits cordoning a schedulable node and ending that cordon', async () => {
    const { api, admitted, context } = await shop(withNode(false));

    done(await runAction(cordonNode, { node: NODE, cordonId: 'c4d5e6' }, context));
    done(await runAction(uncordonNode, { node: NODE }, context));

    expect(admittedWrites(admitted, api)).toEqual([`UPDATE nodes ${NODE}`, `UPDATE nodes ${NODE}`]);
    expect(api.object('nodes', undefined, NODE)?.spec).not.toHaveProperty('unschedulable');
  });

  it('admits cordoning a node someone else cordoned, and leaving it unschedulable at the end', async () => {
    const { api, admitted, context } = await shop(withNode(true));

    done(await runAction(cordonNode, { node: NODE, cordonId: 'c4d5e6' }, context));
    done(await runAction(uncordonNode, { node: NODE }, context));

    expect(admittedWrites(admitted, api)).toEqual([`UPDATE nodes ${NODE}`, `UPDATE nodes ${NODE}`]);
    expect(api.object('nodes', undefined, NODE)?.spec).toMatchObject({ unschedulable: true });
  });
});

describe('the admission policy admits every write of rotate-secret', () => {
  const request: RotateSecretRequest = { secret: 'MyTestSecret', rotationId: ROTATION_ID };

  async function rotate(started: RotationWorld): Promise<string[]> {
    world = started;
    const admitted = enforceAdmissionPolicy(started.api);
    const preflight = await started.action().preflight(request, started.context());
    if (preflight.status !== 'ready') throw new Error(`expected a plan, got: ${preflight.reason}`);
    started.api.requests.length = 0;

    const outcome = await started.action().execute(preflight.plan, started.context());

    expect(outcome.status).toBe('done');
    expect(admitted.length).toBeGreaterThan(0);
    return admittedWrites(admitted, started.api);
  }

  it('admits the ExternalSecret refreshes and the rolling restarts of a started rotation', async () => {
    const writes = await rotate(
      await RotationWorld.start({ tags: [{ Key: 'kubeguard.io/rotation', Value: 'rotate' }] }),
    );

    expect(new Set(writes.map((w) => w.split(' ')[1]))).toEqual(
      new Set(['externalsecrets', 'deployments', 'statefulsets', 'daemonsets']),
    );
  });

  it('admits the restart of an Argo Rollout that reads the secret', async () => {
    const writes = await rotate(
      await RotationWorld.start({
        tags: [{ Key: 'kubeguard.io/rotation', Value: 'rotate' }],
        extraObjects: argoRolloutObjects(),
      }),
    );

    expect(writes).toContain('UPDATE rollouts payments/payments-canary');
  });

  it('admits the same writes after a generated value', async () => {
    const writes = await rotate(
      await RotationWorld.start({
        overrides: { RotationEnabled: false },
        tags: [{ Key: GENERATE_TAG.key, Value: GENERATE_TAG.value }],
      }),
    );

    expect(writes.every((w) => w.startsWith('UPDATE '))).toBe(true);
  });
});

describe('the admission policy in front of the API', () => {
  it('refuses a patch the actions never send, with the API server’s answer', async () => {
    const { admitted, context } = await shop();

    const refused = await context.kube
      .patch(
        { kind: 'Pod', namespace: 'shop', name: SUSPECT },
        {
          type: 'strategic-merge',
          body: { spec: { containers: [{ name: 'nginx', image: 'attacker.example/miner:latest' }] } },
        },
      )
      .then(
        () => undefined,
        (error: unknown) => error,
      );

    expect(String(refused)).toContain(
      `pods "${SUSPECT}" is forbidden: ValidatingAdmissionPolicy 'kubeguard-remediation' with binding 'kubeguard-remediation' denied request: kubeguard-remediation may change only a pod's labels and annotations`,
    );
    expect(admitted.map((w) => w.decision.allowed)).toEqual([false]);
  });
});
