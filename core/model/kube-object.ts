/**
 * A Kubernetes object as the API server returns it (wire JSON) or as a manifest writes it: the one
 * model posture, NetworkPolicy evaluation and remediation share. Only `kind` and `metadata` are
 * typed; everything else is read defensively with the helpers below, since a cluster's objects are
 * untrusted and may carry fields newer than this code (the reader keeps them: decision D12).
 */

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  creationTimestamp?: string;
  [field: string]: unknown;
}

export interface KubeObject {
  /** Absent only on manifests that leave it out; the reader always sets it. */
  apiVersion?: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/** `Kind namespace/name` or `Kind name`, for messages and plans. */
export function describeRef(ref: { kind: string; namespace?: string; name: string }): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

export function labelsOf(object: KubeObject): Record<string, string> {
  return { ...(object.metadata.labels ?? {}) };
}

export function annotationsOf(object: KubeObject): Record<string, string> {
  return { ...(object.metadata.annotations ?? {}) };
}

/** A nested field read without trusting the object's shape: `field(pod, 'spec', 'nodeName')`. */
export function field(object: unknown, ...path: string[]): unknown {
  let current = object;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

export function stringField(object: unknown, ...path: string[]): string | undefined {
  const value = field(object, ...path);
  return typeof value === 'string' ? value : undefined;
}

export function numberField(object: unknown, ...path: string[]): number | undefined {
  const value = field(object, ...path);
  return typeof value === 'number' ? value : undefined;
}

export function arrayField(object: unknown, ...path: string[]): unknown[] {
  const value = field(object, ...path);
  return Array.isArray(value) ? value : [];
}

/**
 * The owner that controls the object: the ownerReference marked `controller: true`, as the API
 * server's garbage collector and `metav1.GetControllerOf` define it. An owner without that mark is
 * an owner for deletion only (an operator's ConfigMap, say) and never recreates the object, so it
 * is not a controller. Malformed references (from a manifest or a hostile object) are skipped.
 */
export function controllerOf(object: KubeObject): OwnerReference | undefined {
  const owner = arrayField(object, 'metadata', 'ownerReferences').find(
    (candidate) => field(candidate, 'controller') === true,
  );
  // A reference without a kind or name (a hand-written manifest) names nothing that could be read.
  if (!stringField(owner, 'kind') || !stringField(owner, 'name')) return undefined;
  return owner as OwnerReference;
}
