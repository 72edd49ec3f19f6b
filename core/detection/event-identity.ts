import { hash } from 'node:crypto';
import type { Actor } from '../model/actor.ts';
import { type AuditEvent, asString, asStringArray, isRecord } from './audit-event.ts';

/**
 * The identity of one API request, for de-duplication and occurrence counting.
 *
 * `auditID` alone cannot be trusted: kube-apiserver copies a client's `Audit-ID` header into it
 * unchanged, so an attacker who sends a harmless request and then a harmful one with the same
 * Audit-ID would have the second dropped as a duplicate of the first. The identity therefore hashes
 * the auditID together with facts the client cannot make equal for two different requests: what was
 * asked (verb, requestURI, objectRef), by whom (user.username), and when the API server received it
 * (`requestReceivedTimestamp`, set by the server with microsecond precision; v1beta1 events call it
 * `timestamp`). The stage is left out on purpose: ResponseStarted and ResponseComplete of one exec
 * share every one of these facts, so the two stages of one request keep one identity.
 *
 * 32 hex characters of SHA-256 (128 bits): short enough for store keys, far from any collision.
 */
export function auditEventIdentity(event: AuditEvent): string {
  const ref = isRecord(event.objectRef) ? event.objectRef : {};
  const facts = [
    event.auditID,
    event.verb,
    event.requestURI,
    isRecord(event.user) ? event.user.username : undefined,
    ref.apiGroup,
    ref.resource,
    ref.subresource,
    ref.namespace,
    ref.name,
    event.requestReceivedTimestamp ?? event.timestamp,
  ].map((fact) => asString(fact) ?? '');
  // JSON keeps the encoding unambiguous: no choice of values makes two fact lists hash alike.
  // crypto.hash: one call, no Hash object per event (an analyzer-throughput hot path).
  return hash('sha256', JSON.stringify(facts), 'hex').slice(0, 32);
}

/** The first string of a `user.extra` entry (EKS puts one value in each list). */
function extraValue(extra: unknown, key: string): string | undefined {
  if (!isRecord(extra)) return undefined;
  const value = asStringArray(extra[key])[0]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/**
 * The IAM identity behind the Kubernetes username, as the EKS authenticator recorded it in
 * `user.extra` (`arn`, `sessionName`, `accessKeyId`); undefined when the event names none (service
 * accounts, anonymous requests, non-EKS clusters).
 */
export function auditActor(event: AuditEvent): Actor | undefined {
  const extra = isRecord(event.user) ? event.user.extra : undefined;
  const actor: Actor = {};
  const arn = extraValue(extra, 'arn');
  const sessionName = extraValue(extra, 'sessionName');
  const accessKeyId = extraValue(extra, 'accessKeyId');
  if (arn !== undefined) actor.arn = arn;
  if (sessionName !== undefined) actor.sessionName = sessionName;
  if (accessKeyId !== undefined) actor.accessKeyId = accessKeyId;
  return Object.keys(actor).length > 0 ? actor : undefined;
}
