import {
  type AccessRequest,
  bindingsNaming,
  buildRbacModel,
  type Grant,
  grantsIn,
  type RbacBinding,
  type RbacModel,
  type RbacSubject,
} from '../rbac/rbac.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import { objectsOfKind } from './snapshot-index.ts';

/**
 * RBAC over a posture snapshot: the model of core/rbac built once per snapshot, and the questions
 * the checks ask of it. The RBAC semantics themselves (subjects, aggregation, rule matching) live in
 * core/rbac, shared with forensics.
 */

export {
  type AccessRequest,
  ANONYMOUS_PRINCIPALS,
  describeRequest,
  describeSubject,
  type Grant,
  grantPath,
  isDefaultBinding,
  isDefaultRole,
  isSystemSubject,
  matchingRules,
  type PolicyRule,
  type RbacBinding,
  type RbacModel,
  type RbacRole,
  type RbacSubject,
  type RoleRule,
  ruleAllows,
  type SubjectKind,
  serviceAccountIdentities,
  subjectKey,
} from '../rbac/rbac.ts';

const cache = new WeakMap<ClusterSnapshot, RbacModel>();

/** Roles with their effective rules and bindings with their roles (cached per snapshot). */
export function rbacModel(snapshot: ClusterSnapshot): RbacModel {
  const cached = cache.get(snapshot);
  if (cached !== undefined) return cached;
  // ClusterRoles first, then Roles; ClusterRoleBindings, then RoleBindings: the order results use.
  const model = buildRbacModel(
    objectsOfKind(snapshot, 'ClusterRole', 'Role', 'ClusterRoleBinding', 'RoleBinding'),
  );
  cache.set(snapshot, model);
  return model;
}

/**
 * Every (subject, binding, role, rule) that allows the request. A RoleBinding grants only within its
 * namespace; `options.namespace` keeps grants that apply there (cluster-wide ones included).
 */
export function whoCan(
  snapshot: ClusterSnapshot,
  verb: string,
  resource: string,
  subresource?: string,
  options: { apiGroup?: string; namespace?: string } = {},
): Grant[] {
  const request: AccessRequest = { verb, resource, apiGroup: options.apiGroup ?? '' };
  if (subresource !== undefined) request.subresource = subresource;
  return grantsFor(snapshot, [request]).filter(
    (grant) =>
      options.namespace === undefined ||
      grant.binding.namespace === undefined ||
      grant.binding.namespace === options.namespace,
  );
}

/** Grants allowing any of the requests, one per subject × binding × matching rule. */
export function grantsFor(snapshot: ClusterSnapshot, requests: readonly AccessRequest[]): Grant[] {
  return grantsIn(rbacModel(snapshot), requests);
}

/** Bindings that name one of the identities, in snapshot order, each once. */
export function bindingsOf(snapshot: ClusterSnapshot, identities: readonly RbacSubject[]): RbacBinding[] {
  return bindingsNaming(rbacModel(snapshot), identities);
}
