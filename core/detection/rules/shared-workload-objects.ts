/** Helpers for rules about named API objects (workload controllers, secrets, CSRs …). */
import { literal, type Sentence, sentence } from '../../model/sentence.ts';
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

/** "create" → "created", for summaries; an unknown verb is quoted as a value. */
export function pastTense(verb: string): Sentence {
  const known: Record<string, string> = {
    create: 'created',
    update: 'updated',
    patch: 'patched',
    delete: 'deleted',
    get: 'read',
    list: 'listed',
    watch: 'watched',
  };
  const tense = known[verb];
  return tense === undefined ? sentence`${verb} (verb)` : literal(tense);
}

/** " in namespace prod" or "" for cluster-scoped requests. */
export function inNamespace(namespace: string | undefined): Sentence {
  return namespace === undefined ? literal('') : sentence` in namespace ${namespace}`;
}

/** An object's name, or `(unnamed)` (kubeguard's word, not a value) when the event has none. */
export function nameOrUnnamed(name: string | undefined): Sentence {
  return name === undefined ? literal('(unnamed)') : sentence`${name}`;
}
