import type { AuditRule } from './rule.ts';

// Rules KD-001 … KD-037 (workloads, exec, secrets, tokens, certificates).
// biome-ignore format: one rule per line reads as a list
const WORKLOAD_AND_ACCESS_RULES: AuditRule[] = [
];

// Rules KD-040 … KD-083 (RBAC, cluster configuration, anonymous access, events, exposure).
// biome-ignore format: one rule per line reads as a list
const RBAC_AND_CLUSTER_RULES: AuditRule[] = [
];

/** Every audit-log rule, in catalog order. */
export const AUDIT_RULES: readonly AuditRule[] = [
  ...WORKLOAD_AND_ACCESS_RULES,
  ...RBAC_AND_CLUSTER_RULES,
].sort((a, b) => a.id.localeCompare(b.id));

export function findRule(id: string): AuditRule | undefined {
  return AUDIT_RULES.find((rule) => rule.id === id);
}
