import { describe, expect, it } from 'vitest';
import { containersOf, podTemplates } from '#core/posture/pod-templates.ts';
import { corpusObjects, snapshotOf } from './support.ts';

type Json = Record<string, unknown>;

/** m14.yaml's Deployment, in namespace shop, with a ReplicaSet and two Pods as the cluster would show them. */
function deploymentWithReplicas(): Json[] {
  const deployment = structuredClone(corpusObjects('m14.yaml')[0]?.object) as Json;
  (deployment.metadata as Json).namespace = 'shop';
  const template = (deployment.spec as Json).template as Json;
  const owner = (kind: string, name: string) => [
    { apiVersion: 'apps/v1', kind, name, uid: name, controller: true },
  ];
  const replicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'nginx-7c5ddbdf54', namespace: 'shop', ownerReferences: owner('Deployment', 'nginx') },
    spec: { replicas: 2, template: structuredClone(template) },
  };
  const pods = ['nginx-7c5ddbdf54-abcde', 'nginx-7c5ddbdf54-fghij'].map((name) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'shop', ownerReferences: owner('ReplicaSet', 'nginx-7c5ddbdf54') },
    spec: structuredClone(template.spec),
  }));
  return [deployment, replicaSet, ...pods];
}

describe('pod templates per workload', () => {
  it('reports a Deployment once, not its ReplicaSet or replicas', () => {
    const templates = podTemplates(snapshotOf(...deploymentWithReplicas()));

    expect(templates.map((t) => [t.ref.kind, t.ref.name, t.specPath])).toEqual([
      ['Deployment', 'nginx', 'spec.template.spec'],
    ]);
  });

  it('falls back to the ReplicaSet when its Deployment is not in the snapshot', () => {
    const [, replicaSet, ...pods] = deploymentWithReplicas();

    const templates = podTemplates(snapshotOf(replicaSet as Json, ...pods));

    expect(templates.map((t) => t.ref.kind)).toEqual(['ReplicaSet']);
  });

  it('audits a Pod whose owner is absent', () => {
    const [, , pod] = deploymentWithReplicas();

    expect(podTemplates(snapshotOf(pod as Json)).map((t) => t.ref.name)).toEqual(['nginx-7c5ddbdf54-abcde']);
  });

  it('reports a CronJob, not the Job it created', () => {
    const template = {
      spec: { restartPolicy: 'Never', containers: [{ name: 'backup', image: 'backup:2.1' }] },
    };
    const cronJob = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'backup', namespace: 'ops' },
      spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template } } },
    };
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: 'backup-28930',
        namespace: 'ops',
        ownerReferences: [
          { apiVersion: 'batch/v1', kind: 'CronJob', name: 'backup', uid: 'c', controller: true },
        ],
      },
      spec: { template },
    };

    const templates = podTemplates(snapshotOf(cronJob, job));

    expect(templates.map((t) => [t.ref.kind, t.specPath])).toEqual([
      ['CronJob', 'spec.jobTemplate.spec.template.spec'],
    ]);
  });

  it('lists containers, init and ephemeral containers with their paths, tolerating null entries', () => {
    const pod = structuredClone(corpusObjects('m08.yaml')[0]?.object) as Json;
    (pod.spec as Json).initContainers = [{ name: 'init', image: 'busybox:1.36' }];

    const [template] = podTemplates(snapshotOf(pod));

    expect(template === undefined ? [] : containersOf(template).map((c) => [c.path, c.name])).toEqual([
      ['spec.containers[0]', '#0'],
      ['spec.containers[1]', '#1'],
      ['spec.initContainers[0]', 'init'],
    ]);
  });
});
