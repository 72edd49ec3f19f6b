import { ApiFailure, isObject, type JsonObject } from './failure.ts';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from './patches.ts';
import { apiVersionOf, GENERATIONAL, type ResourceType } from './resources.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';

/**
 * The objects of the in-memory Kubernetes API and the rules the API server applies to every read
 * and write: selectors and paging on lists; `generateName`, 409 AlreadyExists and the namespace's
 * existence on create; the three patch formats (415 for another, and for strategic merge on custom
 * resources); 409 on a stale `resourceVersion`, 422 on another `uid`; delete preconditions;
 * `dryRun=All`; one `resourceVersion` counter for the whole store (as etcd's revision) and
 * `metadata.generation` following `spec`. Validating admission runs before each write is stored.
 */

/** A write as validating admission sees it: after defaulting, before it is stored. */
export interface AdmissionAttributes {
  operation: 'CREATE' | 'UPDATE' | 'DELETE';
  type: ResourceType;
  namespace?: string;
  name: string;
  /** The object as it would be stored; null on DELETE. */
  object: JsonObject | null;
  /** The stored object; null on CREATE. */
  oldObject: JsonObject | null;
  dryRun: boolean;
}

/** Validating admission (e.g. a ValidatingAdmissionPolicy): throw an ApiFailure to refuse the write. */
export type AdmissionHook = (attributes: AdmissionAttributes) => void;

/** Where a request points: a resource type, and maybe a namespace, a name and a subresource. */
export interface Route {
  type: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export class KubeObjectStore {
  admission: AdmissionHook | undefined;
  private readonly objectsByKey = new Map<string, JsonObject>();
  private revision = 1000;
  private uidSequence = 0;

  readonly types: readonly ResourceType[];
  private readonly now: () => string;

  constructor(types: readonly ResourceType[], now: () => string) {
    this.types = types;
    this.now = now;
  }

  /** Adds or replaces an object as if it had always been there. */
  seed(object: JsonObject): JsonObject {
    const type = this.typeOfObject(object);
    const stored = structuredClone(object);
    const metadata = metadataOf(stored);
    metadata.uid ??= this.nextUid();
    metadata.resourceVersion = this.nextRevision();
    metadata.creationTimestamp ??= this.now();
    if (GENERATIONAL.has(type.resource)) metadata.generation ??= 1;
    if (type.namespaced) metadata.namespace ??= 'default';
    else delete metadata.namespace;
    this.objectsByKey.set(
      storeKey(type, metadata.namespace as string | undefined, metadata.name as string),
      stored,
    );
    return structuredClone(stored);
  }

  /** Removes an object as if someone else had deleted it. */
  removeObject(resource: string, namespace: string | undefined, name: string): void {
    const type = this.typeOfResource(resource);
    this.objectsByKey.delete(storeKey(type, type.namespaced ? namespace : undefined, name));
    this.nextRevision();
  }

  /** The stored object, or undefined. */
  object(resource: string, namespace: string | undefined, name: string): JsonObject | undefined {
    const type = this.typeOfResource(resource);
    const found = this.objectsByKey.get(storeKey(type, type.namespaced ? namespace : undefined, name));
    return found === undefined ? undefined : structuredClone(found);
  }

  /** Every stored object of a resource, optionally in one namespace. */
  objects(resource: string, namespace?: string): JsonObject[] {
    return this.objectsOf(this.typeOfResource(resource), namespace).map((o) => structuredClone(o));
  }

  existing(route: Route): JsonObject {
    const found = this.objectsByKey.get(storeKey(route.type, route.namespace, route.name as string));
    if (!found) throw notFoundError(route.type, route.name as string);
    return structuredClone(found);
  }

  list(route: Route, query: URLSearchParams): JsonObject {
    const labels = parseLabelSelector(query.get('labelSelector') ?? '');
    const fields = parseFieldSelector(query.get('fieldSelector') ?? '', [
      'metadata.name',
      'metadata.namespace',
      ...(route.type.fields ?? []),
    ]);
    const matching = this.objectsOf(route.type, route.namespace)
      .filter((o) => labels(labelsOf(o)) && fields(o))
      .sort((a, b) => objectKey(a).localeCompare(objectKey(b)));
    const offset = Number(query.get('continue') ?? '0') || 0;
    const limit = Number(query.get('limit') ?? '0') || matching.length;
    const page = matching.slice(offset, offset + limit);
    const next = offset + limit < matching.length ? String(offset + limit) : undefined;
    return {
      kind: `${route.type.kind}List`,
      apiVersion: apiVersionOf(route.type),
      metadata: { resourceVersion: String(this.revision), ...(next ? { continue: next } : {}) },
      items: page.map(({ kind: _kind, apiVersion: _apiVersion, ...item }) => structuredClone(item)),
    };
  }

  create(route: Route, body: unknown, dryRun: boolean): JsonObject {
    if (route.name !== undefined || !isObject(body)) {
      throw new ApiFailure(400, 'BadRequest', 'create takes an object body on the collection path');
    }
    const object = structuredClone(body);
    const metadata = metadataOf(object);
    if (metadata.name === undefined && typeof metadata.generateName === 'string') {
      metadata.name = `${metadata.generateName}${(this.uidSequence + 1).toString(36).padStart(5, 'x')}`;
    }
    if (typeof metadata.name !== 'string' || metadata.name === '') {
      throw new ApiFailure(422, 'Invalid', `${route.type.kind} "" is invalid: metadata.name: Required value`);
    }
    if (route.type.namespaced) {
      if (metadata.namespace !== undefined && metadata.namespace !== route.namespace) {
        throw new ApiFailure(
          400,
          'BadRequest',
          `the namespace of the provided object does not match the namespace sent on the request`,
        );
      }
      metadata.namespace = route.namespace;
      const namespaces = this.typeOfResource('namespaces');
      if (!this.objectsByKey.has(storeKey(namespaces, undefined, route.namespace as string))) {
        throw notFoundError(namespaces, route.namespace as string);
      }
    }
    const key = storeKey(route.type, route.namespace, metadata.name);
    if (this.objectsByKey.has(key)) {
      throw new ApiFailure(409, 'AlreadyExists', `${route.type.resource} "${metadata.name}" already exists`);
    }
    object.apiVersion = apiVersionOf(route.type);
    object.kind = route.type.kind;
    metadata.uid = this.nextUid();
    metadata.creationTimestamp = this.now();
    if (GENERATIONAL.has(route.type.resource)) metadata.generation = 1;
    delete metadata.resourceVersion;
    this.admit('CREATE', route, metadata.name, object, null, dryRun);
    if (dryRun) return object;
    metadata.resourceVersion = this.nextRevision();
    this.objectsByKey.set(key, object);
    return structuredClone(object);
  }

  replace(route: Route, body: unknown, dryRun: boolean): JsonObject {
    const current = this.existing(route);
    if (!isObject(body)) throw new ApiFailure(400, 'BadRequest', 'update takes an object body');
    return this.commit(route, current, structuredClone(body), dryRun);
  }

  patch(route: Route, contentType: string | undefined, body: unknown, dryRun: boolean): JsonObject {
    const type = (contentType ?? '').split(';')[0]?.trim();
    const current = this.existing(route);
    let patched: unknown;
    if (type === 'application/strategic-merge-patch+json' && !route.type.custom) {
      patched = applyStrategicMergePatch(current, body);
    } else if (type === 'application/merge-patch+json') {
      patched = applyMergePatch(current, body);
    } else if (type === 'application/json-patch+json') {
      patched = applyJsonPatch(current, body);
    } else {
      throw new ApiFailure(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json${route.type.custom ? '' : ', application/strategic-merge-patch+json'}`,
      );
    }
    if (!isObject(patched)) throw new ApiFailure(422, 'Invalid', 'the patch left no object');
    return this.commit(route, current, patched, dryRun);
  }

  remove(route: Route, body: unknown, dryRun: boolean): JsonObject {
    const current = this.existing(route);
    const metadata = metadataOf(current);
    const preconditions = isObject(body) && isObject(body.preconditions) ? body.preconditions : {};
    const mismatch = (['uid', 'resourceVersion'] as const).find(
      (field) => preconditions[field] !== undefined && preconditions[field] !== metadata[field],
    );
    if (mismatch) {
      throw new ApiFailure(
        409,
        'Conflict',
        `Precondition failed: ${mismatch} in precondition: ${String(preconditions[mismatch])}, ${mismatch} in object meta: ${String(metadata[mismatch])}`,
      );
    }
    this.admit('DELETE', route, metadata.name as string, null, current, dryRun);
    if (!dryRun) {
      this.objectsByKey.delete(storeKey(route.type, route.namespace, metadata.name as string));
      this.nextRevision();
    }
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name: metadata.name, group: route.type.group, kind: route.type.resource, uid: metadata.uid },
    };
  }

  typeOfResource(resource: string): ResourceType {
    const type = this.types.find((t) => t.resource === resource);
    if (!type) throw new Error(`the API does not serve ${resource}`);
    return type;
  }

  /** Stores `next` in place of `current` after the checks the API server makes on every write. */
  private commit(route: Route, current: JsonObject, next: JsonObject, dryRun: boolean): JsonObject {
    const before = metadataOf(current);
    const after = metadataOf(next);
    if (after.name !== before.name || (after.namespace ?? before.namespace) !== before.namespace) {
      throw new ApiFailure(
        400,
        'BadRequest',
        `the name of the object (${String(after.name)}) does not match the name on the URL (${String(before.name)})`,
      );
    }
    if (after.resourceVersion !== undefined && after.resourceVersion !== before.resourceVersion) {
      throw new ApiFailure(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${route.type.resource}${route.type.group ? `.${route.type.group}` : ''} "${String(before.name)}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
    if (after.uid !== undefined && after.uid !== before.uid) {
      // The API server validates metadata.uid as immutable: a patch naming another uid is refused.
      throw new ApiFailure(
        422,
        'Invalid',
        `${route.type.kind} "${String(before.name)}" is invalid: metadata.uid: Invalid value: "${String(after.uid)}": field is immutable`,
      );
    }
    next.apiVersion = current.apiVersion;
    next.kind = current.kind;
    after.uid = before.uid;
    after.creationTimestamp = before.creationTimestamp;
    if (route.type.namespaced) after.namespace = before.namespace;
    if (GENERATIONAL.has(route.type.resource)) {
      const specChanged = JSON.stringify(next.spec) !== JSON.stringify(current.spec);
      after.generation = Number(before.generation ?? 1) + (specChanged ? 1 : 0);
    }
    this.admit('UPDATE', route, before.name as string, next, current, dryRun);
    if (dryRun) return next;
    after.resourceVersion = this.nextRevision();
    this.objectsByKey.set(storeKey(route.type, route.namespace, before.name as string), next);
    return structuredClone(next);
  }

  private admit(
    operation: AdmissionAttributes['operation'],
    route: Route,
    name: string,
    object: JsonObject | null,
    oldObject: JsonObject | null,
    dryRun: boolean,
  ): void {
    this.admission?.({
      operation,
      type: route.type,
      ...(route.namespace === undefined ? {} : { namespace: route.namespace }),
      name,
      object: object === null ? null : structuredClone(object),
      oldObject: oldObject === null ? null : structuredClone(oldObject),
      dryRun,
    });
  }

  private objectsOf(type: ResourceType, namespace: string | undefined): JsonObject[] {
    const prefix = `${type.group}/${type.resource}/${type.namespaced && namespace !== undefined ? namespace : ''}`;
    return [...this.objectsByKey.entries()]
      .filter(
        ([key]) =>
          key.startsWith(`${type.group}/${type.resource}/`) &&
          (namespace === undefined || key.startsWith(`${prefix}/`)),
      )
      .map(([, object]) => object);
  }

  private typeOfObject(object: JsonObject): ResourceType {
    const apiVersion = String(object.apiVersion ?? '');
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    const type = this.types.find((t) => t.group === group && t.version === version && t.kind === object.kind);
    if (!type) throw new Error(`the API does not serve ${apiVersion} ${String(object.kind)}`);
    return type;
  }

  private nextRevision(): string {
    this.revision += 1;
    return String(this.revision);
  }

  private nextUid(): string {
    this.uidSequence += 1;
    return `00000000-0000-4000-8000-${this.uidSequence.toString(16).padStart(12, '0')}`;
  }
}

function storeKey(type: ResourceType, namespace: string | undefined, name: string): string {
  return `${type.group}/${type.resource}/${type.namespaced ? (namespace ?? '') : ''}/${name}`;
}

function metadataOf(object: JsonObject): JsonObject {
  if (!isObject(object.metadata)) object.metadata = {};
  return object.metadata as JsonObject;
}

function labelsOf(object: JsonObject): Record<string, string> {
  const metadata = isObject(object.metadata) ? object.metadata : {};
  return isObject(metadata.labels) ? (metadata.labels as Record<string, string>) : {};
}

function objectKey(object: JsonObject): string {
  const metadata = isObject(object.metadata) ? object.metadata : {};
  return `${String(metadata.namespace ?? '')}/${String(metadata.name ?? '')}`;
}

export function notFoundError(type: ResourceType, name: string): ApiFailure {
  const failure = new ApiFailure(
    404,
    'NotFound',
    `${type.resource}${type.group ? `.${type.group}` : ''} "${name}" not found`,
  );
  return Object.assign(failure, { details: { name, group: type.group, kind: type.resource } });
}
