import { arrayField, controllerOf, type KubeObject, stringField } from '../model/kube-object.ts';
import { type OwnerChain, type OwnerLookup, type OwnerRef, ownerChainOf } from '../model/owners.ts';
import type { RunningContainer } from './image-finding.ts';

/**
 * The containers a cluster runs, each with the image digest it actually runs — the key Inspector
 * findings are matched on (core/supply-chain/image-alerts.ts).
 *
 * The digest comes from the kubelet's report, `status.containerStatuses[].imageID` (and the init and
 * ephemeral container statuses): `repo@sha256:<hex>` (containerd) or
 * `docker-pullable://repo@sha256:<hex>` (dockershim). That is how a mutable tag is resolved: two pods
 * of `web:latest` started before and after the tag moved run two digests, and each is matched by what
 * it runs, not by its tag. A bare `sha256:<hex>` or `docker://sha256:<hex>` is the runtime's image
 * *config* id, not the manifest digest Inspector reports, and is never matched on. Without a usable
 * status (a pending pod), a digest reference in the spec (`repo@sha256:<hex>`) is used. A container
 * with neither is not listed: it cannot be matched. Pods that finished (Succeeded, Failed) run nothing.
 */
export function runningContainersOf(
  cluster: { name: string; account?: string; region?: string },
  objects: readonly KubeObject[],
): RunningContainer[] {
  const index = new Map<string, KubeObject>();
  for (const object of objects) {
    if (object.kind !== 'Pod')
      index.set(keyOf(object.kind, object.metadata.namespace, object.metadata.name), object);
  }
  const where = {
    cluster: cluster.name,
    ...(cluster.account === undefined ? {} : { account: cluster.account }),
    ...(cluster.region === undefined ? {} : { region: cluster.region }),
  };
  // Pods of one controller share its chain: resolved once per controller (a ReplicaSet's 5 pods, once).
  const byController = new Map<string, string>();
  const workloadOfPod = (pod: KubeObject): string => {
    const controller = controllerOf(pod);
    if (controller === undefined) return `pod/${pod.metadata.name}`;
    const key = keyOf(controller.kind, pod.metadata.namespace, controller.name);
    let workload = byController.get(key);
    if (workload === undefined) {
      workload = workloadOf(
        ownerChainOf(pod, (ref) => lookupIn(index, ref)),
        pod.metadata.name,
      );
      byController.set(key, workload);
    }
    return workload;
  };
  const running: RunningContainer[] = [];
  for (const pod of objects) {
    if (pod.kind !== 'Pod') continue;
    const phase = stringField(pod, 'status', 'phase');
    if (phase === 'Succeeded' || phase === 'Failed') continue;
    const containers = podContainers(pod);
    if (containers.length === 0) continue;
    const workload = workloadOfPod(pod);
    for (const container of containers) {
      running.push({
        ...where,
        namespace: pod.metadata.namespace ?? 'default',
        pod: pod.metadata.name,
        container: container.name,
        workload,
        image: container.image,
        digest: container.digest,
      });
    }
  }
  return running;
}

const CONTAINER_LISTS = [
  ['containers', 'containerStatuses'],
  ['initContainers', 'initContainerStatuses'],
  ['ephemeralContainers', 'ephemeralContainerStatuses'],
] as const;

/** A pod's containers of every kind that run a known digest, each once. */
function podContainers(pod: KubeObject): { name: string; image: string; digest: string }[] {
  const found: { name: string; image: string; digest: string }[] = [];
  for (const [specList, statusList] of CONTAINER_LISTS) {
    const statuses = arrayField(pod, 'status', statusList);
    const specs = arrayField(pod, 'spec', specList);
    const seen = new Set<string>();
    for (const spec of specs) {
      const name = stringField(spec, 'name');
      if (name === undefined || seen.has(name)) continue;
      seen.add(name);
      // A pod has a handful of containers: a scan is cheaper than an index.
      const status = statuses.find((candidate) => stringField(candidate, 'name') === name);
      const image = stringField(spec, 'image') ?? stringField(status, 'image') ?? '';
      const digest = manifestDigest(stringField(status, 'imageID')) ?? specDigest(image);
      if (digest !== undefined) found.push({ name, image, digest });
    }
    // A status without its spec entry (a partial object) still says what runs.
    for (const status of statuses) {
      const name = stringField(status, 'name');
      if (name === undefined || seen.has(name)) continue;
      seen.add(name);
      const digest = manifestDigest(stringField(status, 'imageID'));
      if (digest !== undefined) found.push({ name, image: stringField(status, 'image') ?? '', digest });
    }
  }
  return found;
}

/**
 * `repo@sha256:<hex>` or `docker-pullable://repo@sha256:<hex>`; a bare config id is not one. The
 * digest group is IMAGE_DIGEST's pattern (sha256 and 64 lowercase hex digits).
 */
const STATUS_IMAGE_ID = /^(?:docker-pullable:\/\/)?[^@\s]+@(sha256:[0-9a-f]{64})$/;
/** A spec image pinned by digest: `repo@sha256:<hex>` or `repo:tag@sha256:<hex>`. */
const SPEC_IMAGE = /^[^@\s]+@(sha256:[0-9a-f]{64})$/;

/** The manifest digest a container status names, if it names one. */
export function manifestDigest(imageId: string | undefined): string | undefined {
  return imageId === undefined ? undefined : STATUS_IMAGE_ID.exec(imageId)?.[1];
}

function specDigest(image: string): string | undefined {
  return image.includes('@') ? SPEC_IMAGE.exec(image)?.[1] : undefined;
}

/** The top of the owner chain as `<kind>/<name>` (named even when it could not be read), else the pod. */
function workloadOf(chain: OwnerChain, pod: string): string {
  const top = chain.unresolved?.owner ?? chain.owners.at(-1);
  if (top === undefined) return `pod/${pod}`;
  const name = 'metadata' in top ? top.metadata.name : top.name;
  return `${top.kind.toLowerCase()}/${name}`;
}

function keyOf(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}\u0000${namespace ?? ''}\u0000${name}`;
}

function lookupIn(index: ReadonlyMap<string, KubeObject>, ref: OwnerRef): OwnerLookup {
  const object = index.get(keyOf(ref.kind, ref.namespace, ref.name));
  return object === undefined ? { unreadable: 'it is not among the listed objects' } : { object };
}
