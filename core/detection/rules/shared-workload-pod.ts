/**
 * Helpers shared by the pod-spec rules (KD-001 … KD-010, KD-015): where the pod spec is, who the pod
 * is (name, namespace, owning workload) and which container images are allow-listed.
 */

import { literal, type Sentence, sentence } from '../../model/sentence.ts';
import {
  type AuditEvent,
  asArray,
  asString,
  type ContainerView,
  createdPodSpec,
  getPath,
  imageAllowed,
  isRecord,
  namespaceOf,
  objectName,
  resource,
  subresource,
  username,
} from '../audit-event.ts';
import type { DetectionConfig } from '../config.ts';
import type { RuleMatch } from '../rule.ts';

type PodSpec = Record<string, unknown>;

/**
 * The pod spec of a `create pods` request without subresource, whatever its outcome. Rules whose
 * trigger has no success clause (KD-009, KD-015) use this; the others use `createdPodSpec`.
 */
export function requestedPodSpec(event: AuditEvent): PodSpec | undefined {
  if (event.verb !== 'create' || resource(event) !== 'pods' || subresource(event) !== '') return undefined;
  const spec = getPath(event.requestObject, 'spec');
  return isRecord(spec) ? spec : undefined;
}

/** The successfully created pod's spec (catalog "pod spec" + success); re-exported for one import. */
export const successfulPodSpec = createdPodSpec;

export interface PodIdentity {
  namespace?: string;
  /** The pod's name; a `generateName` prefix (ending in `-`) when the name is not known yet. */
  pod?: string;
  /** `<kind lowercased>/<name>` of the controlling owner reference, e.g. `replicaset/web-5d8f9`. */
  workload?: string;
  /** True when `pod` is a `generateName` prefix, not the final name. */
  generatedName: boolean;
}

function nonEmptyString(value: unknown): string | undefined {
  const text = asString(value);
  return text === undefined || text === '' ? undefined : text;
}

/** The controller owner reference (or the first one) as `<kind lowercased>/<name>`. */
function owningWorkload(metadata: unknown): string | undefined {
  const owners = asArray(getPath(metadata, 'ownerReferences')).filter(isRecord);
  const owner = owners.find((ref) => ref.controller === true) ?? owners[0];
  if (owner === undefined) return undefined;
  const kind = nonEmptyString(owner.kind);
  const name = nonEmptyString(owner.name);
  return kind !== undefined && name !== undefined ? `${kind.toLowerCase()}/${name}` : undefined;
}

/**
 * Name, namespace and owner of the pod a `create pods` request makes. Controllers create pods with
 * `generateName` only; the response (RequestResponse level) carries the name the API server chose.
 */
export function podIdentity(event: AuditEvent): PodIdentity {
  const requested = getPath(event.requestObject, 'metadata');
  const created = getPath(event.responseObject, 'metadata');
  const name =
    nonEmptyString(getPath(requested, 'name')) ??
    nonEmptyString(getPath(created, 'name')) ??
    objectName(event);
  const prefix = nonEmptyString(getPath(requested, 'generateName'));
  const namespace = namespaceOf(event) ?? nonEmptyString(getPath(requested, 'namespace'));
  const workload = owningWorkload(requested);
  return {
    namespace,
    pod: name ?? prefix,
    workload,
    generatedName: name === undefined && prefix !== undefined,
  };
}

/** The rule's configured image allow-list (repositories), empty when none is configured. */
export function imageAllowListFor(config: DetectionConfig, ruleId: string): readonly string[] {
  const list = config.imageAllowLists?.[ruleId];
  return Array.isArray(list) ? list : [];
}

/**
 * Pod-level properties (host network, hostPath volumes, namespace) belong to every container, so the
 * pod is exempt only when it has containers and all of their images are allow-listed.
 */
export function everyImageAllowed(
  containers: readonly ContainerView[],
  allowList: readonly string[],
): boolean {
  return containers.length > 0 && containers.every((c) => imageAllowed(c.image, allowList));
}

/** "kubernetes-admin", or a description when the audit event carries no username (401). */
export function actorOf(event: AuditEvent): Sentence {
  const name = username(event);
  return name === '' ? literal('an unauthenticated caller') : sentence`${name}`;
}

/**
 * "pod web-5d8f9-* (replicaset/web-5d8f9) in namespace default": the name (`*` marks a generated
 * suffix, part of the value), the owning workload, and the namespace, as far as they are known.
 */
export function describePod(identity: PodIdentity): Sentence {
  let text = literal('a pod');
  if (identity.pod !== undefined) {
    text = sentence`pod ${identity.generatedName ? `${identity.pod}*` : identity.pod}`;
  }
  if (identity.workload !== undefined) text = sentence`${text} (${identity.workload})`;
  return identity.namespace === undefined ? text : sentence`${text} in namespace ${identity.namespace}`;
}

/** `nginx (image nginx:1.27)`, for summaries. */
export function describeContainer(container: ContainerView): Sentence {
  const name = container.name === '' ? literal('unnamed container') : sentence`${container.name}`;
  return container.image === '' ? name : sentence`${name} (image ${container.image})`;
}

/** `nginx=nginx:1.27, sidecar=busybox`, for evidence. */
export function containerList(containers: readonly ContainerView[]): string {
  return containers.map((c) => `${c.name}=${c.image}`).join(', ');
}

/** A RuleMatch for a pod create: identity fields plus the first offending container, if any. */
export function podMatch(
  event: AuditEvent,
  summary: Sentence,
  evidence: Record<string, string>,
  offending?: ContainerView,
): RuleMatch {
  const identity = podIdentity(event);
  const match: RuleMatch = { summary, evidence, namespace: identity.namespace };
  if (identity.pod !== undefined) match.pod = identity.pod;
  if (identity.workload !== undefined) match.workload = identity.workload;
  if (offending !== undefined) {
    if (offending.name !== '') match.container = offending.name;
    if (offending.image !== '') match.image = offending.image;
  }
  return match;
}

/** The pod's `securityContext` as a record, or an empty one. */
export function podSecurityContext(spec: PodSpec): Record<string, unknown> {
  const context = spec.securityContext;
  return isRecord(context) ? context : {};
}

/** A container's `securityContext` as a record, or an empty one. */
export function containerSecurityContext(container: ContainerView): Record<string, unknown> {
  const context = container.raw.securityContext;
  return isRecord(context) ? context : {};
}
