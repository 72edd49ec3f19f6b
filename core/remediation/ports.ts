import type { KubeKind } from '../model/kube-kinds.ts';
import type { KubeObject } from '../model/kube-object.ts';

/**
 * What remediation needs from a Kubernetes API server and an evidence store, and nothing more.
 * adapters/kubernetes/client.ts and adapters/evidence/ implement them; tests use the loopback API
 * double (test/support/kube-api-double.ts) or in-memory fakes.
 *
 * Errors: implementations fail with a KubeguardError whose `details` carry `{status, reason}` from
 * the API's Status object: NOT_FOUND (404), FORBIDDEN (401/403), CONFLICT (409: AlreadyExists, or
 * Conflict on a stale resourceVersion or a failed delete precondition), INVALID_ARGUMENT (400/422,
 * e.g. a JSON patch whose `test` no longer holds), UNSUPPORTED (415), RATE_LIMITED (429),
 * UPSTREAM (5xx or unreachable).
 */

export interface ObjectRef {
  kind: KubeKind;
  /** Required for namespaced kinds, absent for cluster-scoped ones (Node, Namespace, ClusterRole…). */
  namespace?: string;
  name: string;
}

export interface ListQuery {
  kind: KubeKind;
  /** Absent: every namespace (or a cluster-scoped kind). */
  namespace?: string;
  /** `app=web,tier!=db,env in (a,b),debug,!legacy` */
  labelSelector?: string;
  /** e.g. `spec.nodeName=ip-10-0-1-2.ec2.internal` */
  fieldSelector?: string;
}

export interface PodLogRef {
  namespace: string;
  pod: string;
  container: string;
  /** The log of the previous, terminated instance of the container. */
  previous: boolean;
}

export interface KubeReader {
  /** The object; NOT_FOUND when it does not exist. */
  get(ref: ObjectRef): Promise<KubeObject>;
  /** Every matching object (implementations follow `continue` tokens), with `kind` and `apiVersion` set. */
  list(query: ListQuery): Promise<KubeObject[]>;
  /** The container's log as text; INVALID_ARGUMENT (400) when there is no previous instance. */
  podLog(ref: PodLogRef): Promise<string>;
}

/**
 * The three PATCH formats, each sent with its own Content-Type:
 * `application/strategic-merge-patch+json`, `application/merge-patch+json`,
 * `application/json-patch+json`.
 */
export type PatchType = 'strategic-merge' | 'merge' | 'json';

export const PATCH_CONTENT_TYPES: Readonly<Record<PatchType, string>> = {
  'strategic-merge': 'application/strategic-merge-patch+json',
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
};

export interface DeletePreconditions {
  uid?: string;
  resourceVersion?: string;
}

export interface KubeWriter {
  /** Creates the object in `metadata.namespace`; CONFLICT when it already exists. */
  create(object: KubeObject): Promise<KubeObject>;
  patch(ref: ObjectRef, patch: { type: PatchType; body: unknown }): Promise<KubeObject>;
  /** Deletes the object, only if the preconditions still hold (CONFLICT otherwise). */
  delete(ref: ObjectRef, preconditions?: DeletePreconditions): Promise<void>;
}

export type KubeClient = KubeReader & KubeWriter;

/** One file of a forensic bundle. */
export interface EvidenceFile {
  /** Relative path inside the bundle, e.g. `logs/app.previous.log`. */
  path: string;
  content: string;
  contentType: 'application/json' | 'text/plain';
}

export interface EvidenceManifestEntry {
  path: string;
  /** Hex SHA-256 of the UTF-8 content. */
  sha256: string;
  bytes: number;
}

export interface EvidenceManifest {
  bundleId: string;
  target: { kind: string; namespace?: string; name: string; uid?: string };
  capturedAt: string;
  capturedBy: string;
  files: EvidenceManifestEntry[];
  /** What could not be captured and why (e.g. no previous container, a forbidden read). */
  missing: { item: string; reason: string }[];
}

export interface EvidenceBundle {
  /** Unique per capture; used as a key prefix or directory name (`[a-z0-9./-]`). */
  id: string;
  files: EvidenceFile[];
  manifest: EvidenceManifest;
}

export interface EvidenceReceipt {
  bundleId: string;
  /** `s3://bucket/prefix/` or a directory path. */
  location: string;
  /** Hex SHA-256 of `manifest.json` as stored. */
  manifestSha256: string;
}

/**
 * Where forensic bundles go: S3 in AWS, a local directory in the sandbox. `put` stores every file
 * and then `manifest.json`, refuses to overwrite an existing bundle (CONFLICT), and resolves only
 * when everything is durably stored.
 */
export interface EvidenceStore {
  put(bundle: EvidenceBundle): Promise<EvidenceReceipt>;
}
