import type { ClusterSnapshot, KubeObject } from './snapshot.ts';

/**
 * Lookups every check needs, built once per snapshot (checks are pure functions of the snapshot, so
 * the index is cached by identity and shared by all of them — it keeps audits linear in the number
 * of objects instead of rescanning the object list in every check).
 */
export interface SnapshotIndex {
  /** Objects by `kind`, in snapshot order. */
  byKind: ReadonlyMap<string, readonly KubeObject[]>;
  /** Manifest file and line of an object (offline audits). */
  locationOf: (object: KubeObject) => { file?: string; line?: number } | undefined;
}

const EMPTY: readonly KubeObject[] = Object.freeze([]);
const cache = new WeakMap<ClusterSnapshot, SnapshotIndex>();
/** Per snapshot, per kind: objects by `namespace\0name` (built on first lookup of that kind). */
const byNameCache = new WeakMap<ClusterSnapshot, Map<string, Map<string, KubeObject>>>();

export function indexSnapshot(snapshot: ClusterSnapshot): SnapshotIndex {
  const cached = cache.get(snapshot);
  if (cached !== undefined) return cached;
  const byKind = new Map<string, KubeObject[]>();
  const locations = new Map<KubeObject, { file?: string; line?: number }>();
  snapshot.objects.forEach((object, position) => {
    const list = byKind.get(object.kind);
    if (list === undefined) byKind.set(object.kind, [object]);
    else list.push(object);
    const file = snapshot.files?.[position];
    const line = snapshot.lines?.[position];
    if (file !== undefined) locations.set(object, line === undefined ? { file } : { file, line });
  });
  const index: SnapshotIndex = { byKind, locationOf: (object) => locations.get(object) };
  cache.set(snapshot, index);
  return index;
}

export function objectsOfKind(snapshot: ClusterSnapshot, ...kinds: string[]): readonly KubeObject[] {
  const { byKind } = indexSnapshot(snapshot);
  if (kinds.length === 1) return byKind.get(kinds[0] ?? '') ?? EMPTY;
  return kinds.flatMap((kind) => byKind.get(kind) ?? EMPTY);
}

/**
 * The object of a kind with this namespace and name (the first one, as a linear scan would find it).
 * Lookups are O(1) after one pass over the kind — checks that resolve a reference per workload
 * (its ServiceAccount, its ConfigMap …) stay linear in the snapshot.
 */
export function findObject(
  snapshot: ClusterSnapshot,
  kind: string,
  namespace: string,
  name: string,
): KubeObject | undefined {
  let kinds = byNameCache.get(snapshot);
  if (kinds === undefined) {
    kinds = new Map();
    byNameCache.set(snapshot, kinds);
  }
  let named = kinds.get(kind);
  if (named === undefined) {
    named = new Map();
    for (const object of objectsOfKind(snapshot, kind)) {
      const key = nameKey(namespaceOf(object), object.metadata.name);
      if (!named.has(key)) named.set(key, object);
    }
    kinds.set(kind, named);
  }
  return named.get(nameKey(namespace, name));
}

function nameKey(namespace: string, name: string): string {
  return `${namespace}\u0000${name}`;
}

/** The namespace an object lives in: `default` when a namespaced manifest leaves it out. */
export function namespaceOf(object: KubeObject): string {
  const namespace = object.metadata.namespace;
  return typeof namespace === 'string' && namespace !== '' ? namespace : 'default';
}
