import { KubeguardError } from '#core/errors.ts';
import { KUBE_KINDS, type KubeKind, type KubeObject } from '#core/remediation/kube-objects.ts';
import type {
  DeletePreconditions,
  KubeClient,
  ListQuery,
  ObjectRef,
  PatchType,
  PodLogRef,
} from '#core/remediation/ports.ts';
import {
  ApiFailure,
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  parseFieldSelector,
  parseLabelSelector,
} from './kube-api-semantics.ts';

/**
 * The KubeReader/KubeWriter ports in memory, for unit tests of the core actions: the same selector
 * and patch semantics as the loopback API double, errors as the client adapter reports them, and a
 * record of every write. `fail` makes the next matching call fail as the API would.
 */

export interface RecordedWrite {
  op: 'create' | 'patch' | 'delete';
  kind: string;
  namespace?: string;
  name: string;
  patchType?: PatchType;
  body?: unknown;
  preconditions?: DeletePreconditions;
}

const FIELDS = [
  'metadata.name',
  'metadata.namespace',
  'spec.nodeName',
  'status.phase',
  'involvedObject.kind',
  'involvedObject.name',
  'involvedObject.uid',
];

export class InMemoryKube implements KubeClient {
  readonly writes: RecordedWrite[] = [];
  private readonly objects = new Map<string, KubeObject>();
  private readonly logs = new Map<string, string>();
  private readonly failures: { call: string; error: KubeguardError }[] = [];
  private revision = 100;

  constructor(objects: readonly KubeObject[] = []) {
    for (const object of objects) this.put(object);
  }

  put(object: KubeObject): void {
    const kind = object.kind as KubeKind;
    const copy = structuredClone(object);
    // As the API server: every object has a uid, and every write gives it a new resourceVersion.
    copy.metadata.uid ??= `uid-${kind}-${copy.metadata.namespace ?? ''}-${copy.metadata.name}`;
    copy.metadata.resourceVersion = String(++this.revision);
    this.objects.set(key(kind, copy.metadata.namespace, copy.metadata.name), copy);
  }

  find(kind: KubeKind, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.objects.get(key(kind, namespace, name));
    return found === undefined ? undefined : structuredClone(found);
  }

  setLog(ref: PodLogRef, text: string): void {
    this.logs.set(logKey(ref), text);
  }

  /** The next call named `verb kind` (e.g. `create NetworkPolicy`, `podLog Pod`) fails with `status`. */
  fail(call: string, status: number, reason: string): void {
    const code = (
      {
        400: 'INVALID_ARGUMENT',
        403: 'FORBIDDEN',
        404: 'NOT_FOUND',
        409: 'CONFLICT',
        422: 'INVALID_ARGUMENT',
      } as const
    )[status as 400];
    this.failures.push({
      call,
      error: new KubeguardError(code ?? 'UPSTREAM', `${call} refused (HTTP ${status} ${reason})`, {
        details: { status, reason },
      }),
    });
  }

  async get(ref: ObjectRef): Promise<KubeObject> {
    this.failIfScripted(`get ${ref.kind}`);
    const found = this.find(ref.kind, ref.namespace, ref.name);
    if (found === undefined) throw notFound(ref);
    return found;
  }

  async list(query: ListQuery): Promise<KubeObject[]> {
    this.failIfScripted(`list ${query.kind}`);
    const labels = parseLabelSelector(query.labelSelector ?? '');
    const fields = parseFieldSelector(query.fieldSelector ?? '', FIELDS);
    return [...this.objects.values()]
      .filter((o) => o.kind === query.kind)
      .filter((o) => query.namespace === undefined || o.metadata.namespace === query.namespace)
      .filter((o) => labels(o.metadata.labels ?? {}) && fields(o as Record<string, unknown>))
      .map((o) => structuredClone(o));
  }

  async podLog(ref: PodLogRef): Promise<string> {
    this.failIfScripted('podLog Pod');
    await this.get({ kind: 'Pod', namespace: ref.namespace, name: ref.pod });
    const log = this.logs.get(logKey(ref));
    if (log === undefined && ref.previous) {
      throw new KubeguardError(
        'INVALID_ARGUMENT',
        `previous terminated container "${ref.container}" not found`,
        {
          details: { status: 400, reason: 'BadRequest' },
        },
      );
    }
    return log ?? '';
  }

  async create(object: KubeObject): Promise<KubeObject> {
    const kind = object.kind as KubeKind;
    this.writes.push({
      op: 'create',
      kind,
      name: object.metadata.name,
      ...ns(object.metadata.namespace),
      body: object,
    });
    this.failIfScripted(`create ${kind}`);
    if (this.find(kind, object.metadata.namespace, object.metadata.name)) {
      throw new KubeguardError('CONFLICT', `${kind} ${object.metadata.name} already exists`, {
        details: { status: 409, reason: 'AlreadyExists' },
      });
    }
    this.put({ ...object, metadata: { ...object.metadata, uid: `uid-${object.metadata.name}` } });
    return this.get({ kind, name: object.metadata.name, ...ns(object.metadata.namespace) });
  }

  async patch(ref: ObjectRef, patch: { type: PatchType; body: unknown }): Promise<KubeObject> {
    this.writes.push({
      op: 'patch',
      kind: ref.kind,
      name: ref.name,
      ...ns(ref.namespace),
      patchType: patch.type,
      body: patch.body,
    });
    this.failIfScripted(`patch ${ref.kind}`);
    const current = await this.get(ref);
    const apply = {
      'strategic-merge': applyStrategicMergePatch,
      merge: applyMergePatch,
      json: applyJsonPatch,
    }[patch.type];
    let next: KubeObject;
    try {
      next = apply(current, patch.body) as KubeObject;
    } catch (error) {
      if (!(error instanceof ApiFailure)) throw error;
      throw new KubeguardError('INVALID_ARGUMENT', error.message, {
        details: { status: error.status, reason: error.reason },
      });
    }
    assertGuards(ref, current, next);
    this.put(next);
    return this.get(ref);
  }

  async delete(ref: ObjectRef, preconditions?: DeletePreconditions): Promise<void> {
    this.writes.push({
      op: 'delete',
      kind: ref.kind,
      name: ref.name,
      ...ns(ref.namespace),
      ...(preconditions ? { preconditions } : {}),
    });
    this.failIfScripted(`delete ${ref.kind}`);
    const current = await this.get(ref);
    if (preconditions?.uid !== undefined && preconditions.uid !== current.metadata.uid) {
      throw new KubeguardError('CONFLICT', 'Precondition failed: uid', {
        details: { status: 409, reason: 'Conflict' },
      });
    }
    this.objects.delete(key(ref.kind, ref.namespace, ref.name));
  }

  private failIfScripted(call: string): void {
    const index = this.failures.findIndex((f) => f.call === call);
    if (index < 0) return;
    const [failure] = this.failures.splice(index, 1);
    throw failure?.error;
  }
}

/** The API server's checks on a patched object: a stale resourceVersion (409), a changed uid (422). */
function assertGuards(ref: ObjectRef, current: KubeObject, next: KubeObject): void {
  const { resourceVersion, uid } = next.metadata;
  if (resourceVersion !== undefined && resourceVersion !== current.metadata.resourceVersion) {
    throw new KubeguardError('CONFLICT', `${ref.kind} ${ref.name}: the object has been modified`, {
      details: { status: 409, reason: 'Conflict' },
    });
  }
  if (uid !== current.metadata.uid) {
    throw new KubeguardError(
      'INVALID_ARGUMENT',
      `${ref.kind} ${ref.name}: metadata.uid: field is immutable`,
      {
        details: { status: 422, reason: 'Invalid' },
      },
    );
  }
}

function key(kind: KubeKind, namespace: string | undefined, name: string): string {
  return `${kind}/${KUBE_KINDS[kind].namespaced ? (namespace ?? '') : ''}/${name}`;
}

function logKey(ref: PodLogRef): string {
  return `${ref.namespace}/${ref.pod}/${ref.container}/${ref.previous}`;
}

function ns(namespace: string | undefined): { namespace?: string } {
  return namespace === undefined ? {} : { namespace };
}

function notFound(ref: ObjectRef): KubeguardError {
  return new KubeguardError('NOT_FOUND', `${KUBE_KINDS[ref.kind].resource} "${ref.name}" not found`, {
    details: { status: 404, reason: 'NotFound' },
  });
}
