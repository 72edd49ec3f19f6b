import { isKubeKind, type KubeKind } from './kube-kinds.ts';
import { controllerOf, type KubeObject, type OwnerReference } from './kube-object.ts';

/**
 * The one owner-chain resolver: an object's controllers from its direct one upwards (Pod →
 * ReplicaSet → Deployment), through `controllerOf`. The walk is written once and driven two ways:
 * against listed objects (pure, synchronous: secret consumers) or against the API (asynchronous:
 * isolation, forensics). Owners are looked up in the object's own namespace, as the garbage
 * collector does for namespaced dependents.
 */

/** Controllers kubeguard reads; others (CronJob, Argo Rollout, operators' kinds) are named, not read. */
export const READ_OWNER_KINDS: ReadonlySet<string> = new Set([
  'ReplicaSet',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'Job',
]);

/** A chain longer than this loops (hostile ownerReferences) or is not one Kubernetes builds. */
const MAX_DEPTH = 8;

export interface OwnerChain {
  /** Controllers from the object's direct owner upwards: ReplicaSet, then Deployment. */
  owners: KubeObject[];
  /** A controller that could not be read, with the reason (unsupported kind, gone, forbidden). */
  unresolved?: { owner: OwnerReference; reason: string };
}

export interface OwnerRef {
  kind: KubeKind;
  namespace?: string;
  name: string;
}

/** The owner, or why it could not be read. */
export type OwnerLookup = { object: KubeObject } | { unreadable: string };

function* walk(object: KubeObject): Generator<OwnerRef, OwnerChain, OwnerLookup> {
  const owners: KubeObject[] = [];
  const namespace = object.metadata.namespace;
  const seen = new Set<string>();
  let current = object;
  for (let owner = controllerOf(current); owner !== undefined; owner = controllerOf(current)) {
    if (!READ_OWNER_KINDS.has(owner.kind) || !isKubeKind(owner.kind)) {
      return { owners, unresolved: { owner, reason: `kubeguard does not read ${owner.kind} owners` } };
    }
    const key = `${owner.kind}/${owner.name}`;
    if (seen.has(key) || owners.length >= MAX_DEPTH) {
      return { owners, unresolved: { owner, reason: 'its ownerReferences form a loop' } };
    }
    seen.add(key);
    const answer = yield { kind: owner.kind, name: owner.name, ...(namespace ? { namespace } : {}) };
    if ('unreadable' in answer) return { owners, unresolved: { owner, reason: answer.unreadable } };
    owners.push(answer.object);
    current = answer.object;
  }
  return { owners };
}

/** The chain through objects already at hand (e.g. listed), looked up synchronously. */
export function ownerChainOf(object: KubeObject, lookup: (ref: OwnerRef) => OwnerLookup): OwnerChain {
  const walker = walk(object);
  let step = walker.next();
  while (!step.done) step = walker.next(lookup(step.value));
  return step.value;
}

/** The chain read from the API; errors other than the lookup's own answers propagate. */
export async function readOwnerChain(
  object: KubeObject,
  lookup: (ref: OwnerRef) => Promise<OwnerLookup>,
): Promise<OwnerChain> {
  const walker = walk(object);
  let step = walker.next();
  while (!step.done) step = walker.next(await lookup(step.value));
  return step.value;
}
