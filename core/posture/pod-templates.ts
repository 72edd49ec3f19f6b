import { controllerOf } from '../model/kube-object.ts';
import type { ObjectRef } from './check.ts';
import { type Subject, subjectOf } from './results.ts';
import type { ClusterSnapshot, KubeObject } from './snapshot.ts';
import { namespaceOf, objectsOfKind } from './snapshot-index.ts';

/**
 * Pod specs per workload. Results are reported once per workload (the Deployment, not each of its
 * replicas): a Pod is audited only when nothing in the snapshot controls it, a ReplicaSet only when
 * its Deployment is absent, a Job only when its CronJob is absent.
 */
export type Json = Record<string, unknown>;

export interface PodTemplate {
  /** The object results are reported on. */
  workload: KubeObject;
  ref: ObjectRef;
  /** The object, file and line results are reported on. */
  subject: Subject;
  /** Manifest file of the workload (same as `subject.file`). */
  file?: string;
  /** Effective namespace (`default` when the manifest leaves it out). */
  namespace: string;
  /** Dotted path of the pod spec inside the workload: `spec`, `spec.template.spec`, … */
  specPath: string;
  spec: Json;
  /** Dotted path of the pod metadata (labels, annotations) inside the workload. */
  metadataPath: string;
  labels: Readonly<Record<string, string>>;
  annotations: Readonly<Record<string, string>>;
}

export type ContainerGroup = 'containers' | 'initContainers' | 'ephemeralContainers';
export const ALL_CONTAINER_GROUPS: readonly ContainerGroup[] = [
  'containers',
  'initContainers',
  'ephemeralContainers',
];
/** Ephemeral containers may not set resources, ports or probes. */
export const RUNNING_CONTAINER_GROUPS: readonly ContainerGroup[] = ['containers', 'initContainers'];

export interface ContainerEntry {
  container: Json;
  group: ContainerGroup;
  /** e.g. `spec.template.spec.initContainers[1]` */
  path: string;
  /** `name`, or `#index` when a (malformed) container has none. */
  name: string;
}

/** Kinds that carry a pod template, with the path of that template. */
const TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};
export const WORKLOAD_KINDS: readonly string[] = Object.keys(TEMPLATE_PATHS);

export function record(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/**
 * Nested field by keys; undefined as soon as a step is not an object. A `null` (YAML `field:` with
 * nothing after it) reads as undefined, as the API server treats it.
 */
export function dig(value: unknown, ...keys: string[]): unknown {
  let current: unknown = value;
  // Indexed loop and an inline object test: ~40 checks call this for each of 10,000s of templates.
  for (let i = 0; i < keys.length; i++) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    current = (current as Json)[keys[i] as string];
  }
  return current === null ? undefined : current;
}

function stringMap(value: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, item] of Object.entries(record(value) ?? {})) {
    if (item !== undefined && item !== null) result[key] = String(item);
  }
  return result;
}

/** The controller of an object (one rule for posture and remediation: core/model/kube-object.ts). */
export { controllerOf };

const cache = new WeakMap<ClusterSnapshot, readonly PodTemplate[]>();

/** Every pod spec to audit, one per workload (cached per snapshot). */
export function podTemplates(snapshot: ClusterSnapshot): readonly PodTemplate[] {
  const cached = cache.get(snapshot);
  if (cached !== undefined) return cached;
  const present = new Set<string>();
  for (const kind of WORKLOAD_KINDS) {
    for (const object of objectsOfKind(snapshot, kind))
      present.add(key(kind, namespaceOf(object), object.metadata.name));
  }
  const controlledHere = (object: KubeObject) => {
    const controller = controllerOf(object);
    return (
      controller !== undefined && present.has(key(controller.kind, namespaceOf(object), controller.name))
    );
  };
  const templates: PodTemplate[] = [];
  for (const pod of objectsOfKind(snapshot, 'Pod')) {
    if (controlledHere(pod)) continue;
    const spec = record(pod.spec);
    if (spec !== undefined)
      templates.push(template(pod, subjectOf(snapshot, pod), 'spec', spec, 'metadata', pod.metadata));
  }
  for (const kind of WORKLOAD_KINDS) {
    const path = TEMPLATE_PATHS[kind] ?? [];
    for (const workload of objectsOfKind(snapshot, kind)) {
      if (controlledHere(workload)) continue;
      const podTemplate = record(dig(workload, ...path));
      const spec = record(podTemplate?.spec);
      if (spec === undefined) continue;
      const base = path.join('.');
      templates.push(
        template(
          workload,
          subjectOf(snapshot, workload),
          `${base}.spec`,
          spec,
          `${base}.metadata`,
          podTemplate?.metadata,
        ),
      );
    }
  }
  cache.set(snapshot, templates);
  return templates;
}

function key(kind: string, namespace: string, name: string): string {
  return `${kind}\u0000${namespace}\u0000${name}`;
}

function template(
  workload: KubeObject,
  subject: Subject,
  specPath: string,
  spec: Json,
  metadataPath: string,
  metadata: unknown,
): PodTemplate {
  const result: PodTemplate = {
    workload,
    ref: subject.ref,
    subject,
    namespace: namespaceOf(workload),
    specPath,
    spec,
    metadataPath,
    labels: stringMap(dig(metadata, 'labels')),
    annotations: stringMap(dig(metadata, 'annotations')),
  };
  if (subject.file !== undefined) result.file = subject.file;
  Object.defineProperty(result, CONTAINER_LISTS, { value: {} });
  return result;
}

/** Each template's container lists for the two shared group lists, filled on first use. */
interface ContainerLists {
  all?: ContainerEntry[];
  running?: ContainerEntry[];
}
/** Kept on the template itself (non-enumerable): a WeakMap lookup per call cost ~80 ms per audit. */
const CONTAINER_LISTS = Symbol('containerLists');

/**
 * The containers of a pod spec, in the given groups, with their paths. Some 40 checks ask this of
 * every template: the answer is kept per template and groups list (callers must not modify it).
 */
export function containersOf(
  template: PodTemplate,
  groups: readonly ContainerGroup[] = ALL_CONTAINER_GROUPS,
): ContainerEntry[] {
  // Only the shared group lists are cached: a literal list is a new key at every call.
  const slot =
    groups === ALL_CONTAINER_GROUPS ? 'all' : groups === RUNNING_CONTAINER_GROUPS ? 'running' : undefined;
  if (slot === undefined) return listContainers(template, groups);
  let lists = (template as { [CONTAINER_LISTS]?: ContainerLists })[CONTAINER_LISTS];
  if (lists === undefined) {
    lists = {};
    Object.defineProperty(template, CONTAINER_LISTS, { value: lists });
  }
  const cached = lists[slot];
  if (cached !== undefined) return cached;
  const entries = listContainers(template, groups);
  lists[slot] = entries;
  return entries;
}

function listContainers(template: PodTemplate, groups: readonly ContainerGroup[]): ContainerEntry[] {
  const entries: ContainerEntry[] = [];
  for (const group of groups) {
    list(template.spec[group]).forEach((item, index) => {
      const container = record(item) ?? {};
      const name = typeof container.name === 'string' ? container.name : `#${index}`;
      entries.push({ container, group, path: `${template.specPath}.${group}[${index}]`, name });
    });
  }
  return entries;
}

/** Pod Security Standards exempt Windows pods from the Linux-only restricted controls. */
export function isWindowsPod(template: PodTemplate): boolean {
  return dig(template.spec, 'os', 'name') === 'windows';
}
