import type { Severity } from '../model/severity.ts';

/** Which GuardDuty feature produces a finding type. */
export type GuardDutyFeature =
  | 'eks-audit-logs'
  | 'runtime-monitoring'
  | 'malware-protection'
  | 'extended-threat-detection';

export interface GuardDutyFindingType {
  /** The GuardDuty `type` string, e.g. `Execution:Kubernetes/ExecInKubeSystemPod`. */
  type: string;
  feature: GuardDutyFeature;
  /** AWS's default severity; absent when AWS says it varies entirely by context. */
  defaultSeverity?: Severity;
  /** AWS documents the severity as variable (context-dependent). */
  severityVaries: boolean;
  /** AWS no longer generates the type, but it still appears in older data. */
  retired: boolean;
  /** Catalog rule (KD-xxx) the type corresponds to, per the GuardDuty mapping in the detection catalog. */
  ruleId?: string;
  /** MITRE ATT&CK technique ids of the mapped catalog rule. */
  mitre: readonly string[];
}

/** MITRE ids of the catalog rules GuardDuty types map to (catalog "MITRE ATT&CK" column). */
const RULE_MITRE: Record<string, readonly string[]> = {
  'KD-001': ['T1610', 'T1611'],
  'KD-002': ['T1611'],
  'KD-011': ['T1610'],
  'KD-020': ['T1609'],
  'KD-021': ['T1609'],
  'KD-031': ['T1552.007'],
  'KD-041': ['T1098'],
  'KD-047': ['T1098'],
  'KD-049': ['T1078.001'],
  'KD-050': ['T1078.001'],
  'KD-060': ['T1078.001', 'T1190'],
  'KD-062': ['T1069.003', 'T1613'],
  'KD-065': ['T1078', 'T1090'],
  'KD-080': ['T1133'],
};

type Row = [
  type: string,
  feature: GuardDutyFeature,
  severity: Severity | 'variable',
  options?: { ruleId?: string; retired?: boolean; varies?: boolean },
];

const AUDIT: GuardDutyFeature = 'eks-audit-logs';
const RUNTIME: GuardDutyFeature = 'runtime-monitoring';
const MALWARE: GuardDutyFeature = 'malware-protection';

/**
 * Every EKS-relevant GuardDuty type (test/fixtures/guardduty-eks-finding-types.md), in that file's
 * order. Where the catalog maps a type to two rules (`KD-021 / KD-020`), the first listed is used.
 */
// biome-ignore format: one finding type per line reads as a table
const ROWS: Row[] = [
  ['CredentialAccess:Kubernetes/AnomalousBehavior.SecretsAccessed', AUDIT, 'medium', { ruleId: 'KD-031' }],
  ['CredentialAccess:Kubernetes/MaliciousIPCaller', AUDIT, 'high', { ruleId: 'KD-065' }],
  ['CredentialAccess:Kubernetes/MaliciousIPCaller.Custom', AUDIT, 'high', { ruleId: 'KD-065' }],
  ['CredentialAccess:Kubernetes/SuccessfulAnonymousAccess', AUDIT, 'high', { ruleId: 'KD-060' }],
  ['CredentialAccess:Kubernetes/TorIPCaller', AUDIT, 'high', { ruleId: 'KD-065' }],
  ['DefenseEvasion:Kubernetes/MaliciousIPCaller', AUDIT, 'high', { ruleId: 'KD-065' }],
  ['DefenseEvasion:Kubernetes/MaliciousIPCaller.Custom', AUDIT, 'high', { ruleId: 'KD-065' }],
  ['DefenseEvasion:Kubernetes/SuccessfulAnonymousAccess', AUDIT, 'high', { ruleId: 'KD-060' }],
  ['DefenseEvasion:Kubernetes/TorIPCaller', AUDIT, 'high', { ruleId: 'KD-065' }],
  ['Discovery:Kubernetes/AnomalousBehavior.PermissionChecked', AUDIT, 'low', { ruleId: 'KD-062' }],
  ['Discovery:Kubernetes/MaliciousIPCaller', AUDIT, 'medium', { ruleId: 'KD-065' }],
  ['Discovery:Kubernetes/MaliciousIPCaller.Custom', AUDIT, 'medium', { ruleId: 'KD-065' }],
  ['Discovery:Kubernetes/SuccessfulAnonymousAccess', AUDIT, 'medium', { ruleId: 'KD-060' }],
  ['Discovery:Kubernetes/TorIPCaller', AUDIT, 'medium', { ruleId: 'KD-065' }],
  ['Execution:Kubernetes/AnomalousBehavior.ExecInPod', AUDIT, 'medium', { ruleId: 'KD-020' }],
  ['Execution:Kubernetes/AnomalousBehavior.WorkloadDeployed', AUDIT, 'low', { ruleId: 'KD-011', varies: true }],
  ['Execution:Kubernetes/ExecInKubeSystemPod', AUDIT, 'medium', { ruleId: 'KD-021' }],
  ['Impact:Kubernetes/MaliciousIPCaller', AUDIT, 'high', { ruleId: 'KD-065' }],
  ['Impact:Kubernetes/MaliciousIPCaller.Custom', AUDIT, 'high', { ruleId: 'KD-065' }],
  ['Impact:Kubernetes/SuccessfulAnonymousAccess', AUDIT, 'high', { ruleId: 'KD-060' }],
  ['Impact:Kubernetes/TorIPCaller', AUDIT, 'high', { ruleId: 'KD-065' }],
  ['Persistence:Kubernetes/AnomalousBehavior.WorkloadDeployed!ContainerWithSensitiveMount', AUDIT, 'high', { ruleId: 'KD-002' }],
  ['Persistence:Kubernetes/MaliciousIPCaller', AUDIT, 'medium', { ruleId: 'KD-065' }],
  ['Persistence:Kubernetes/MaliciousIPCaller.Custom', AUDIT, 'medium', { ruleId: 'KD-065' }],
  ['Persistence:Kubernetes/SuccessfulAnonymousAccess', AUDIT, 'high', { ruleId: 'KD-060' }],
  ['Persistence:Kubernetes/TorIPCaller', AUDIT, 'medium', { ruleId: 'KD-065' }],
  ['Policy:Kubernetes/AdminAccessToDefaultServiceAccount', AUDIT, 'high', { ruleId: 'KD-049' }],
  ['Policy:Kubernetes/AnonymousAccessGranted', AUDIT, 'high', { ruleId: 'KD-050' }],
  ['Policy:Kubernetes/ExposedDashboard', AUDIT, 'medium', { ruleId: 'KD-080' }],
  ['Policy:Kubernetes/KubeflowDashboardExposed', AUDIT, 'medium', { ruleId: 'KD-080' }],
  ['PrivilegeEscalation:Kubernetes/AnomalousBehavior.RoleBindingCreated', AUDIT, 'medium', { ruleId: 'KD-047', varies: true }],
  ['PrivilegeEscalation:Kubernetes/AnomalousBehavior.RoleCreated', AUDIT, 'low', { ruleId: 'KD-041' }],
  // The catalog lists the sensitive-mount type under KD-002 by its `…WorkloadDeployed!ContainerWithSensitiveMount`
  // suffix; GuardDuty emits it with both the Persistence and the PrivilegeEscalation tactic.
  ['PrivilegeEscalation:Kubernetes/AnomalousBehavior.WorkloadDeployed!ContainerWithSensitiveMount', AUDIT, 'high', { ruleId: 'KD-002' }],
  ['PrivilegeEscalation:Kubernetes/AnomalousBehavior.WorkloadDeployed!PrivilegedContainer', AUDIT, 'high', { ruleId: 'KD-001' }],
  ['PrivilegeEscalation:Kubernetes/PrivilegedContainer', AUDIT, 'medium', { ruleId: 'KD-001', retired: true }],
  ['Persistence:Kubernetes/ContainerWithSensitiveMount', AUDIT, 'medium', { ruleId: 'KD-002', retired: true }],
  ['Execution:Kubernetes/MaliciousFile', MALWARE, 'variable'],
  ['Execution:Kubernetes/SuspiciousFile', MALWARE, 'variable'],
  ['Backdoor:Runtime/C&CActivity.B', RUNTIME, 'high'],
  ['Backdoor:Runtime/C&CActivity.B!DNS', RUNTIME, 'high'],
  ['CryptoCurrency:Runtime/BitcoinTool.B', RUNTIME, 'high'],
  ['CryptoCurrency:Runtime/BitcoinTool.B!DNS', RUNTIME, 'high'],
  ['DefenseEvasion:Runtime/FilelessExecution', RUNTIME, 'medium'],
  ['DefenseEvasion:Runtime/KernelModuleLoaded', RUNTIME, 'high'],
  ['DefenseEvasion:Runtime/ProcessInjection.Proc', RUNTIME, 'high'],
  ['DefenseEvasion:Runtime/ProcessInjection.Ptrace', RUNTIME, 'medium'],
  ['DefenseEvasion:Runtime/ProcessInjection.VirtualMemoryWrite', RUNTIME, 'high'],
  ['DefenseEvasion:Runtime/PtraceAntiDebugging', RUNTIME, 'low'],
  ['DefenseEvasion:Runtime/SuspiciousCommand', RUNTIME, 'variable'],
  ['Discovery:Runtime/SuspiciousCommand', RUNTIME, 'low'],
  ['Execution:Runtime/MaliciousFileExecuted', RUNTIME, 'high'],
  ['Execution:Runtime/NewBinaryExecuted', RUNTIME, 'medium'],
  ['Execution:Runtime/NewLibraryLoaded', RUNTIME, 'medium'],
  ['Execution:Runtime/ReverseShell', RUNTIME, 'high'],
  ['Execution:Runtime/SuspiciousCommand', RUNTIME, 'variable'],
  ['Execution:Runtime/SuspiciousShellCreated', RUNTIME, 'low'],
  ['Execution:Runtime/SuspiciousTool', RUNTIME, 'variable'],
  ['Impact:Runtime/AbusedDomainRequest.Reputation', RUNTIME, 'medium'],
  ['Impact:Runtime/BitcoinDomainRequest.Reputation', RUNTIME, 'high'],
  ['Impact:Runtime/CryptoMinerExecuted', RUNTIME, 'high'],
  ['Impact:Runtime/MaliciousDomainRequest.Reputation', RUNTIME, 'high'],
  ['Impact:Runtime/SuspiciousDomainRequest.Reputation', RUNTIME, 'low'],
  ['Persistence:Runtime/SuspiciousCommand', RUNTIME, 'medium'],
  ['PrivilegeEscalation:Runtime/CGroupsReleaseAgentModified', RUNTIME, 'high'],
  ['PrivilegeEscalation:Runtime/ContainerMountsHostDirectory', RUNTIME, 'medium'],
  ['PrivilegeEscalation:Runtime/DockerSocketAccessed', RUNTIME, 'medium'],
  ['PrivilegeEscalation:Runtime/ElevationToRoot', RUNTIME, 'medium'],
  ['PrivilegeEscalation:Runtime/RuncContainerEscape', RUNTIME, 'high'],
  ['PrivilegeEscalation:Runtime/SuspiciousCommand', RUNTIME, 'medium'],
  ['PrivilegeEscalation:Runtime/UserfaultfdUsage', RUNTIME, 'medium'],
  ['Trojan:Runtime/BlackholeTraffic', RUNTIME, 'medium'],
  ['Trojan:Runtime/BlackholeTraffic!DNS', RUNTIME, 'medium'],
  ['Trojan:Runtime/DGADomainRequest.C!DNS', RUNTIME, 'high'],
  ['Trojan:Runtime/DriveBySourceTraffic!DNS', RUNTIME, 'high'],
  ['Trojan:Runtime/DropPoint', RUNTIME, 'medium'],
  ['Trojan:Runtime/DropPoint!DNS', RUNTIME, 'medium'],
  ['Trojan:Runtime/PhishingDomainRequest!DNS', RUNTIME, 'high'],
  ['UnauthorizedAccess:Runtime/MetadataDNSRebind', RUNTIME, 'high'],
  ['UnauthorizedAccess:Runtime/TorClient', RUNTIME, 'high'],
  ['UnauthorizedAccess:Runtime/TorRelay', RUNTIME, 'high'],
  ['AttackSequence:EKS/CompromisedCluster', 'extended-threat-detection', 'critical'],
];

function toFindingType([type, feature, severity, options = {}]: Row): GuardDutyFindingType {
  const variable = severity === 'variable';
  return Object.freeze({
    type,
    feature,
    ...(variable ? {} : { defaultSeverity: severity }),
    severityVaries: variable || options.varies === true,
    retired: options.retired === true,
    ...(options.ruleId === undefined ? {} : { ruleId: options.ruleId }),
    mitre: options.ruleId === undefined ? [] : (RULE_MITRE[options.ruleId] ?? []),
  });
}

/** Every EKS-relevant GuardDuty finding type, in the order of the AWS-derived table. */
export const GUARDDUTY_EKS_FINDING_TYPES: readonly GuardDutyFindingType[] = Object.freeze(
  ROWS.map(toFindingType),
);

const BY_TYPE = new Map(GUARDDUTY_EKS_FINDING_TYPES.map((entry) => [entry.type, entry]));

/** The table entry for a GuardDuty type, or undefined for a type AWS added after the table was built. */
export function findGuardDutyFindingType(type: string): GuardDutyFindingType | undefined {
  return BY_TYPE.get(type);
}

/** The tactic family of a GuardDuty type: the part before `:` (`Execution`, `Policy`, `Trojan` …). */
export function guardDutyTactic(type: string): string {
  const colon = type.indexOf(':');
  return colon > 0 ? type.slice(0, colon) : type;
}
