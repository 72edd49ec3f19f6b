import type { PostureCheck } from './check.ts';

// KP-001 … KP-029: AWS-side checks (EKS, GuardDuty, Secrets Manager). Filled by the AWS/RBAC helper.
// biome-ignore format: one check per line reads as a list
export const AWS_CHECKS: PostureCheck[] = [
];

// KP-030 … KP-038: kubelet configuration. Filled by the AWS/RBAC helper.
// biome-ignore format: one check per line reads as a list
export const NODE_CHECKS: PostureCheck[] = [
];

// KP-040 … KP-055: RBAC. Filled by the AWS/RBAC helper.
// biome-ignore format: one check per line reads as a list
export const RBAC_CHECKS: PostureCheck[] = [
];

// KP-060 … KP-091: pod / workload spec (Pod Security Standards and hygiene).
// biome-ignore format: one check per line reads as a list
export const WORKLOAD_CHECKS: PostureCheck[] = [
];

// KP-100 … KP-109: network exposure.
// biome-ignore format: one check per line reads as a list
export const NETWORK_CHECKS: PostureCheck[] = [
];

/** Every posture check, in catalog order. */
export const ALL_CHECKS: readonly PostureCheck[] = [
  ...AWS_CHECKS,
  ...NODE_CHECKS,
  ...RBAC_CHECKS,
  ...WORKLOAD_CHECKS,
  ...NETWORK_CHECKS,
].sort((a, b) => a.id.localeCompare(b.id));

export function findCheck(id: string): PostureCheck | undefined {
  return ALL_CHECKS.find((check) => check.id === id);
}
