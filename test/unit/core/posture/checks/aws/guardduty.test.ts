import { describe, expect, it } from 'vitest';
import type { PostureCheck } from '#core/posture/check.ts';
import { guardDutyEnabledCheck } from '#core/posture/checks/kp-014-guardduty-enabled.ts';
import { guardDutyEksAuditLogsCheck } from '#core/posture/checks/kp-015-guardduty-eks-audit-logs.ts';
import { guardDutyRuntimeMonitoringCheck } from '#core/posture/checks/kp-016-guardduty-runtime-monitoring.ts';
import { guardDutyEbsMalwareCheck } from '#core/posture/checks/kp-019-guardduty-ebs-malware.ts';
import type { AwsSnapshot } from '#core/posture/snapshot.ts';
import { aws, awsSnapshot } from '#test/support/aws-fixtures.ts';

const cluster = aws.cluster('eks-describe-cluster-audit-log-off.json');

function onDetector(check: PostureCheck, fixture: string, extra: AwsSnapshot = {}) {
  const results = check.evaluate(awsSnapshot({ cluster, detectors: [aws.detector(fixture)], ...extra }));
  expect(results).toHaveLength(1);
  return results[0] ?? expect.unreachable();
}

describe('KP-014 GuardDuty detector enabled', () => {
  it('passes an enabled detector, reported on its id', () => {
    const result = onDetector(guardDutyEnabledCheck, 'guardduty-get-detector-all-on.json');
    expect(result).toMatchObject({
      status: 'pass',
      object: { kind: 'GuardDutyDetector', name: 'c2db5b53828d466d95f96fc901f93832' },
    });
  });

  it('flags a suspended detector (Status DISABLED while its features say ENABLED)', () => {
    const result = onDetector(guardDutyEnabledCheck, 'guardduty-get-detector-suspended.json');
    expect(result.status).toBe('fail');
    expect(result.message).toContain('suspended');
  });

  it('flags a region without detector (ListDetectors returned [])', () => {
    const [result] = guardDutyEnabledCheck.evaluate(awsSnapshot({ cluster, detectors: [] }));
    expect(result).toMatchObject({ status: 'fail', object: { name: '(none in us-east-2)' } });
  });

  it('skips when detectors were not collected', () => {
    const [result] = guardDutyEnabledCheck.evaluate(awsSnapshot({ cluster }));
    expect(result?.status).toBe('skip');
  });
});

describe('KP-015 GuardDuty EKS Audit Log Monitoring', () => {
  it('passes EKS_AUDIT_LOGS ENABLED', () => {
    expect(onDetector(guardDutyEksAuditLogsCheck, 'guardduty-get-detector-runtime-off.json').status).toBe(
      'pass',
    );
  });

  it('flags EKS_AUDIT_LOGS DISABLED and names the feature', () => {
    const result = onDetector(guardDutyEksAuditLogsCheck, 'guardduty-get-detector-audit-off.json');
    expect(result.status).toBe('fail');
    expect(result.message).toContain('Features[Name=EKS_AUDIT_LOGS].Status is "DISABLED"');
  });

  it('flags a 2018 detector without Features or DataSources instead of crashing', () => {
    const result = onDetector(guardDutyEksAuditLogsCheck, 'guardduty-get-detector-legacy-no-features.json');
    expect(result.status).toBe('fail');
    expect(result.message).toContain('neither an EKS_AUDIT_LOGS feature nor DataSources.Kubernetes');
  });

  it('falls back to the deprecated DataSources mirror when Features are absent', () => {
    const detector = aws.detector('guardduty-get-detector-all-on.json');
    delete detector.Features;
    const [result] = guardDutyEksAuditLogsCheck.evaluate(awsSnapshot({ detectors: [detector] }));
    expect(result?.status).toBe('pass');
  });

  it('finds the feature by name whatever its position', () => {
    const detector = aws.detector('guardduty-get-detector-audit-off.json');
    (detector.Features as unknown[]).reverse();
    const [result] = guardDutyEksAuditLogsCheck.evaluate(awsSnapshot({ detectors: [detector] }));
    expect(result?.status).toBe('fail');
  });

  it('flags a suspended detector whose audit feature still says ENABLED', () => {
    expect(onDetector(guardDutyEksAuditLogsCheck, 'guardduty-get-detector-suspended.json').status).toBe(
      'fail',
    );
  });
});

describe('KP-016 GuardDuty Runtime Monitoring for EKS', () => {
  it('passes RUNTIME_MONITORING with EKS_ADDON_MANAGEMENT', () => {
    expect(onDetector(guardDutyRuntimeMonitoringCheck, 'guardduty-get-detector-all-on.json').status).toBe(
      'pass',
    );
  });

  it('passes the legacy EKS_RUNTIME_MONITORING with its add-on management', () => {
    const result = onDetector(
      guardDutyRuntimeMonitoringCheck,
      'guardduty-get-detector-legacy-eks-runtime.json',
    );
    expect(result.status).toBe('pass');
    expect(result.message).toContain('EKS_RUNTIME_MONITORING');
  });

  it('flags runtime monitoring off', () => {
    const result = onDetector(guardDutyRuntimeMonitoringCheck, 'guardduty-get-detector-runtime-off.json');
    expect(result.status).toBe('fail');
    expect(result.message).toContain('neither RUNTIME_MONITORING nor EKS_RUNTIME_MONITORING');
  });

  it('flags runtime monitoring without agent management or a manually installed agent', () => {
    const result = onDetector(
      guardDutyRuntimeMonitoringCheck,
      'guardduty-get-detector-runtime-manual-agent.json',
    );
    expect(result.status).toBe('fail');
    expect(result.message).toContain('EKS_ADDON_MANAGEMENT is off');
  });

  it('passes runtime monitoring with a manually installed aws-guardduty-agent add-on', () => {
    const agent = {
      ...aws.addon('eks-describe-addon-vpc-cni-default.json'),
      addonName: 'aws-guardduty-agent',
    };
    const result = onDetector(
      guardDutyRuntimeMonitoringCheck,
      'guardduty-get-detector-runtime-manual-agent.json',
      {
        addons: [agent],
      },
    );
    expect(result.status).toBe('pass');
    expect(result.message).toContain('installed by hand');
  });
});

describe('KP-019 GuardDuty Malware Protection for EC2', () => {
  it('passes EBS_MALWARE_PROTECTION ENABLED', () => {
    expect(onDetector(guardDutyEbsMalwareCheck, 'guardduty-get-detector-all-on.json').status).toBe('pass');
  });

  it('flags it when disabled', () => {
    const detector = aws.detector('guardduty-get-detector-all-on.json');
    for (const item of detector.Features as { Name: string; Status: string }[]) {
      if (item.Name === 'EBS_MALWARE_PROTECTION') item.Status = 'DISABLED';
    }
    const [result] = guardDutyEbsMalwareCheck.evaluate(awsSnapshot({ detectors: [detector] }));
    expect(result?.message).toBe('Features[Name=EBS_MALWARE_PROTECTION].Status is "DISABLED"');
  });

  it('flags a detector that lists no such feature', () => {
    expect(
      onDetector(guardDutyEbsMalwareCheck, 'guardduty-get-detector-legacy-no-features.json').status,
    ).toBe('fail');
  });
});
