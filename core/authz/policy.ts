import type { ActionId } from '../remediation/action.ts';

/**
 * Who may do what in Slack (decision D36): three roles, each including the ones below
 * it — a viewer lists and reads, a responder also acknowledges, suppresses and remediates, an admin
 * also approves and configures. Roles are granted in `kubeguard.config.json` (`authorization.grants`)
 * to Slack user ids and user-group ids, for every cluster or only the clusters a grant names. The
 * decision is a pure function of that configuration, the person (their id and the user groups they
 * belong to) and what the request needs; nothing is hard-coded and nothing defaults to allowed.
 */

export const ROLES = ['viewer', 'responder', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const RANK: Record<Role, number> = { viewer: 1, responder: 2, admin: 3 };

/** Whether holding `held` satisfies a requirement for `needed` (admin ⊇ responder ⊇ viewer). */
export function roleSatisfies(held: Role, needed: Role): boolean {
  return RANK[held] >= RANK[needed];
}

export interface RoleGrant {
  role: Role;
  /** Slack user ids (`U…`, `W…`). */
  users: readonly string[];
  /** Slack user-group ids (`S…`): every member holds the role. */
  userGroups: readonly string[];
  /** The clusters the grant is for; absent = every cluster. */
  clusters?: readonly string[];
}

/**
 * A two-person approval rule (`authorization.approvals`; core/authz/approval.ts decides with them):
 * the actions that need a second person, on which clusters, the approver's role and the window.
 */
export interface ApprovalRule {
  actions: readonly ActionId[];
  /** The clusters the rule is for; absent = every cluster. */
  clusters?: readonly string[];
  /** The role the second person needs on the action's cluster (a viewer never approves). */
  approverRole: Exclude<Role, 'viewer'>;
  /** How long the request waits for an approval before it expires. */
  withinMinutes: number;
}

export interface AuthorizationConfig {
  grants: readonly RoleGrant[];
  /** Who to ask for a role, shown in every denial (a channel, a team, a person). */
  contact?: string;
  /** How long user-group membership read from Slack is reused, in seconds. */
  userGroupCacheSeconds: number;
  /** Actions that need a second person's approval (core/authz/approval.ts); absent = none. */
  approvals?: readonly ApprovalRule[];
}

export const DEFAULT_AUTHORIZATION: AuthorizationConfig = Object.freeze({
  grants: Object.freeze([]) as readonly RoleGrant[],
  userGroupCacheSeconds: 60,
});

/** The person asking: their Slack user id and the user groups (of those grants name) they belong to. */
export interface Subject {
  userId: string;
  groups: ReadonlySet<string>;
}

/**
 * What a request needs. `cluster`: the cluster it acts on or reads; absent means it is about no
 * single cluster (a listing across clusters, help), which only a grant for every cluster covers.
 * `anyCluster`: a check made before the cluster is known (a command naming a finding whose cluster
 * the worker looks up): holding the role on any cluster passes, and the worker checks again with the
 * finding's cluster.
 */
export interface Requirement {
  role: Role;
  cluster?: string;
  anyCluster?: boolean;
}

export type Decision =
  | { allowed: true; role: Role; grantedBy: string }
  | {
      allowed: false;
      needed: Role;
      cluster?: string;
      /** The role was asked for on any one cluster (checked before the cluster was known). */
      anyCluster?: true;
      /** The highest role the person holds where it was needed, if any. */
      held?: Role;
      /** Clusters where the person does hold the needed role (to suggest `--cluster`). */
      heldOn: readonly string[];
    };

/** Whether a grant applies to a request for `requirement`'s scope. */
function grantCovers(grant: RoleGrant, requirement: Requirement): boolean {
  if (grant.clusters === undefined) return true;
  if (requirement.anyCluster === true) return grant.clusters.length > 0;
  return requirement.cluster !== undefined && grant.clusters.includes(requirement.cluster);
}

function grantIncludes(grant: RoleGrant, subject: Subject): string | undefined {
  if (grant.users.includes(subject.userId)) return `user ${subject.userId}`;
  const group = grant.userGroups.find((id) => subject.groups.has(id));
  return group === undefined ? undefined : `user group ${group}`;
}

/** The decision for one request. */
export function authorize(config: AuthorizationConfig, subject: Subject, requirement: Requirement): Decision {
  let held: Role | undefined;
  const heldOn = new Set<string>();
  for (const grant of config.grants) {
    const via = grantIncludes(grant, subject);
    if (via === undefined) continue;
    if (grantCovers(grant, requirement)) {
      if (roleSatisfies(grant.role, requirement.role)) {
        return { allowed: true, role: grant.role, grantedBy: via };
      }
      if (held === undefined || roleSatisfies(grant.role, held)) held = grant.role;
    } else if (roleSatisfies(grant.role, requirement.role)) {
      for (const cluster of grant.clusters ?? []) heldOn.add(cluster);
    }
  }
  return {
    allowed: false,
    needed: requirement.role,
    ...(requirement.cluster === undefined ? {} : { cluster: requirement.cluster }),
    ...(requirement.cluster === undefined && requirement.anyCluster === true ? { anyCluster: true } : {}),
    ...(held === undefined ? {} : { held }),
    heldOn: [...heldOn].sort(),
  };
}

/**
 * The user groups worth asking Slack about for this request: those of grants that would satisfy it
 * and do not already include the person by user id. Empty when a direct grant decides, so the
 * common case needs no Slack call.
 */
export function userGroupsToCheck(
  config: AuthorizationConfig,
  userId: string,
  requirement: Requirement,
): string[] {
  const groups = new Set<string>();
  for (const grant of config.grants) {
    if (!roleSatisfies(grant.role, requirement.role) || !grantCovers(grant, requirement)) continue;
    // A check made before the cluster is known keeps every group: the worker's later check for the
    // actual cluster relies on the groups resolved here.
    if (grant.users.includes(userId) && requirement.anyCluster !== true) return [];
    for (const group of grant.userGroups) groups.add(group);
  }
  return [...groups].sort();
}

/** The admins a denial names (user and user-group mentions), so the reader knows whom to ask. */
export function adminsOf(config: AuthorizationConfig): { users: string[]; userGroups: string[] } {
  const users = new Set<string>();
  const userGroups = new Set<string>();
  for (const grant of config.grants) {
    if (grant.role !== 'admin' || grant.clusters !== undefined) continue;
    for (const user of grant.users) users.add(user);
    for (const group of grant.userGroups) userGroups.add(group);
  }
  return { users: [...users].sort(), userGroups: [...userGroups].sort() };
}
