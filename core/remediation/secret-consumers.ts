import { field, type KubeObject } from '../model/kube-object.ts';
import { type OwnerChain, type OwnerLookup, type OwnerRef, ownerChainOf } from '../model/owners.ts';
import { isNamed } from '../secrets/external-secrets.ts';
import { type PodSecretReference, podSecretReferences } from '../secrets/pod-references.ts';
import {
  findSecretWriters,
  keyOf,
  type ObjectKey,
  type SecretIdentity,
  type SecretWriters,
} from '../secrets/writers.ts';

/**
 * Who uses a Secrets Manager secret inside a cluster and what to restart, worked out from listed
 * objects (pure).
 *
 * core/secrets finds the ExternalSecrets (v1 and v1beta1, and those a ClusterExternalSecret
 * creates) and SecretProviderClasses that fetch the secret and the Kubernetes Secrets they write;
 * here, the pods and pod templates that read those Secrets (env, envFrom, secret and projected
 * volumes) or mount the SecretProviderClass through a CSI volume → the controllers that can restart
 * them (Deployment, StatefulSet, DaemonSet), through the owner chain of core/model. Everything is
 * scoped by namespace, as the references themselves are.
 */

export type { ReferenceVia } from '../secrets/pod-references.ts';
export {
  type ClusterExternalSecretUse,
  type ExternalSecretUse,
  type KubernetesSecretUse,
  namesSecret,
  type ObjectKey,
  type SecretIdentity,
  type SecretProviderClassUse,
  type UndeterminedUse,
} from '../secrets/writers.ts';

export interface WorkloadReference extends PodSecretReference {
  /** The object the reference was found on, when it is not the workload itself (one of its pods). */
  foundOn?: ObjectKey;
}

export type RestartableKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Rollout';

export interface WorkloadUse extends ObjectKey {
  kind: RestartableKind;
  references: WorkloadReference[];
  /** Set when a pod-template change will not restart the pods by itself. */
  restartCaveat?: string;
}

export interface UnrestartableUse extends ObjectKey {
  references: WorkloadReference[];
  reason: string;
}

export interface SecretConsumers extends SecretWriters {
  workloads: WorkloadUse[];
  unrestartable: UnrestartableUse[];
}

/** The controllers kubeguard restarts, with the group version they are served at. */
export const RESTARTABLE_API_VERSIONS: Readonly<Record<RestartableKind, string>> = {
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  // Argo Rollouts: restarted through spec.restartAt; its pods are owned by its ReplicaSets.
  Rollout: 'argoproj.io/v1alpha1',
};
const RESTARTABLE_KINDS = Object.keys(RESTARTABLE_API_VERSIONS) as RestartableKind[];

export function findSecretConsumers(secret: SecretIdentity, objects: readonly KubeObject[]): SecretConsumers {
  const writers = findSecretWriters(secret, objects);
  const result: SecretConsumers = { ...writers, workloads: [], unrestartable: [] };
  collectWorkloads(objects, result);
  return result;
}

// ---------------------------------------------------------------- workloads

function collectWorkloads(objects: readonly KubeObject[], result: SecretConsumers): void {
  const secrets = new Set(result.kubernetesSecrets.map((use) => scoped(use.namespace, use.name)));
  const providerClasses = new Set(result.secretProviderClasses.map((use) => scoped(use.namespace, use.name)));
  if (secrets.size === 0 && providerClasses.size === 0) return;
  const index = indexByKind(objects);
  const workloads = new Map<string, WorkloadUse>();
  const addWorkload = (key: ObjectKey & { kind: RestartableKind }, references: WorkloadReference[]) => {
    const id = objectId(key);
    const existing = workloads.get(id);
    if (existing === undefined) {
      const use: WorkloadUse = { ...key, references };
      const caveat = restartCaveat(index.get(id));
      if (caveat !== undefined) use.restartCaveat = caveat;
      workloads.set(id, use);
    } else existing.references.push(...references);
  };
  for (const object of objects) {
    if (!isNamed(object) || typeof object.kind !== 'string') continue;
    const key = keyOf(object);
    const at = podSpecOf(object, key.kind);
    if (at === undefined) continue;
    const references = podSecretReferences(at.spec, at.path).filter((reference) =>
      reference.secret !== undefined
        ? secrets.has(scoped(key.namespace, reference.secret))
        : reference.secretProviderClass !== undefined &&
          providerClasses.has(scoped(key.namespace, reference.secretProviderClass)),
    );
    if (references.length === 0) continue;
    if (isRestartable(key)) addWorkload(key, references);
    else if (key.kind === 'Pod') attributePod(object, key, references, index, addWorkload, result);
  }
  result.workloads = [...workloads.values()].map(preferTemplateReferences);
}

/** A workload seen in its own pod template needs no second listing of what its pods show. */
function preferTemplateReferences(use: WorkloadUse): WorkloadUse {
  const own = use.references.filter((reference) => reference.foundOn === undefined);
  return own.length === 0 ? use : { ...use, references: own };
}

function podSpecOf(object: KubeObject, kind: string): { spec: unknown; path: string } | undefined {
  if (kind === 'Pod') {
    const phase = field(object, 'status', 'phase');
    if (phase === 'Succeeded' || phase === 'Failed') return undefined;
    const spec = field(object, 'spec');
    return isRecord(spec) ? { spec, path: 'spec' } : undefined;
  }
  if (!(RESTARTABLE_KINDS as readonly string[]).includes(kind)) return undefined;
  const spec = field(object, 'spec', 'template', 'spec');
  return isRecord(spec) ? { spec, path: 'spec.template.spec' } : undefined;
}

/**
 * A pod counts for the topmost restartable controller of its owner chain (a Deployment through its
 * ReplicaSet); a pod kubeguard cannot restart through one is reported with what to do instead.
 */
function attributePod(
  pod: KubeObject,
  key: ObjectKey,
  podReferences: WorkloadReference[],
  index: ReadonlyMap<string, KubeObject>,
  addWorkload: (key: ObjectKey & { kind: RestartableKind }, references: WorkloadReference[]) => void,
  result: SecretConsumers,
): void {
  const references = podReferences.map((reference) => ({ ...reference, foundOn: key }));
  const chain = ownerChainOf(pod, (ref) => lookupIn(index, ref));
  const controllers = chainRefs(chain);
  const unrestartable = (reason: string) => result.unrestartable.push({ ...key, references, reason });
  const direct = controllers[0];
  if (direct === undefined) {
    unrestartable('naked pod (no controller): cannot restart: delete/recreate manually');
    return;
  }
  const restartable = [...controllers]
    .reverse()
    .find((owner) => (RESTARTABLE_KINDS as readonly string[]).includes(owner.kind));
  if (restartable !== undefined) {
    const kind = restartable.kind as RestartableKind;
    addWorkload(
      { apiVersion: RESTARTABLE_API_VERSIONS[kind], kind, namespace: key.namespace, name: restartable.name },
      references,
    );
    return;
  }
  if (direct.kind === 'ReplicaSet') {
    const above = controllers[1];
    unrestartable(
      !direct.found
        ? `owned by ReplicaSet ${direct.name}, which was not found: restart its controller by hand`
        : above === undefined
          ? `owned by ReplicaSet ${direct.name} without a Deployment: delete its pods to restart them`
          : `owned by ReplicaSet ${direct.name} of ${above.kind} ${above.name}: restart it with that controller's own tooling`,
    );
    return;
  }
  unrestartable(
    direct.kind === 'Job'
      ? `owned by Job ${direct.name}: a running Job is not restarted; its next run reads the new value`
      : `owned by ${direct.kind} ${direct.name}: restart it with that controller's own tooling`,
  );
}

/** The controllers of a chain, read or not, from the direct one upwards. */
function chainRefs(chain: OwnerChain): { kind: string; name: string; found: boolean }[] {
  return [
    ...chain.owners.map((owner) => ({ kind: owner.kind, name: owner.metadata.name, found: true })),
    ...(chain.unresolved
      ? [{ kind: chain.unresolved.owner.kind, name: chain.unresolved.owner.name, found: false }]
      : []),
  ];
}

function lookupIn(index: ReadonlyMap<string, KubeObject>, ref: OwnerRef): OwnerLookup {
  const object = index.get(
    objectId({ kind: ref.kind, namespace: ref.namespace ?? 'default', name: ref.name }),
  );
  return object === undefined ? { unreadable: 'it is not among the listed objects' } : { object };
}

/** Why patching the pod template will not (yet) replace the pods. */
function restartCaveat(workload: KubeObject | undefined): string | undefined {
  if (workload === undefined) return undefined;
  if (field(workload, 'spec', 'paused') === true) {
    return 'the Deployment is paused: pods restart only after `kubectl rollout resume`';
  }
  if (field(workload, 'spec', 'updateStrategy', 'type') === 'OnDelete') {
    return 'updateStrategy OnDelete: the controller replaces pods only when they are deleted';
  }
  return undefined;
}

// ---------------------------------------------------------------- helpers

function isRestartable(key: ObjectKey): key is ObjectKey & { kind: RestartableKind } {
  return (
    (RESTARTABLE_KINDS as readonly string[]).includes(key.kind) &&
    key.apiVersion === RESTARTABLE_API_VERSIONS[key.kind as RestartableKind]
  );
}

function indexByKind(objects: readonly KubeObject[]): Map<string, KubeObject> {
  const index = new Map<string, KubeObject>();
  for (const object of objects) {
    if (isNamed(object) && typeof object.kind === 'string') index.set(objectId(keyOf(object)), object);
  }
  return index;
}

function objectId(key: { kind: string; namespace: string; name: string }): string {
  return `${key.kind}\u0000${key.namespace}\u0000${key.name}`;
}

function scoped(namespace: string, name: string): string {
  return `${namespace}\u0000${name}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
