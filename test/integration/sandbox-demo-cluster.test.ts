import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubeClient, type KubeApiClient } from '#adapters/kubernetes/client.ts';
import { collectClusterSnapshot } from '#adapters/kubernetes/snapshot-collector.ts';
import { type DemoCluster, PAYMENTS_SECRET, startDemoCluster } from '#cli/sandbox/demo-cluster/index.ts';
import { runAudit } from '#core/posture/engine.ts';
import { isolatePod } from '#core/remediation/isolate-pod.ts';
import type { KubeObject } from '#core/remediation/kube-objects.ts';
import { findSecretConsumers } from '#core/remediation/secret-consumers.ts';
import { actionContext } from '#test/support/remediation-cluster.ts';

/**
 * The demo cluster of `npm start` through kubeguard's own Kubernetes adapter: what a demo does
 * with it — list pods, plan an isolation of a shop pod, audit the cluster, find who uses the
 * ExternalSecret-backed secret — works, and the audit finds exactly the seeded mistakes.
 */

const NOW = new Date('2026-12-01T12:00:00Z');
let cluster: DemoCluster;
let kube: KubeApiClient;

beforeAll(async () => {
  cluster = await startDemoCluster({ now: NOW });
  const config = new KubeConfig();
  config.loadFromString(cluster.kubeconfig());
  kube = createKubeClient({ kubeConfig: config });
});

afterAll(async () => {
  await cluster.stop();
});

const names = (objects: readonly KubeObject[]) => objects.map((o) => o.metadata.name);

describe('the demo cluster through the Kubernetes adapter', () => {
  it('is reached with the kubeconfig it writes, and lists the pods of a namespace', async () => {
    expect(cluster.name).toBe('sandbox-cluster');
    expect(names(await kube.list({ kind: 'Pod', namespace: 'shop' }))).toEqual([
      'cart-x7pql48kf5-bfkfk',
      'cart-x7pql48kf5-mq8tv',
      'web-hwhrnkc6j4-ttlm2',
      'web-hwhrnkc6j4-vkg8m',
    ]);
    expect(names(await kube.list({ kind: 'Pod', namespace: 'payments' }))).toEqual([
      'payments-api-pp6zfx9llv-qz7fj',
      'payments-api-pp6zfx9llv-wxjx5',
    ]);
  });

  it('links every pod to its controller by uid: Deployment → ReplicaSet → Pod', async () => {
    const pod = await kube.get({ kind: 'Pod', namespace: 'shop', name: 'web-hwhrnkc6j4-ttlm2' });
    const replicaSet = await kube.get({ kind: 'ReplicaSet', namespace: 'shop', name: 'web-hwhrnkc6j4' });
    const deployment = await kube.get({ kind: 'Deployment', namespace: 'shop', name: 'web' });

    expect(pod.metadata.labels).toEqual({ app: 'web', tier: 'frontend', 'pod-template-hash': 'hwhrnkc6j4' });
    expect(pod.metadata.ownerReferences).toEqual([
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        name: 'web-hwhrnkc6j4',
        uid: replicaSet.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(replicaSet.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'Deployment',
      uid: deployment.metadata.uid,
    });
  });

  it('plans the isolation of a shop pod: the preflight is ready and creates one quarantine policy', async () => {
    const context = actionContext(kube);
    const preflight = await isolatePod.preflight(
      { namespace: 'shop', pod: 'web-hwhrnkc6j4-ttlm2', quarantineId: 'q7f3a9' },
      context,
    );

    expect(preflight.status).toBe('ready');
    if (preflight.status !== 'ready') return;
    expect(
      preflight.plan.steps.filter((step) => step.op === 'create').map((step) => step.object.metadata.name),
    ).toEqual(['kubeguard-quarantine-q7f3a9']);
  });

  it('finds the payments Deployment as the consumer of the ExternalSecret-backed secret', async () => {
    const objects = (
      await Promise.all(
        (['ExternalSecret', 'Deployment', 'ReplicaSet', 'Pod', 'StatefulSet', 'DaemonSet'] as const).map(
          (kind) => kube.list({ kind }),
        ),
      )
    ).flat();
    const consumers = findSecretConsumers(PAYMENTS_SECRET, objects);

    expect(consumers.externalSecrets.map((use) => [use.namespace, use.name, use.targetSecret])).toEqual([
      ['payments', 'payments-api', 'payments-api-credentials'],
    ]);
    expect(consumers.workloads.map((use) => [use.kind, use.namespace, use.name])).toEqual([
      ['Deployment', 'payments', 'payments-api'],
    ]);
    expect(consumers.workloads[0]?.references.map((ref) => ref.via).sort()).toEqual(['env', 'secret volume']);
  });

  it('gives the posture audit exactly the seeded failures', async () => {
    const snapshot = await collectClusterSnapshot({
      kubeConfig: (() => {
        const config = new KubeConfig();
        config.loadFromString(cluster.kubeconfig());
        return config;
      })(),
      name: cluster.name,
      clock: () => NOW.toISOString(),
    });
    const report = runAudit(snapshot);
    const failures = report.results.filter((r) => r.status === 'fail');
    const failedBy = (id: string) => [
      ...new Set(
        failures
          .filter((r) => r.checkId === id)
          .map((r) => `${r.object.kind} ${r.object.namespace ?? ''}/${r.object.name}`),
      ),
    ];

    expect(Object.keys(snapshot.kubeletConfigs ?? {})).toEqual([
      'ip-10-0-1-23.eu-west-1.compute.internal',
      'ip-10-0-2-41.eu-west-1.compute.internal',
    ]);
    expect([...new Set(failures.map((r) => r.checkId))].sort()).toEqual([
      // RBAC: cart's cluster-admin binding and the shop's wildcard Role
      'KP-040',
      'KP-041',
      'KP-042',
      'KP-043',
      'KP-044',
      'KP-045',
      'KP-046',
      'KP-047',
      'KP-048',
      'KP-049',
      'KP-050',
      'KP-051',
      'KP-052',
      'KP-054',
      'KP-055',
      // workloads: the privileged host-network log agent, aws-node, default security contexts
      'KP-060',
      'KP-063',
      'KP-064',
      'KP-065',
      'KP-068',
      'KP-069',
      'KP-070',
      'KP-071',
      'KP-072',
      'KP-073',
      'KP-080',
      'KP-082',
      'KP-083',
      'KP-085',
      'KP-087',
      'KP-091',
      // supply chain: images referenced by tag (KP-092), no admission policy verifying signatures (KP-110)
      'KP-092',
      // network and namespaces: shop and monitoring without NetworkPolicy or Pod Security level
      'KP-100',
      'KP-101',
      'KP-107',
      'KP-110',
    ]);
    expect(failedBy('KP-040')).toEqual(['ClusterRoleBinding /cart-cluster-admin']);
    expect(failedBy('KP-042')).toEqual(['Role shop/shop-oncall']);
    expect(failedBy('KP-055')).toEqual(['Deployment shop/cart']);
    expect(failedBy('KP-060').sort()).toEqual([
      'DaemonSet kube-system/aws-node',
      'DaemonSet monitoring/log-agent',
    ]);
    expect(failedBy('KP-065')).toEqual(['DaemonSet monitoring/log-agent']);
    expect(failedBy('KP-100').sort()).toEqual([
      'Namespace /default',
      'Namespace /monitoring',
      'Namespace /shop',
    ]);
    // the kubelets answer with the EKS AMI's settings: every kubelet check passes
    expect(failures.filter((r) => /^KP-03[0-7]$/.test(r.checkId))).toEqual([]);
  });
});
