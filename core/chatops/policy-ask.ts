import type { Role } from '../authz/policy.ts';

/**
 * Who may generate admission policies from an audit report ("Generate policies" on an audit
 * summary, its form, and the worker's `policies` request): the role running an audit needs, on the
 * report's cluster — the policies say no more than the report the person can already read, and
 * generating them changes nothing in the cluster (applying them is a person's own `kubectl apply`).
 */
export const POLICIES_ROLE: Role = 'viewer';
export const POLICIES_PURPOSE = 'generate admission policies from posture audits';
