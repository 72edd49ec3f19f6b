import type { JsonObject } from '../kube-api/failure.ts';
import type { DemoNode } from './nodes.ts';
import {
  apiAccessVolume,
  defaultedContainer,
  POD_SPEC_DEFAULTS,
  type SeedClock,
  suffixOf,
  uidOf,
} from './objects.ts';

/**
 * Workloads as their controllers leave them: a Deployment → its ReplicaSet (named
 * `<deployment>-<pod-template-hash>`) → its Pods (`<replicaset>-<5 characters>`), a DaemonSet → one
 * Pod per node; every link an ownerReference with the owner's uid, `controller` and
 * `blockOwnerDeletion`, as in the fixture Pod's ReplicaSet reference; Pods Running and Ready, with
 * the kubelet's container statuses and the events a start records (Scheduled, Pulled, Created,
 * Started), which `kubectl describe pod` lists.
 */

export interface PodTemplate {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  /** The pod spec as written in the manifest; the API server's defaults are added. */
  spec: JsonObject;
}

export interface WorkloadInput {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  template: PodTemplate;
  /** Minutes before the seed time the workload was created. */
  age: number;
}

export interface DeploymentInput extends WorkloadInput {
  replicas: number;
  /** The nodes its pods run on, in turn. */
  nodes: readonly DemoNode[];
}

export interface DaemonSetInput extends WorkloadInput {
  nodes: readonly DemoNode[];
}

interface Owner {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
}

export function deployment(input: DeploymentInput, clock: SeedClock): JsonObject[] {
  const { namespace, name, replicas } = input;
  const hash = suffixOf(10, 'pod-template-hash', namespace, name);
  const created = clock.ago(input.age);
  const deploymentUid = uidOf('Deployment', namespace, name);
  const rsName = `${name}-${hash}`;
  const rsUid = uidOf('ReplicaSet', namespace, rsName);
  const selector = { matchLabels: { ...input.template.labels } };
  const status = {
    observedGeneration: 1,
    replicas,
    updatedReplicas: replicas,
    readyReplicas: replicas,
    availableReplicas: replicas,
  };
  const objects: JsonObject[] = [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name,
        namespace,
        uid: deploymentUid,
        creationTimestamp: created,
        generation: 1,
        labels: input.labels,
        annotations: { 'deployment.kubernetes.io/revision': '1' },
      },
      spec: {
        replicas,
        selector,
        template: templateOf(input.template),
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
      },
      status: {
        ...status,
        conditions: [
          condition('Available', 'MinimumReplicasAvailable', 'Deployment has minimum availability.', created),
          condition(
            'Progressing',
            'NewReplicaSetAvailable',
            `ReplicaSet "${rsName}" has successfully progressed.`,
            created,
          ),
        ],
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: rsName,
        namespace,
        uid: rsUid,
        creationTimestamp: created,
        generation: 1,
        labels: { ...input.template.labels, 'pod-template-hash': hash },
        annotations: {
          'deployment.kubernetes.io/desired-replicas': String(replicas),
          'deployment.kubernetes.io/max-replicas': String(replicas + Math.ceil(replicas / 4)),
          'deployment.kubernetes.io/revision': '1',
        },
        ownerReferences: [
          controllerRef({ apiVersion: 'apps/v1', kind: 'Deployment', name, uid: deploymentUid }),
        ],
      },
      spec: {
        replicas,
        selector: { matchLabels: { ...input.template.labels, 'pod-template-hash': hash } },
        template: templateOf({
          ...input.template,
          labels: { ...input.template.labels, 'pod-template-hash': hash },
        }),
      },
      status: {
        replicas,
        fullyLabeledReplicas: replicas,
        readyReplicas: replicas,
        availableReplicas: replicas,
        observedGeneration: 1,
      },
    },
  ];
  const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rsName, uid: rsUid };
  for (let i = 0; i < replicas; i++) {
    const node = input.nodes[i % input.nodes.length] as DemoNode;
    const podName = `${rsName}-${suffixOf(5, 'pod', namespace, rsName, String(i))}`;
    objects.push(...podWithEvents(input, { 'pod-template-hash': hash }, owner, podName, node, clock));
  }
  return objects;
}

export function daemonSet(input: DaemonSetInput, clock: SeedClock): JsonObject[] {
  const { namespace, name, nodes } = input;
  const created = clock.ago(input.age);
  const uid = uidOf('DaemonSet', namespace, name);
  const revision = suffixOf(10, 'controller-revision-hash', namespace, name);
  const count = nodes.length;
  const objects: JsonObject[] = [
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: {
        name,
        namespace,
        uid,
        creationTimestamp: created,
        generation: 1,
        labels: input.labels,
        annotations: { 'deprecated.daemonset.template.generation': '1' },
      },
      spec: {
        selector: { matchLabels: { ...input.template.labels } },
        template: templateOf(input.template),
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
        revisionHistoryLimit: 10,
      },
      status: {
        currentNumberScheduled: count,
        numberMisscheduled: 0,
        desiredNumberScheduled: count,
        numberReady: count,
        observedGeneration: 1,
        updatedNumberScheduled: count,
        numberAvailable: count,
      },
    },
  ];
  const owner = { apiVersion: 'apps/v1', kind: 'DaemonSet', name, uid };
  for (const node of nodes) {
    const podName = `${name}-${suffixOf(5, 'pod', namespace, name, node.name)}`;
    const labels = { 'controller-revision-hash': revision, 'pod-template-generation': '1' };
    objects.push(...podWithEvents(input, labels, owner, podName, node, clock));
  }
  return objects;
}

function templateOf(template: PodTemplate): JsonObject {
  return {
    metadata: {
      labels: { ...template.labels },
      ...(template.annotations ? { annotations: { ...template.annotations } } : {}),
    },
    spec: { ...POD_SPEC_DEFAULTS, ...template.spec },
  };
}

function controllerRef(owner: Owner): JsonObject {
  return { ...owner, controller: true, blockOwnerDeletion: true };
}

function condition(type: string, reason: string, message: string, at: string): JsonObject {
  return { type, status: 'True', lastUpdateTime: at, lastTransitionTime: at, reason, message };
}

function podWithEvents(
  input: WorkloadInput,
  extraLabels: Record<string, string>,
  owner: Owner,
  name: string,
  node: DemoNode,
  clock: SeedClock,
): JsonObject[] {
  const { namespace } = input;
  const started = clock.ago(input.age - 1);
  const uid = uidOf('Pod', namespace, name);
  const spec = input.template.spec;
  const serviceAccount = String(spec.serviceAccountName ?? 'default');
  const automount = spec.automountServiceAccountToken !== false;
  const tokenVolume = automount ? `kube-api-access-${suffixOf(5, 'token', namespace, name)}` : undefined;
  const containers = (spec.containers as JsonObject[]).map((c) => defaultedContainer(c, tokenVolume));
  const podIP = spec.hostNetwork === true ? node.ip : node.podIP(`${namespace}/${name}`);
  const pod: JsonObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      generateName: `${owner.name}-`,
      namespace,
      uid,
      creationTimestamp: clock.ago(input.age),
      labels: { ...input.template.labels, ...extraLabels },
      ...(input.template.annotations ? { annotations: { ...input.template.annotations } } : {}),
      ownerReferences: [controllerRef(owner)],
    },
    spec: {
      ...POD_SPEC_DEFAULTS,
      ...spec,
      volumes: [
        ...((spec.volumes as JsonObject[] | undefined) ?? []),
        ...(tokenVolume ? [apiAccessVolume(tokenVolume)] : []),
      ],
      containers,
      serviceAccountName: serviceAccount,
      serviceAccount,
      nodeName: node.name,
    },
    status: {
      phase: 'Running',
      conditions: [
        'PodReadyToStartContainers',
        'Initialized',
        'Ready',
        'ContainersReady',
        'PodScheduled',
      ].map((type) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: started })),
      hostIP: node.ip,
      hostIPs: [{ ip: node.ip }],
      podIP,
      podIPs: [{ ip: podIP }],
      startTime: clock.ago(input.age),
      containerStatuses: containers.map((c) => ({
        name: c.name,
        state: { running: { startedAt: started } },
        lastState: {},
        ready: true,
        restartCount: 0,
        image: c.image,
        imageID: `${String(c.image).split(':')[0]}@sha256:${uidOf('image', String(c.image)).replaceAll('-', '')}${uidOf('digest', String(c.image)).replaceAll('-', '')}`,
        containerID: `containerd://${uidOf('container', namespace, name, String(c.name)).replaceAll('-', '')}${uidOf('container2', name).replaceAll('-', '')}`,
        started: true,
      })),
      qosClass: qosOf(containers),
    },
  };
  return [pod, ...podEvents(pod, node, containers, clock, input.age)];
}

function qosOf(containers: readonly JsonObject[]): string {
  const resources = containers.map((c) => (c.resources ?? {}) as { limits?: object; requests?: object });
  if (resources.every((r) => r.limits === undefined && r.requests === undefined)) return 'BestEffort';
  const guaranteed = resources.every(
    (r) => r.limits !== undefined && JSON.stringify(r.limits) === JSON.stringify(r.requests ?? r.limits),
  );
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** The events of a pod's start, as the scheduler and the kubelet record them. */
function podEvents(
  pod: JsonObject,
  node: DemoNode,
  containers: readonly JsonObject[],
  clock: SeedClock,
  age: number,
): JsonObject[] {
  const metadata = pod.metadata as { name: string; namespace: string; uid: string };
  let second = 0;
  const event = (reason: string, message: string, source: JsonObject, fieldPath?: string): JsonObject => {
    // One second apart, so `kubectl describe` lists them in the order they happened.
    const at = clock.ago(age - second++ / 60);
    return {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: {
        name: `${metadata.name}.${uidOf('event', metadata.name, reason, fieldPath ?? '')
          .replaceAll('-', '')
          .slice(0, 16)}`,
        namespace: metadata.namespace,
        creationTimestamp: at,
      },
      involvedObject: {
        kind: 'Pod',
        namespace: metadata.namespace,
        name: metadata.name,
        uid: metadata.uid,
        apiVersion: 'v1',
        ...(fieldPath ? { fieldPath } : {}),
      },
      reason,
      message,
      source,
      firstTimestamp: at,
      lastTimestamp: at,
      count: 1,
      type: 'Normal',
      eventTime: null,
      reportingComponent: String(source.component),
      reportingInstance: String(source.host ?? ''),
    };
  };
  const kubelet = { component: 'kubelet', host: node.name };
  return [
    event('Scheduled', `Successfully assigned ${metadata.namespace}/${metadata.name} to ${node.name}`, {
      component: 'default-scheduler',
    }),
    ...containers.flatMap((c) => {
      const path = `spec.containers{${String(c.name)}}`;
      return [
        event('Pulled', `Container image "${String(c.image)}" already present on machine`, kubelet, path),
        event('Created', `Created container: ${String(c.name)}`, kubelet, path),
        event('Started', `Started container ${String(c.name)}`, kubelet, path),
      ];
    }),
  ];
}
