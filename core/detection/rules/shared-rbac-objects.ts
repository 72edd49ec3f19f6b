import { joinSentence, literal, type Sentence, sentence } from '../../model/sentence.ts';
/**
 * Helpers shared by the RBAC and cluster-configuration rules (KD-040 … KD-083): who acted, on which
 * object, and what a Role / ClusterRole / (Cluster)RoleBinding in the request grants. Every reader
 * tolerates absent or mistyped fields: audit events are untrusted input.
 */
import {
  type AuditEvent,
  asArray,
  asString,
  asStringArray,
  getPath,
  isRecord,
  isSuccess,
  isSystemPrincipal,
  namespaceOf,
  objectName,
  requestPath,
  resource,
  statusCode,
  username,
} from '../audit-event.ts';
import { nameOrUnnamed } from './shared-workload-objects.ts';

export const ROLE_RESOURCES = ['roles', 'clusterroles'] as const;
export const BINDING_RESOURCES = ['rolebindings', 'clusterrolebindings'] as const;
export const RBAC_RESOURCES = [...ROLE_RESOURCES, ...BINDING_RESOURCES] as const;

/** Lists in evidence and summaries stop after this many items: attackers choose the list lengths. */
const MAX_LISTED = 10;

function nonEmpty(value: unknown): string | undefined {
  const text = asString(value);
  return text === undefined || text === '' ? undefined : text;
}

/** The caller as written in summaries; a failed authentication has no username. */
export function actor(event: AuditEvent): Sentence {
  const name = username(event);
  return name === '' ? literal('an unidentified caller') : sentence`${name}`;
}

/**
 * Catalog "non-system user": not `system:*` nor `eks:*`. A request without a username (possible only
 * for failed authentication) is not provably a system principal, so it counts as non-system.
 */
export function isNonSystemCaller(event: AuditEvent): boolean {
  return !isSystemPrincipal(username(event));
}

/**
 * The name of the object acted on: `objectRef.name`, or for a create whose objectRef carries no name
 * (older API servers), the requested object's `metadata.name`.
 */
export function targetName(event: AuditEvent): string | undefined {
  return objectName(event) ?? nonEmpty(getPath(event.requestObject, 'metadata', 'name'));
}

/** The namespace of the object acted on, from objectRef or the requested object's metadata. */
export function targetNamespace(event: AuditEvent): string | undefined {
  return namespaceOf(event) ?? nonEmpty(getPath(event.requestObject, 'metadata', 'namespace'));
}

const IRREGULAR_SINGULARS: Record<string, string> = {
  ingresses: 'ingress',
  endpoints: 'endpoints',
};

/** `clusterrolebindings` → `clusterrolebinding`, `ingresses` → `ingress`. */
export function singularResource(plural: string): string {
  const irregular = IRREGULAR_SINGULARS[plural];
  if (irregular !== undefined) return irregular;
  return plural.endsWith('s') ? plural.slice(0, -1) : plural;
}

/** `<resource singular>/<name>` of the object acted on, e.g. `clusterrolebinding/backdoor-admin`. */
export function targetWorkload(event: AuditEvent): string | undefined {
  const name = targetName(event);
  const plural = resource(event);
  return name === undefined || plural === '' ? undefined : `${singularResource(plural)}/${name}`;
}

/**
 * `clusterrole some-reader`, `role default/pod-admin`; the name is `(unnamed)` when unknown. The kind
 * reads as a word: every caller matches only its own resources (roles, bindings, services …).
 */
export function describeTarget(event: AuditEvent): Sentence {
  const kind = literal(singularResource(resource(event) || 'object'));
  const name = targetName(event);
  // A Namespace's objectRef names itself as its namespace: `namespace foo`, not `namespace foo/foo`.
  const namespace = resource(event) === 'namespaces' ? undefined : targetNamespace(event);
  if (namespace === undefined) return sentence`${kind} ${nameOrUnnamed(name)}`;
  return sentence`${kind} ${`${namespace}/${name ?? '(unnamed)'}`}`;
}

const PAST_TENSE: Record<string, string> = {
  create: 'created',
  update: 'updated',
  patch: 'patched',
  delete: 'deleted',
  deletecollection: 'deleted a collection of',
  get: 'read',
  list: 'listed',
  watch: 'watched',
};

/** `create` → `created`; unknown verbs are quoted as they came (a value). */
export function pastTense(verb: unknown): Sentence {
  const text = asString(verb) ?? '';
  const tense = PAST_TENSE[text];
  if (tense !== undefined) return literal(tense);
  return text === '' ? literal('sent a request for') : sentence`sent ${text} for`;
}

/** A verb as a word when it is one of Kubernetes' own, else as a value. */
export function verbWord(verb: unknown, fallback: string): Sentence {
  const text = asString(verb) ?? '';
  if (text === '') return literal(fallback);
  return PAST_TENSE[text] !== undefined ? literal(text) : sentence`${text}`;
}

/**
 * What the caller did, for rules that also fire on refused requests: `created` when it succeeded,
 * `tried to create` otherwise (the response is then given by `outcomeNote`).
 */
export function actionPhrase(event: AuditEvent): Sentence {
  if (isSuccess(event)) return pastTense(event.verb);
  return sentence`tried to ${verbWord(event.verb, 'call')}`;
}

/** ` (response 403)` for a request that did not succeed, '' for one that did. */
export function outcomeNote(event: AuditEvent): Sentence {
  if (isSuccess(event)) return literal('');
  const code = statusCode(event);
  return literal(code === undefined ? ' (outcome not logged)' : ` (response ${code})`);
}

/** The request path, or `<resource>/<name>` when the event carries no request URI. */
export function requestDescription(event: AuditEvent): Sentence {
  const path = requestPath(event);
  if (path !== '') return sentence`${path}`;
  const plural = resource(event);
  if (plural === '') return literal('(no request URI)');
  const name = targetName(event);
  return sentence`${name === undefined ? plural : `${plural}/${name}`}`;
}

/** At most MAX_LISTED items, each a value, saying how many more there were. */
export function listSentence(items: readonly string[]): Sentence {
  if (items.length === 0) return literal('(none)');
  const shown = joinSentence(items.slice(0, MAX_LISTED), ', ');
  const hidden = items.length - MAX_LISTED;
  return hidden > 0 ? sentence`${shown} … and ${hidden} more` : shown;
}

/** Joins at most MAX_LISTED items, saying how many more there were (for evidence). */
export function listOf(items: readonly string[]): string {
  return listSentence(items).text;
}

/** One rule of a Role / ClusterRole (`rbac.authorization.k8s.io/v1` PolicyRule). */
export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  nonResourceURLs: string[];
}

/** The rules of the Role / ClusterRole in the request body; [] when there is none (Metadata level). */
export function requestedPolicyRules(event: AuditEvent): PolicyRule[] {
  return asArray(getPath(event.requestObject, 'rules'))
    .filter(isRecord)
    .map((rule) => ({
      apiGroups: asStringArray(rule.apiGroups),
      resources: asStringArray(rule.resources),
      verbs: asStringArray(rule.verbs),
      nonResourceURLs: asStringArray(rule.nonResourceURLs),
    }));
}

/** Distinct values, in first-seen order. */
function distinct(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** All verbs granted by any rule of the request (resource and non-resource rules alike). */
export function grantedVerbs(rules: readonly PolicyRule[]): string[] {
  return distinct(rules.flatMap((rule) => rule.verbs));
}

export function grantedResources(rules: readonly PolicyRule[]): string[] {
  return distinct(rules.flatMap((rule) => rule.resources));
}

/** The granted verbs that are in `wanted` (exact, case-sensitive: RBAC verbs are lower case). */
export function verbsAmong(rules: readonly PolicyRule[], wanted: readonly string[]): string[] {
  return grantedVerbs(rules).filter((verb) => wanted.includes(verb));
}

export function resourcesAmong(rules: readonly PolicyRule[], wanted: readonly string[]): string[] {
  return grantedResources(rules).filter((item) => wanted.includes(item));
}

/** Evidence describing a Role / ClusterRole request: its rules' verbs and resources. */
export function roleEvidence(rules: readonly PolicyRule[]): Record<string, string> {
  return {
    verbs: listOf(grantedVerbs(rules)),
    resources: listOf(grantedResources(rules)),
    apiGroups: listOf(distinct(rules.flatMap((rule) => rule.apiGroups)).map((g) => (g === '' ? '""' : g))),
  };
}

export interface RoleRef {
  kind: string;
  name: string;
}

/** The binding's `roleRef` from the request body, or undefined when it has no name. */
export function requestedRoleRef(event: AuditEvent): RoleRef | undefined {
  const ref = getPath(event.requestObject, 'roleRef');
  const name = nonEmpty(getPath(ref, 'name'));
  if (name === undefined) return undefined;
  return { kind: nonEmpty(getPath(ref, 'kind')) ?? 'Role', name };
}

/** The kinds a roleRef or a subject may have, written as words; any other kind is a value. */
const RBAC_KINDS = ['Role', 'ClusterRole', 'User', 'Group', 'ServiceAccount', 'Subject'];

function kindWord(kind: string): Sentence {
  return RBAC_KINDS.includes(kind) ? literal(kind) : sentence`${kind}`;
}

/** `ClusterRole cluster-admin`, for summaries. */
export function roleRefSentence(ref: RoleRef | undefined): Sentence {
  return ref === undefined ? literal('(unknown role)') : sentence`${kindWord(ref.kind)} ${ref.name}`;
}

export function formatRoleRef(ref: RoleRef | undefined): string {
  return roleRefSentence(ref).text;
}

export interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}

/** The binding's `subjects` from the request body; entries without a name are skipped. */
export function requestedSubjects(event: AuditEvent): Subject[] {
  const subjects: Subject[] = [];
  for (const item of asArray(getPath(event.requestObject, 'subjects'))) {
    if (!isRecord(item)) continue;
    const name = nonEmpty(item.name);
    if (name === undefined) continue;
    subjects.push({ kind: nonEmpty(item.kind) ?? 'Subject', name, namespace: nonEmpty(item.namespace) });
  }
  return subjects;
}

/** `ServiceAccount default/builder`, `User alice@example.com`, `Group system:masters`. */
function subjectSentence(subject: Subject): Sentence {
  const name = subject.namespace === undefined ? subject.name : `${subject.namespace}/${subject.name}`;
  return sentence`${kindWord(subject.kind)} ${name}`;
}

/** The subjects (at most MAX_LISTED), for summaries. */
export function subjectsSentence(subjects: readonly Subject[]): Sentence {
  if (subjects.length === 0) return literal('(none)');
  const shown = joinSentence(subjects.slice(0, MAX_LISTED).map(subjectSentence), ', ');
  const hidden = subjects.length - MAX_LISTED;
  return hidden > 0 ? sentence`${shown} … and ${hidden} more` : shown;
}

export function formatSubjects(subjects: readonly Subject[]): string {
  return subjectsSentence(subjects).text;
}

/** Evidence describing a (Cluster)RoleBinding request. */
export function bindingEvidence(event: AuditEvent): Record<string, string> {
  return {
    roleRef: formatRoleRef(requestedRoleRef(event)),
    subjects: formatSubjects(requestedSubjects(event)),
  };
}

/** A summary suffix ` to <subjects>` when the request names subjects, else ''. */
export function toSubjectsPhrase(subjects: readonly Subject[]): Sentence {
  return subjects.length === 0 ? literal('') : sentence` to ${subjectsSentence(subjects)}`;
}

/** Annotation value from the requested object's metadata, or undefined. */
export function requestedAnnotation(event: AuditEvent, key: string): string | undefined {
  return asString(getPath(event.requestObject, 'metadata', 'annotations', key));
}

/** True when `name` equals an entry or starts with an entry's prefix before a trailing `*`. */
export function matchesNameList(name: string, entries: readonly string[]): boolean {
  return entries.some((entry) =>
    entry.endsWith('*') ? name.startsWith(entry.slice(0, -1)) : name === entry,
  );
}
