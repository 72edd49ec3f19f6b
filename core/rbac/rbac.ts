import { arrayField, field, type KubeObject, stringField } from '../model/kube-object.ts';
import { compileSelector, type LabelMatcher } from '../netpol/labels.ts';
import type { LabelSelector } from '../netpol/types.ts';

/**
 * RBAC resolved to subjects: which User, Group or ServiceAccount may do what, through which binding
 * and role. Matching follows the Kubernetes RBAC authorizer (`*` in verbs, apiGroups and resources;
 * `*∕subresource`; a rule naming `pods` does not cover `pods/exec`), and aggregated ClusterRoles take
 * the rules of every ClusterRole their `aggregationRule` selects (manifests are not filled in by the
 * aggregation controller, live objects are — the union is the same). Used by the posture checks
 * (over a snapshot, core/posture/rbac.ts) and by forensics (over what the API lists).
 */

export type SubjectKind = 'User' | 'Group' | 'ServiceAccount';

export interface RbacSubject {
  kind: SubjectKind;
  name: string;
  /** ServiceAccounts only. */
  namespace?: string;
}

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames: string[];
}

export interface RoleRule {
  rule: PolicyRule;
  /** Where the rule is written: `ClusterRole edit rules[3]`, or the aggregated role it came from. */
  source: string;
}

export interface RbacRole {
  object: KubeObject;
  kind: 'Role' | 'ClusterRole';
  name: string;
  /** Roles only. */
  namespace?: string;
  /** Own rules, then aggregated ones. */
  rules: RoleRule[];
  /** Bootstrap / EKS-managed role (see isDefaultRole). */
  isDefault: boolean;
}

export interface RbacBinding {
  object: KubeObject;
  kind: 'RoleBinding' | 'ClusterRoleBinding';
  name: string;
  /** RoleBindings only: the namespace the grant is limited to. */
  namespace?: string;
  roleRef: { kind: string; name: string };
  subjects: RbacSubject[];
  /** undefined when the referenced role is not among the objects. */
  role?: RbacRole;
  isDefault: boolean;
}

/** A request to authorize: verb on a resource (and subresource) of an API group. */
export interface AccessRequest {
  verb: string;
  resource: string;
  subresource?: string;
  /** @default '' (the core group) */
  apiGroup?: string;
}

/** One way a subject gets a permission. */
export interface Grant {
  subject: RbacSubject;
  binding: RbacBinding;
  role: RbacRole;
  rule: RoleRule;
  /** `cluster-wide` or `namespace <ns>`. */
  scope: string;
  /** Restricted to these object names, when the rule lists resourceNames. */
  resourceNames: string[];
  /** `ClusterRoleBinding x → ClusterRole y rules[0]` */
  path: string;
}

export interface RbacModel {
  roles: RbacRole[];
  bindings: RbacBinding[];
}

/** User-facing default ClusterRoles. */
const DEFAULT_CLUSTER_ROLES = new Set(['cluster-admin', 'admin', 'edit', 'view']);
/** Principals everyone (or no one) is: bindings to them are reported by KP-053, never ignored. */
export const ANONYMOUS_PRINCIPALS = new Set([
  'system:anonymous',
  'system:unauthenticated',
  'system:authenticated',
]);

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function toRule(value: unknown): PolicyRule {
  return {
    apiGroups: strings(field(value, 'apiGroups')),
    resources: strings(field(value, 'resources')),
    verbs: strings(field(value, 'verbs')),
    resourceNames: strings(field(value, 'resourceNames')),
  };
}

/** The namespace of a namespaced RBAC object: `default` when a manifest leaves it out. */
function namespaceOf(object: KubeObject): string {
  const namespace = object.metadata.namespace;
  return typeof namespace === 'string' && namespace !== '' ? namespace : 'default';
}

/**
 * Shipped by Kubernetes or EKS: named `system:*` or `eks:*`. The `kubernetes.io/bootstrapping:
 * rbac-defaults` label is not trusted: anyone who can create a binding can copy it (the Falco
 * "attach cluster-admin" trace does exactly that).
 */
function hasSystemName(object: KubeObject): boolean {
  const name = object.metadata.name;
  return name.startsWith('system:') || name.startsWith('eks:');
}

/** Roles shipped by Kubernetes or EKS: `system:*`, `eks:*`, and the user-facing cluster-admin/admin/edit/view. */
export function isDefaultRole(role: KubeObject): boolean {
  return (
    hasSystemName(role) || (role.kind === 'ClusterRole' && DEFAULT_CLUSTER_ROLES.has(role.metadata.name))
  );
}

/** Bindings shipped by Kubernetes or EKS (named `system:*` / `eks:*`). */
export function isDefaultBinding(binding: KubeObject): boolean {
  return hasSystemName(binding);
}

/**
 * Kubernetes and EKS components: `system:*` and `eks:*` users and groups, except the anonymous and
 * all-authenticated principals, which stand for outsiders.
 */
export function isSystemSubject(subject: RbacSubject): boolean {
  if (subject.kind === 'ServiceAccount') return false;
  if (ANONYMOUS_PRINCIPALS.has(subject.name)) return false;
  return subject.name.startsWith('system:') || subject.name.startsWith('eks:');
}

export function describeSubject(subject: RbacSubject): string {
  return subject.kind === 'ServiceAccount'
    ? `ServiceAccount ${subject.namespace ?? 'default'}/${subject.name}`
    : `${subject.kind} ${subject.name}`;
}

export function subjectKey(subject: RbacSubject): string {
  return `${subject.kind}\u0000${subject.namespace ?? ''}\u0000${subject.name}`;
}

/**
 * The subjects a binding names, as the authorizer reads them: a ServiceAccount subject without a
 * namespace means the binding's own namespace; subjects of other kinds or without a name are skipped.
 */
export function bindingSubjects(binding: KubeObject): RbacSubject[] {
  const subjects: RbacSubject[] = [];
  for (const item of arrayField(binding, 'subjects')) {
    const name = stringField(item, 'name');
    const kind = field(item, 'kind');
    if (name === undefined) continue;
    if (kind === 'ServiceAccount') {
      const namespace = stringField(item, 'namespace');
      subjects.push({
        kind: 'ServiceAccount',
        name,
        namespace: namespace !== undefined && namespace !== '' ? namespace : namespaceOf(binding),
      });
    } else if (kind === 'User' || kind === 'Group') {
      subjects.push({ kind, name });
    }
  }
  return subjects;
}

/** A binding's `roleRef`, as written (empty strings when absent). */
export function roleRefOf(binding: KubeObject): { kind: string; name: string } {
  return {
    kind: String(field(binding, 'roleRef', 'kind') ?? ''),
    name: String(field(binding, 'roleRef', 'name') ?? ''),
  };
}

function roleKey(kind: string, name: string, namespace?: string): string {
  return `${kind}\u0000${namespace ?? ''}\u0000${name}`;
}

function selectorsOf(role: KubeObject): LabelMatcher[] {
  return arrayField(role, 'aggregationRule', 'clusterRoleSelectors').flatMap((selector, index) => {
    try {
      return [
        compileSelector(
          (typeof selector === 'object' && selector !== null && !Array.isArray(selector)
            ? selector
            : undefined) as LabelSelector | undefined,
          `ClusterRole ${role.metadata.name} aggregationRule[${index}]`,
        ),
      ];
    } catch {
      return []; // an invalid selector selects nothing, as the aggregation controller does
    }
  });
}

function ownRules(role: KubeObject): RoleRule[] {
  return arrayField(role, 'rules').map((rule, index) => ({
    rule: toRule(rule),
    source: `${role.kind} ${role.metadata.name} rules[${index}]`,
  }));
}

/** Own rules plus, for aggregated ClusterRoles, the rules of every selected ClusterRole (recursively). */
function effectiveRules(
  role: KubeObject,
  clusterRoles: readonly KubeObject[],
  seen: Set<string>,
): RoleRule[] {
  const rules = ownRules(role);
  if (role.kind !== 'ClusterRole') return rules;
  const selectors = selectorsOf(role);
  if (selectors.length === 0) return rules;
  seen.add(role.metadata.name);
  const own = new Set(rules.map((entry) => entry.source));
  for (const other of clusterRoles) {
    if (seen.has(other.metadata.name)) continue;
    const labels = other.metadata.labels ?? {};
    if (!selectors.some((matches) => matches(labels))) continue;
    for (const entry of effectiveRules(other, clusterRoles, new Set(seen))) {
      if (!own.has(entry.source)) rules.push(entry);
    }
  }
  return rules;
}

/**
 * Roles with their effective rules and bindings with their roles, from RBAC objects (other kinds
 * are ignored). A RoleBinding may reference a ClusterRole (granted within its namespace) or a Role
 * of its own namespace.
 */
export function buildRbacModel(objects: readonly KubeObject[]): RbacModel {
  const clusterRoles = objects.filter((object) => object.kind === 'ClusterRole');
  const roles: RbacRole[] = [];
  const byKey = new Map<string, RbacRole>();
  for (const object of objects) {
    if (object.kind !== 'ClusterRole' && object.kind !== 'Role') continue;
    const role: RbacRole = {
      object,
      kind: object.kind,
      name: object.metadata.name,
      rules: effectiveRules(object, clusterRoles, new Set()),
      isDefault: isDefaultRole(object),
    };
    if (object.kind === 'Role') role.namespace = namespaceOf(object);
    roles.push(role);
    byKey.set(roleKey(role.kind, role.name, role.namespace), role);
  }
  const bindings: RbacBinding[] = [];
  for (const object of objects) {
    if (object.kind !== 'ClusterRoleBinding' && object.kind !== 'RoleBinding') continue;
    const kind = object.kind;
    const roleRef = roleRefOf(object);
    const namespace = kind === 'RoleBinding' ? namespaceOf(object) : undefined;
    const role =
      roleRef.kind === 'ClusterRole'
        ? byKey.get(roleKey('ClusterRole', roleRef.name))
        : kind === 'RoleBinding'
          ? byKey.get(roleKey('Role', roleRef.name, namespace))
          : undefined;
    const binding: RbacBinding = {
      object,
      kind,
      name: object.metadata.name,
      roleRef,
      subjects: bindingSubjects(object),
      isDefault: isDefaultBinding(object),
    };
    if (namespace !== undefined) binding.namespace = namespace;
    if (role !== undefined) binding.role = role;
    bindings.push(binding);
  }
  return { roles, bindings };
}

/** Does the rule allow the request? (the RBAC authorizer's VerbMatches / APIGroupMatches / ResourceMatches) */
export function ruleAllows(rule: PolicyRule, request: AccessRequest): boolean {
  const group = request.apiGroup ?? '';
  if (!rule.verbs.includes('*') && !rule.verbs.includes(request.verb)) return false;
  if (!rule.apiGroups.includes('*') && !rule.apiGroups.includes(group)) return false;
  const combined =
    request.subresource === undefined ? request.resource : `${request.resource}/${request.subresource}`;
  return rule.resources.some(
    (resource) =>
      resource === '*' ||
      resource === combined ||
      (request.subresource !== undefined && resource === `*/${request.subresource}`),
  );
}

export function describeRequest(request: AccessRequest): string {
  if (request.verb === '*' && request.resource === '*') return 'use every verb on every resource';
  const resource =
    request.subresource === undefined ? request.resource : `${request.resource}/${request.subresource}`;
  const group = request.apiGroup === undefined || request.apiGroup === '' ? '' : ` (${request.apiGroup})`;
  return `${request.verb} ${resource}${group}`;
}

/** Rules of a role that allow any of the requests, with the request each allows. */
export function matchingRules(
  role: RbacRole,
  requests: readonly AccessRequest[],
): { rule: RoleRule; request: AccessRequest }[] {
  const matches: { rule: RoleRule; request: AccessRequest }[] = [];
  for (const rule of role.rules) {
    const request = requests.find((candidate) => ruleAllows(rule.rule, candidate));
    if (request !== undefined) matches.push({ rule, request });
  }
  return matches;
}

function scopeOf(binding: RbacBinding): string {
  return binding.kind === 'ClusterRoleBinding'
    ? 'cluster-wide'
    : `namespace ${binding.namespace ?? 'default'}`;
}

export function grantPath(binding: RbacBinding, rule: RoleRule): string {
  const where = binding.namespace === undefined ? binding.name : `${binding.namespace}/${binding.name}`;
  return `${binding.kind} ${where} → ${rule.source}`;
}

/** Grants allowing any of the requests, one per subject × binding × matching rule. */
export function grantsIn(model: RbacModel, requests: readonly AccessRequest[]): Grant[] {
  const grants: Grant[] = [];
  for (const binding of model.bindings) {
    if (binding.role === undefined) continue;
    for (const { rule } of matchingRules(binding.role, requests)) {
      for (const subject of binding.subjects) {
        grants.push({
          subject,
          binding,
          role: binding.role,
          rule,
          scope: scopeOf(binding),
          resourceNames: rule.rule.resourceNames,
          path: grantPath(binding, rule),
        });
      }
    }
  }
  return grants;
}

/**
 * The identities a ServiceAccount acts as: itself, plus the groups every service-account token
 * carries (system:serviceaccounts, system:serviceaccounts:<ns>, system:authenticated).
 */
export function serviceAccountIdentities(namespace: string, name: string): RbacSubject[] {
  return [
    { kind: 'ServiceAccount', name, namespace },
    { kind: 'Group', name: 'system:serviceaccounts' },
    { kind: 'Group', name: `system:serviceaccounts:${namespace}` },
    { kind: 'Group', name: 'system:authenticated' },
  ];
}

interface SubjectIndex {
  /** Bindings naming each subject (by subjectKey), in model order. */
  bySubject: Map<string, RbacBinding[]>;
  /** Position of each binding in the model, to merge several subjects' lists back into model order. */
  position: Map<RbacBinding, number>;
}

const subjectIndexCache = new WeakMap<RbacModel, SubjectIndex>();

/**
 * Bindings by the subjects they name, built once per model: per-workload questions ("which bindings
 * name this pod's service account?") are then lookups, not a scan of every binding per workload.
 */
function subjectIndex(model: RbacModel): SubjectIndex {
  const cached = subjectIndexCache.get(model);
  if (cached !== undefined) return cached;
  const bySubject = new Map<string, RbacBinding[]>();
  const position = new Map<RbacBinding, number>();
  model.bindings.forEach((binding, at) => {
    position.set(binding, at);
    for (const key of new Set(binding.subjects.map(subjectKey))) {
      const named = bySubject.get(key);
      if (named === undefined) bySubject.set(key, [binding]);
      else named.push(binding);
    }
  });
  const index = { bySubject, position };
  subjectIndexCache.set(model, index);
  return index;
}

/** Bindings that name one of the identities, in model order, each once. */
export function bindingsNaming(model: RbacModel, identities: readonly RbacSubject[]): RbacBinding[] {
  const { bySubject, position } = subjectIndex(model);
  const found = new Set<RbacBinding>();
  for (const identity of identities) {
    for (const binding of bySubject.get(subjectKey(identity)) ?? []) found.add(binding);
  }
  return [...found].sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0));
}
