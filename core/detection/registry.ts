import type { ControlRef } from '../compliance/controls.ts';
import { controlsOfRule } from '../compliance/mapping.ts';
import type { AuditRule } from './rule.ts';
import { kd001PrivilegedContainer } from './rules/kd-001-privileged-container.ts';
import { kd002SensitiveHostPathMount } from './rules/kd-002-sensitive-hostpath-mount.ts';
import { kd003HostPathVolume } from './rules/kd-003-hostpath-volume.ts';
import { kd004HostNetwork } from './rules/kd-004-host-network.ts';
import { kd005HostPid } from './rules/kd-005-host-pid.ts';
import { kd006HostIpc } from './rules/kd-006-host-ipc.ts';
import { kd007DangerousCapabilities } from './rules/kd-007-dangerous-capabilities.ts';
import { kd008PodInSystemNamespace } from './rules/kd-008-pod-in-system-namespace.ts';
import { kd009ControllerServiceAccount } from './rules/kd-009-controller-service-account.ts';
import { kd010RunsAsRoot } from './rules/kd-010-runs-as-root.ts';
import { kd011DaemonSetCreated } from './rules/kd-011-daemonset-created.ts';
import { kd012CronJobModified } from './rules/kd-012-cronjob-modified.ts';
import { kd013DeploymentPatched } from './rules/kd-013-deployment-patched.ts';
import { kd014EphemeralContainer } from './rules/kd-014-ephemeral-container.ts';
import { kd015DisallowedRegistry } from './rules/kd-015-disallowed-registry.ts';
import { kd020ExecIntoPod } from './rules/kd-020-exec-into-pod.ts';
import { kd021ExecIntoKubeSystem } from './rules/kd-021-exec-into-kube-system.ts';
import { kd022ExecCredentialAccess } from './rules/kd-022-exec-credential-access.ts';
import { kd023ExecShellOrDownloader } from './rules/kd-023-exec-shell-or-downloader.ts';
import { kd024ExecImdsAccess } from './rules/kd-024-exec-imds-access.ts';
import { kd025KubectlCpFromPod } from './rules/kd-025-kubectl-cp-from-pod.ts';
import { kd026PortForward } from './rules/kd-026-port-forward.ts';
import { kd028NodesProxy } from './rules/kd-028-nodes-proxy.ts';
import { kd030ClusterWideSecretsDump } from './rules/kd-030-cluster-wide-secrets-dump.ts';
import { kd031SecretRead } from './rules/kd-031-secret-read.ts';
import { kd032SecretAccessDenied } from './rules/kd-032-secret-access-denied.ts';
import { kd033ServiceAccountTokenMinted } from './rules/kd-033-service-account-token-minted.ts';
import { kd034SecretModified } from './rules/kd-034-secret-modified.ts';
import { kd035ConfigMapCredentials } from './rules/kd-035-configmap-credentials.ts';
import { kd036ServiceAccountTokenSecret } from './rules/kd-036-service-account-token-secret.ts';
import { kd037ClientCsr } from './rules/kd-037-client-csr.ts';
import { kd040ClusterAdminBinding } from './rules/kd-040-cluster-admin-binding.ts';
import { kd041WildcardRole } from './rules/kd-041-wildcard-role.ts';
import { kd042PodExecRole } from './rules/kd-042-pod-exec-role.ts';
import { kd043WriteVerbsRole } from './rules/kd-043-write-verbs-role.ts';
import { kd044NodeProxyRole } from './rules/kd-044-node-proxy-role.ts';
import { kd045EscalationVerbsRole } from './rules/kd-045-escalation-verbs-role.ts';
import { kd046SystemRoleModified } from './rules/kd-046-system-role-modified.ts';
import { kd047BindingChanged } from './rules/kd-047-binding-changed.ts';
import { kd048ServiceAccountRbacChange } from './rules/kd-048-service-account-rbac-change.ts';
import { kd049DefaultSaAdmin } from './rules/kd-049-default-sa-admin.ts';
import { kd050AnonymousBinding } from './rules/kd-050-anonymous-binding.ts';
import { kd051AwsAuthModified } from './rules/kd-051-aws-auth-modified.ts';
import { kd052AdmissionWebhookChanged } from './rules/kd-052-admission-webhook-changed.ts';
import { kd053CorednsConfigModified } from './rules/kd-053-coredns-config-modified.ts';
import { kd054SystemNamespaceServiceAccount } from './rules/kd-054-system-namespace-service-account.ts';
import { kd055PrivilegedImpersonation } from './rules/kd-055-privileged-impersonation.ts';
import { kd060AnonymousRequestAllowed } from './rules/kd-060-anonymous-request-allowed.ts';
import { kd061RequestDenied } from './rules/kd-061-request-denied.ts';
import { kd062RbacSelfEnumeration } from './rules/kd-062-rbac-self-enumeration.ts';
import { kd066DisallowedUser } from './rules/kd-066-disallowed-user.ts';
import { kd070EventsDeleted } from './rules/kd-070-events-deleted.ts';
import { kd071DeploymentOrNamespaceDeleted } from './rules/kd-071-deployment-or-namespace-deleted.ts';
import { kd072DisallowedNamespace } from './rules/kd-072-disallowed-namespace.ts';
import { kd080NodePortService } from './rules/kd-080-nodeport-service.ts';
import { kd081LoadBalancerService } from './rules/kd-081-loadbalancer-service.ts';
import { kd082IngressWithoutTls } from './rules/kd-082-ingress-without-tls.ts';
import { kd083UntrustedNode } from './rules/kd-083-untrusted-node.ts';

// Rules KD-001 … KD-037 (workloads, exec, secrets, tokens, certificates).
// biome-ignore format: one rule per line reads as a list
const WORKLOAD_AND_ACCESS_RULES: AuditRule[] = [
  kd001PrivilegedContainer,
  kd002SensitiveHostPathMount,
  kd003HostPathVolume,
  kd004HostNetwork,
  kd005HostPid,
  kd006HostIpc,
  kd007DangerousCapabilities,
  kd008PodInSystemNamespace,
  kd009ControllerServiceAccount,
  kd010RunsAsRoot,
  kd011DaemonSetCreated,
  kd012CronJobModified,
  kd013DeploymentPatched,
  kd014EphemeralContainer,
  kd015DisallowedRegistry,
  kd020ExecIntoPod,
  kd021ExecIntoKubeSystem,
  kd022ExecCredentialAccess,
  kd023ExecShellOrDownloader,
  kd024ExecImdsAccess,
  kd025KubectlCpFromPod,
  kd026PortForward,
  kd028NodesProxy,
  kd030ClusterWideSecretsDump,
  kd031SecretRead,
  kd032SecretAccessDenied,
  kd033ServiceAccountTokenMinted,
  kd034SecretModified,
  kd035ConfigMapCredentials,
  kd036ServiceAccountTokenSecret,
  kd037ClientCsr,
];

// Rules KD-040 … KD-083 (RBAC, cluster configuration, anonymous access, events, exposure).
// biome-ignore format: one rule per line reads as a list
const RBAC_AND_CLUSTER_RULES: AuditRule[] = [
  kd040ClusterAdminBinding,
  kd041WildcardRole,
  kd042PodExecRole,
  kd043WriteVerbsRole,
  kd044NodeProxyRole,
  kd045EscalationVerbsRole,
  kd046SystemRoleModified,
  kd047BindingChanged,
  kd048ServiceAccountRbacChange,
  kd049DefaultSaAdmin,
  kd050AnonymousBinding,
  kd051AwsAuthModified,
  kd052AdmissionWebhookChanged,
  kd053CorednsConfigModified,
  kd054SystemNamespaceServiceAccount,
  kd055PrivilegedImpersonation,
  kd060AnonymousRequestAllowed,
  kd061RequestDenied,
  kd062RbacSelfEnumeration,
  kd066DisallowedUser,
  kd070EventsDeleted,
  kd071DeploymentOrNamespaceDeleted,
  kd072DisallowedNamespace,
  kd080NodePortService,
  kd081LoadBalancerService,
  kd082IngressWithoutTls,
  kd083UntrustedNode,
];

/** A registered rule: its metadata carries the controls its alerts give evidence for. */
export type RegisteredRule = AuditRule & { controls: readonly ControlRef[] };

/**
 * Every audit-log rule, in catalog order, each given its `controls` from the one mapping
 * (core/compliance/mapping.ts, decision D66) — set on the rule object itself, so a rule module
 * imported directly carries them too.
 */
export const AUDIT_RULES: readonly RegisteredRule[] = [
  ...WORKLOAD_AND_ACCESS_RULES,
  ...RBAC_AND_CLUSTER_RULES,
]
  .map((rule) => Object.assign(rule, { controls: Object.freeze(controlsOfRule(rule.id)) }))
  .sort((a, b) => a.id.localeCompare(b.id));

export function findRule(id: string): RegisteredRule | undefined {
  return AUDIT_RULES.find((rule) => rule.id === id);
}
