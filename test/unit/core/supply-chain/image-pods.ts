import { createHash } from 'node:crypto';
import type { KubeObject } from '#core/model/kube-object.ts';

/**
 * Pods as the API server returns them once the kubelet has reported (built like
 * cli/sandbox/demo-cluster/workloads.ts does: spec containers and `status.containerStatuses` with
 * `imageID`), owned by a ReplicaSet of a Deployment or by any owner given.
 */

/** A valid manifest digest derived from a word. */
export function digestOf(word: string): string {
  return `sha256:${createHash('sha256').update(word).digest('hex')}`;
}

export interface PodSpecInput {
  name: string;
  image: string;
  /** What the kubelet reports; absent for a pod not started yet. */
  imageID?: string;
  phase?: string;
  init?: { image: string; imageID?: string };
  ephemeral?: { image: string; imageID?: string };
}

function status(name: string, image: string, imageID: string | undefined) {
  return {
    name,
    image,
    ...(imageID === undefined ? { imageID: '' } : { imageID }),
    ready: imageID !== undefined,
    restartCount: 0,
    started: imageID !== undefined,
    state:
      imageID === undefined
        ? { waiting: { reason: 'ContainerCreating' } }
        : { running: { startedAt: '2024-09-05T08:00:00Z' } },
  };
}

export function pod(namespace: string, input: PodSpecInput, owner?: KubeObject): KubeObject {
  const spec: Record<string, unknown> = { containers: [{ name: 'app', image: input.image }] };
  const podStatus: Record<string, unknown> = {
    phase: input.phase ?? (input.imageID === undefined ? 'Pending' : 'Running'),
    containerStatuses: input.imageID === undefined ? [] : [status('app', input.image, input.imageID)],
  };
  if (input.init !== undefined) {
    spec.initContainers = [{ name: 'init', image: input.init.image }];
    podStatus.initContainerStatuses = [status('init', input.init.image, input.init.imageID)];
  }
  if (input.ephemeral !== undefined) {
    spec.ephemeralContainers = [{ name: 'debugger', image: input.ephemeral.image }];
    podStatus.ephemeralContainerStatuses = [
      status('debugger', input.ephemeral.image, input.ephemeral.imageID),
    ];
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: input.name,
      namespace,
      uid: `uid-${namespace}-${input.name}`,
      ...(owner === undefined
        ? {}
        : {
            ownerReferences: [
              {
                apiVersion: owner.apiVersion ?? 'v1',
                kind: owner.kind,
                name: owner.metadata.name,
                uid: owner.metadata.uid ?? 'uid',
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
          }),
    },
    spec,
    status: podStatus,
  };
}

/** A Deployment, its ReplicaSet and the pods given, in that order. */
export function deploymentPods(namespace: string, name: string, pods: readonly PodSpecInput[]): KubeObject[] {
  const deployment: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, uid: `deploy-${namespace}-${name}` },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [] } },
    },
  };
  const replicaSet: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${name}-7d4`,
      namespace,
      uid: `rs-${namespace}-${name}`,
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name,
          uid: `deploy-${namespace}-${name}`,
          controller: true,
        },
      ],
    },
    spec: { selector: { matchLabels: { app: name } } },
  };
  return [deployment, replicaSet, ...pods.map((input) => pod(namespace, input, replicaSet))];
}
