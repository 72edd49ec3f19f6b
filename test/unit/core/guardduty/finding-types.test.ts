import { describe, expect, it } from 'vitest';
import {
  findGuardDutyFindingType,
  GUARDDUTY_EKS_FINDING_TYPES,
  guardDutyTactic,
} from '../../../../core/guardduty/finding-types.ts';
import { readFixtureText } from '../../../support/fixtures.ts';

interface DocumentedType {
  type: string;
  feature: string;
  severity: string;
  retired: boolean;
}

/** Rows of the table in guardduty-eks-finding-types.md: `| # | type | feature | severity | status |`. */
function documentedTypes(): DocumentedType[] {
  return readFixtureText('guardduty-eks-finding-types.md')
    .split('\n')
    .map((line) => line.split('|').map((cell) => cell.trim()))
    .filter((cells) => /^\d+$/.test(cells[1] ?? ''))
    .map((cells) => ({
      type: cells[2] ?? '',
      feature: cells[3] ?? '',
      severity: cells[4] ?? '',
      retired: (cells[5] ?? '').includes('retired'),
    }));
}

describe('GuardDuty EKS finding types', () => {
  const documented = documentedTypes();

  it('reads all 81 documented types from the table', () => {
    expect(documented).toHaveLength(81);
  });

  it('lists every documented type, and nothing else', () => {
    expect(GUARDDUTY_EKS_FINDING_TYPES.map((t) => t.type).sort()).toEqual(
      documented.map((t) => t.type).sort(),
    );
  });

  it('carries the documented default severity, variability and retirement of each type', () => {
    for (const doc of documented) {
      const entry = findGuardDutyFindingType(doc.type);
      const word = doc.severity.split(' ')[0]?.toLowerCase();
      const varies = /variable|varies/i.test(doc.severity);
      expect({ type: doc.type, severity: entry?.defaultSeverity, varies: entry?.severityVaries }).toEqual({
        type: doc.type,
        severity: ['low', 'medium', 'high', 'critical'].includes(word ?? '') ? word : undefined,
        varies,
      });
      expect(entry?.retired, doc.type).toBe(doc.retired);
    }
  });

  it('names the feature that produces each type', () => {
    for (const doc of documented) {
      const expected = doc.feature.startsWith('EKS audit')
        ? 'eks-audit-logs'
        : doc.feature.startsWith('Runtime')
          ? 'runtime-monitoring'
          : doc.feature.startsWith('Malware')
            ? 'malware-protection'
            : 'extended-threat-detection';
      expect(findGuardDutyFindingType(doc.type)?.feature, doc.type).toBe(expected);
    }
  });

  it.each([
    ['Execution:Kubernetes/ExecInKubeSystemPod', 'KD-021', ['T1609']],
    ['Execution:Kubernetes/AnomalousBehavior.ExecInPod', 'KD-020', ['T1609']],
    ['CredentialAccess:Kubernetes/AnomalousBehavior.SecretsAccessed', 'KD-031', ['T1552.007']],
    ['PrivilegeEscalation:Kubernetes/PrivilegedContainer', 'KD-001', ['T1610', 'T1611']],
    [
      'PrivilegeEscalation:Kubernetes/AnomalousBehavior.WorkloadDeployed!PrivilegedContainer',
      'KD-001',
      ['T1610', 'T1611'],
    ],
    ['Persistence:Kubernetes/ContainerWithSensitiveMount', 'KD-002', ['T1611']],
    ['PrivilegeEscalation:Kubernetes/AnomalousBehavior.RoleBindingCreated', 'KD-047', ['T1098']],
    ['PrivilegeEscalation:Kubernetes/AnomalousBehavior.RoleCreated', 'KD-041', ['T1098']],
    ['Policy:Kubernetes/AnonymousAccessGranted', 'KD-050', ['T1078.001']],
    ['Policy:Kubernetes/ExposedDashboard', 'KD-080', ['T1133']],
    ['Impact:Kubernetes/SuccessfulAnonymousAccess', 'KD-060', ['T1078.001', 'T1190']],
    ['Discovery:Kubernetes/TorIPCaller', 'KD-065', ['T1078', 'T1090']],
    ['Persistence:Kubernetes/MaliciousIPCaller.Custom', 'KD-065', ['T1078', 'T1090']],
  ])('maps %s to %s (the catalog mapping, first id when two are given)', (type, ruleId, mitre) => {
    expect(findGuardDutyFindingType(type)).toMatchObject({ ruleId, mitre });
  });

  it('leaves Runtime Monitoring types unmapped: the audit-log catalog has no rule for them', () => {
    const runtime = GUARDDUTY_EKS_FINDING_TYPES.filter((t) => t.feature === 'runtime-monitoring');
    expect(runtime).toHaveLength(42);
    expect(runtime.filter((t) => t.ruleId !== undefined || t.mitre.length > 0)).toEqual([]);
  });

  it('does not know types AWS added after the table was built', () => {
    expect(findGuardDutyFindingType('Execution:Runtime/SomethingNew')).toBeUndefined();
  });

  it('derives the tactic family from the part before the colon', () => {
    expect(guardDutyTactic('Backdoor:Runtime/C&CActivity.B!DNS')).toBe('Backdoor');
    expect(guardDutyTactic('NoColonHere')).toBe('NoColonHere');
  });
});
