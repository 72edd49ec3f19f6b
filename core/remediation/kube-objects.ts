import { KubeguardError } from '../errors.ts';
import { compileSelector } from '../netpol/labels.ts';
import type { LabelSelector } from '../netpol/types.ts';
import type { KubeReader, ObjectRef } from './ports.ts';

/**
 * Kubernetes objects as the API returns them (wire JSON), and the kinds remediation touches. Only
 * `metadata` is typed: the rest is read defensively, since a cluster's objects may carry fields
 * newer than this code.
 */

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  creationTimestamp?: string;
  [field: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export const KUBE_KINDS = {
  Pod: { apiVersion: 'v1', resource: 'pods', namespaced: true },
  Namespace: { apiVersion: 'v1', resource: 'namespaces', namespaced: false },
  Node: { apiVersion: 'v1', resource: 'nodes', namespaced: false },
  Service: { apiVersion: 'v1', resource: 'services', namespaced: true },
  Event: { apiVersion: 'v1', resource: 'events', namespaced: true },
  ServiceAccount: { apiVersion: 'v1', resource: 'serviceaccounts', namespaced: true },
  Secret: { apiVersion: 'v1', resource: 'secrets', namespaced: true },
  ConfigMap: { apiVersion: 'v1', resource: 'configmaps', namespaced: true },
  NetworkPolicy: { apiVersion: 'networking.k8s.io/v1', resource: 'networkpolicies', namespaced: true },
  Role: { apiVersion: 'rbac.authorization.k8s.io/v1', resource: 'roles', namespaced: true },
  RoleBinding: { apiVersion: 'rbac.authorization.k8s.io/v1', resource: 'rolebindings', namespaced: true },
  ClusterRole: { apiVersion: 'rbac.authorization.k8s.io/v1', resource: 'clusterroles', namespaced: false },
  ClusterRoleBinding: {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    resource: 'clusterrolebindings',
    namespaced: false,
  },
  Deployment: { apiVersion: 'apps/v1', resource: 'deployments', namespaced: true },
  ReplicaSet: { apiVersion: 'apps/v1', resource: 'replicasets', namespaced: true },
  StatefulSet: { apiVersion: 'apps/v1', resource: 'statefulsets', namespaced: true },
  DaemonSet: { apiVersion: 'apps/v1', resource: 'daemonsets', namespaced: true },
  Job: { apiVersion: 'batch/v1', resource: 'jobs', namespaced: true },
  PodDisruptionBudget: { apiVersion: 'policy/v1', resource: 'poddisruptionbudgets', namespaced: true },
  /** External Secrets Operator (v1 is served from ESO 0.17; the API server converts v1beta1 objects). */
  ExternalSecret: { apiVersion: 'external-secrets.io/v1', resource: 'externalsecrets', namespaced: true },
  /** Secrets Store CSI driver. */
  SecretProviderClass: {
    apiVersion: 'secrets-store.csi.x-k8s.io/v1',
    resource: 'secretproviderclasses',
    namespaced: true,
  },
} as const;

export type KubeKind = keyof typeof KUBE_KINDS;

export function isKubeKind(kind: string): kind is KubeKind {
  return Object.hasOwn(KUBE_KINDS, kind);
}

/** The API group of a kind: `''` for the core group. */
export function apiGroupOf(kind: KubeKind): string {
  const { apiVersion } = KUBE_KINDS[kind];
  return apiVersion.includes('/') ? (apiVersion.split('/')[0] as string) : '';
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

/** The owner that controls the object (`controller: true`), if any. */
export function controllerOf(object: KubeObject): OwnerReference | undefined {
  return (object.metadata.ownerReferences ?? []).find((owner) => owner.controller === true);
}

/**
 * Whether a `spec.selector` (a LabelSelector on workloads and PDBs) matches the labels. A missing or
 * malformed selector matches nothing: remediation must not treat "unknown" as "selects this pod".
 */
export function labelSelectorMatches(selector: unknown, labels: Record<string, string>): boolean {
  if (typeof selector !== 'object' || selector === null) return false;
  try {
    return compileSelector(selector as LabelSelector, 'selector')(labels);
  } catch {
    return false;
  }
}

/** The label keys a LabelSelector refers to. */
export function selectorKeys(selector: unknown): string[] {
  const matchLabels = field(selector, 'matchLabels');
  const keys = typeof matchLabels === 'object' && matchLabels !== null ? Object.keys(matchLabels) : [];
  for (const expression of arrayField(selector, 'matchExpressions')) {
    const key = stringField(expression, 'key');
    if (key !== undefined) keys.push(key);
  }
  return keys;
}

/** A Service's `spec.selector` is a plain map; empty or missing selects no pod (manual endpoints). */
export function serviceSelects(service: KubeObject, labels: Record<string, string>): boolean {
  const selector = field(service, 'spec', 'selector');
  if (typeof selector !== 'object' || selector === null) return false;
  const pairs = Object.entries(selector as Record<string, unknown>);
  return (
    pairs.length > 0 && pairs.every(([key, value]) => Object.hasOwn(labels, key) && labels[key] === value)
  );
}

/** A label value Kubernetes accepts: at most 63 characters, alphanumeric at both ends. */
const LABEL_VALUE = /^(?:[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?)$/;

export function requireLabelValue(value: string, what: string): string {
  if (LABEL_VALUE.test(value)) return value;
  throw new KubeguardError(
    'INVALID_ARGUMENT',
    `${what} ${JSON.stringify(value)} is not a valid label value; use at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`,
    { details: { what, value } },
  );
}

/** Escapes a JSON pointer token (RFC 6901): label keys such as `app.kubernetes.io/name` carry '/'. */
export function pointerToken(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** The object, or undefined when the API answers 404; other errors propagate. */
export async function findObject(kube: KubeReader, ref: ObjectRef): Promise<KubeObject | undefined> {
  try {
    return await kube.get(ref);
  } catch (error) {
    if (error instanceof KubeguardError && error.code === 'NOT_FOUND') return undefined;
    throw error;
  }
}

/** A namespace, pod or node name as Kubernetes spells them (DNS-1123 subdomain). */
export function requireName(value: string, what: string): string {
  if (/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(value)) return value;
  throw new KubeguardError(
    'INVALID_ARGUMENT',
    `${what} ${JSON.stringify(value)} is not a Kubernetes name; pass the ${what} exactly as kubectl shows it`,
    { details: { [what]: value } },
  );
}
