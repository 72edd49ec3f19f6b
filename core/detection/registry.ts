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
];

/** Every audit-log rule, in catalog order. */
export const AUDIT_RULES: readonly AuditRule[] = [
  ...WORKLOAD_AND_ACCESS_RULES,
  ...RBAC_AND_CLUSTER_RULES,
].sort((a, b) => a.id.localeCompare(b.id));

export function findRule(id: string): AuditRule | undefined {
  return AUDIT_RULES.find((rule) => rule.id === id);
}
