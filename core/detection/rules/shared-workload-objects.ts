/** Helpers for rules about named API objects (workload controllers, secrets, CSRs …). */
import { type AuditEvent, asString, getPath, objectName } from '../audit-event.ts';

/** The object's name: objectRef.name, else requestObject.metadata.name (creates carry it only there). */
export function targetName(event: AuditEvent): string | undefined {
  const name = objectName(event) ?? asString(getPath(event.requestObject, 'metadata', 'name'));
  return name === '' ? undefined : name;
}

/** True when objectRef.apiGroup is absent (some log producers omit it) or equals `group`. */
export function inApiGroup(event: AuditEvent, group: string): boolean {
  const actual = asString(event.objectRef?.apiGroup);
  return actual === undefined || actual === '' || actual === group;
}

/** "create" → "created", for summaries. */
export function pastTense(verb: string): string {
  const known: Record<string, string> = {
    create: 'created',
    update: 'updated',
    patch: 'patched',
    delete: 'deleted',
    get: 'read',
    list: 'listed',
    watch: 'watched',
  };
  return known[verb] ?? `${verb} (verb)`;
}

/** " in namespace prod" or "" for cluster-scoped requests. */
export function inNamespace(namespace: string | undefined): string {
  return namespace === undefined ? '' : ` in namespace ${namespace}`;
}
