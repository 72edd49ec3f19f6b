import type { ControlRef } from '../compliance/controls.ts';
import { controlsOfCheck } from '../compliance/mapping.ts';
import type { PostureCheck } from './check.ts';
import { controlPlaneLoggingCheck } from './checks/kp-001-control-plane-logging.ts';
import { secretsEncryptionCheck } from './checks/kp-003-secrets-encryption.ts';
import { publicEndpointCheck } from './checks/kp-004-public-endpoint.ts';
import { privateEndpointCheck } from './checks/kp-005-private-endpoint.ts';
import { supportedVersionCheck } from './checks/kp-007-supported-version.ts';
import { deletionProtectionCheck } from './checks/kp-008-deletion-protection.ts';
import { networkPolicyEnforcementCheck } from './checks/kp-009-network-policy-enforcement.ts';
import { authenticationModeCheck } from './checks/kp-010-authentication-mode.ts';
import { clusterCreatorAdminCheck } from './checks/kp-011-cluster-creator-admin.ts';
import { adminAccessEntriesCheck } from './checks/kp-012-admin-access-entries.ts';
import { awsAuthMastersCheck } from './checks/kp-013-aws-auth-masters.ts';
import { guardDutyEnabledCheck } from './checks/kp-014-guardduty-enabled.ts';
import { guardDutyEksAuditLogsCheck } from './checks/kp-015-guardduty-eks-audit-logs.ts';
import { guardDutyRuntimeMonitoringCheck } from './checks/kp-016-guardduty-runtime-monitoring.ts';
import { guardDutyEbsMalwareCheck } from './checks/kp-019-guardduty-ebs-malware.ts';
import { secretRotationEnabledCheck } from './checks/kp-020-secret-rotation-enabled.ts';
import { secretMaxAgeCheck } from './checks/kp-021-secret-max-age.ts';
import { externalSecretStorageCheck } from './checks/kp-024-external-secret-storage.ts';
import { workloadIamIdentityCheck } from './checks/kp-027-workload-iam-identity.ts';
import { imdsHopLimitCheck } from './checks/kp-028-imds-hop-limit.ts';
import { loadBalancerTlsCheck } from './checks/kp-029-load-balancer-tls.ts';
import { kubeletAnonymousAuthCheck } from './checks/kp-030-kubelet-anonymous-auth.ts';
import { kubeletAuthorizationModeCheck } from './checks/kp-031-kubelet-authorization-mode.ts';
import { kubeletClientCaCheck } from './checks/kp-032-kubelet-client-ca.ts';
import { kubeletReadOnlyPortCheck } from './checks/kp-033-kubelet-read-only-port.ts';
import { kubeletStreamingIdleTimeoutCheck } from './checks/kp-034-kubelet-streaming-idle-timeout.ts';
import { kubeletIptablesUtilChainsCheck } from './checks/kp-035-kubelet-iptables-util-chains.ts';
import { kubeletEventRecordQpsCheck } from './checks/kp-036-kubelet-event-record-qps.ts';
import { kubeletCertificateRotationCheck } from './checks/kp-037-kubelet-certificate-rotation.ts';
import { clusterAdminBindingsCheck } from './checks/kp-040-cluster-admin-bindings.ts';
import { secretAccessCheck } from './checks/kp-041-secret-access.ts';
import { wildcardRulesCheck } from './checks/kp-042-wildcard-rules.ts';
import { podCreationCheck } from './checks/kp-043-pod-creation.ts';
import { defaultServiceAccountCheck } from './checks/kp-044-default-service-account.ts';
import { serviceAccountTokenMountCheck } from './checks/kp-045-service-account-token-mount.ts';
import { bindEscalateImpersonateCheck } from './checks/kp-046-bind-escalate-impersonate.ts';
import { persistentVolumeCreationCheck } from './checks/kp-047-persistent-volume-creation.ts';
import { nodeProxyCheck } from './checks/kp-048-node-proxy.ts';
import { webhookConfigurationAccessCheck } from './checks/kp-049-webhook-configuration-access.ts';
import { serviceAccountTokenCreationCheck } from './checks/kp-050-service-account-token-creation.ts';
import { csrApprovalCheck } from './checks/kp-051-csr-approval.ts';
import { podExecAttachCheck } from './checks/kp-052-pod-exec-attach.ts';
import { anonymousBindingsCheck } from './checks/kp-053-anonymous-bindings.ts';
import { deleteAndPortForwardCheck } from './checks/kp-054-delete-and-port-forward.ts';
import { workloadTakeoverRolesCheck } from './checks/kp-055-workload-takeover-roles.ts';
import { kp060 } from './checks/kp-060-privileged.ts';
import { kp061 } from './checks/kp-061-host-pid.ts';
import { kp062 } from './checks/kp-062-host-ipc.ts';
import { kp063 } from './checks/kp-063-host-network.ts';
import { kp064 } from './checks/kp-064-allow-privilege-escalation.ts';
import { kp065 } from './checks/kp-065-host-path.ts';
import { kp066 } from './checks/kp-066-runtime-socket.ts';
import { kp067 } from './checks/kp-067-host-port.ts';
import { kp068 } from './checks/kp-068-baseline-capabilities.ts';
import { kp069 } from './checks/kp-069-restricted-capabilities.ts';
import { kp070 } from './checks/kp-070-run-as-non-root.ts';
import { kp071 } from './checks/kp-071-seccomp.ts';
import { kp072 } from './checks/kp-072-read-only-root-filesystem.ts';
import { kp073 } from './checks/kp-073-volume-types.ts';
import { kp074 } from './checks/kp-074-apparmor.ts';
import { kp075 } from './checks/kp-075-selinux.ts';
import { kp076 } from './checks/kp-076-proc-mount.ts';
import { kp077 } from './checks/kp-077-sysctls.ts';
import { kp078 } from './checks/kp-078-host-process.ts';
import { kp079 } from './checks/kp-079-probe-host.ts';
import { kp080 } from './checks/kp-080-secrets-in-env.ts';
import { kp081 } from './checks/kp-081-hardcoded-credentials.ts';
import { kp082 } from './checks/kp-082-resource-limits.ts';
import { kp083 } from './checks/kp-083-resource-requests.ts';
import { kp084 } from './checks/kp-084-image-tag.ts';
import { kp085 } from './checks/kp-085-image-pull-policy.ts';
import { kp086 } from './checks/kp-086-approved-registries.ts';
import { kp087 } from './checks/kp-087-probes.ts';
import { kp088 } from './checks/kp-088-naked-pod.ts';
import { kp089 } from './checks/kp-089-default-namespace.ts';
import { kp090 } from './checks/kp-090-ssh-sudo.ts';
import { kp091 } from './checks/kp-091-reliability.ts';
import { kp092 } from './checks/kp-092-image-digest.ts';
import { kp093 } from './checks/kp-093-critical-image-findings.ts';
import { kp100 } from './checks/kp-100-namespace-network-policy.ts';
import { kp101 } from './checks/kp-101-pod-network-policy.ts';
import { kp102 } from './checks/kp-102-policy-selects-pods.ts';
import { kp103 } from './checks/kp-103-node-port.ts';
import { kp104 } from './checks/kp-104-internet-load-balancer.ts';
import { kp105 } from './checks/kp-105-ingress-tls.ts';
import { kp106 } from './checks/kp-106-service-targets.ts';
import { kp107 } from './checks/kp-107-pod-security-admission.ts';
import { kp108 } from './checks/kp-108-admission-webhooks.ts';
import { kp109 } from './checks/kp-109-deprecated-api.ts';
import { kp110 } from './checks/kp-110-image-signature-verification.ts';

// KP-001 … KP-029: AWS-side checks (EKS, GuardDuty, Secrets Manager). Filled by the AWS/RBAC helper.
// biome-ignore format: one check per line reads as a list
export const AWS_CHECKS: PostureCheck[] = [
  controlPlaneLoggingCheck,
  secretsEncryptionCheck,
  publicEndpointCheck,
  privateEndpointCheck,
  supportedVersionCheck,
  deletionProtectionCheck,
  networkPolicyEnforcementCheck,
  authenticationModeCheck,
  clusterCreatorAdminCheck,
  adminAccessEntriesCheck,
  awsAuthMastersCheck,
  guardDutyEnabledCheck,
  guardDutyEksAuditLogsCheck,
  guardDutyRuntimeMonitoringCheck,
  guardDutyEbsMalwareCheck,
  secretRotationEnabledCheck,
  secretMaxAgeCheck,
  externalSecretStorageCheck,
  workloadIamIdentityCheck,
  imdsHopLimitCheck,
  loadBalancerTlsCheck,
];

// KP-030 … KP-038: kubelet configuration. Filled by the AWS/RBAC helper.
// biome-ignore format: one check per line reads as a list
export const NODE_CHECKS: PostureCheck[] = [
  kubeletAnonymousAuthCheck,
  kubeletAuthorizationModeCheck,
  kubeletClientCaCheck,
  kubeletReadOnlyPortCheck,
  kubeletStreamingIdleTimeoutCheck,
  kubeletIptablesUtilChainsCheck,
  kubeletEventRecordQpsCheck,
  kubeletCertificateRotationCheck,
];

// KP-040 … KP-055: RBAC. Filled by the AWS/RBAC helper.
// biome-ignore format: one check per line reads as a list
export const RBAC_CHECKS: PostureCheck[] = [
  clusterAdminBindingsCheck,
  secretAccessCheck,
  wildcardRulesCheck,
  podCreationCheck,
  defaultServiceAccountCheck,
  serviceAccountTokenMountCheck,
  bindEscalateImpersonateCheck,
  persistentVolumeCreationCheck,
  nodeProxyCheck,
  webhookConfigurationAccessCheck,
  serviceAccountTokenCreationCheck,
  csrApprovalCheck,
  podExecAttachCheck,
  anonymousBindingsCheck,
  deleteAndPortForwardCheck,
  workloadTakeoverRolesCheck,
];

// KP-060 … KP-093, KP-110: pod / workload spec (Pod Security Standards and hygiene) and the images
// workloads run (digests, Inspector findings, signature verification at admission).
// biome-ignore format: one check per line reads as a list
export const WORKLOAD_CHECKS: PostureCheck[] = [
  kp060,
  kp061,
  kp062,
  kp063,
  kp064,
  kp065,
  kp066,
  kp067,
  kp068,
  kp069,
  kp070,
  kp071,
  kp072,
  kp073,
  kp074,
  kp075,
  kp076,
  kp077,
  kp078,
  kp079,
  kp080,
  kp081,
  kp082,
  kp083,
  kp084,
  kp085,
  kp086,
  kp087,
  kp088,
  kp089,
  kp090,
  kp091,
  kp092,
  kp093,
  kp110,
];

// KP-100 … KP-109: network exposure.
// biome-ignore format: one check per line reads as a list
export const NETWORK_CHECKS: PostureCheck[] = [
  kp100,
  kp101,
  kp102,
  kp103,
  kp104,
  kp105,
  kp106,
  kp107,
  kp108,
  kp109,
];

/** A registered check: its metadata carries the controls it gives evidence for. */
export type RegisteredCheck = PostureCheck & { controls: readonly ControlRef[] };

/**
 * Every posture check, in catalog order, each given its `controls` from the one mapping
 * (core/compliance/mapping.ts, decision D66) — set on the check object itself, so a check module
 * imported directly carries them too.
 */
export const ALL_CHECKS: readonly RegisteredCheck[] = [
  ...AWS_CHECKS,
  ...NODE_CHECKS,
  ...RBAC_CHECKS,
  ...WORKLOAD_CHECKS,
  ...NETWORK_CHECKS,
]
  .map((check) => Object.assign(check, { controls: Object.freeze(controlsOfCheck(check.id)) }))
  .sort((a, b) => a.id.localeCompare(b.id));

export function findCheck(id: string): RegisteredCheck | undefined {
  return ALL_CHECKS.find((check) => check.id === id);
}
