import type { PostureCheck } from '../check.ts';
import { show } from '../results.ts';
import { evaluateDetectors, feature, legacyDataSourceStatus } from './guardduty-support.ts';

export const guardDutyEksAuditLogsCheck: PostureCheck = {
  id: 'KP-015',
  title: 'GuardDuty EKS Audit Log Monitoring enabled',
  severity: 'high',
  category: 'aws',
  core: true,
  cis: [],
  reads: ['guardduty:detectors'],
  remediation:
    'aws guardduty update-detector --detector-id <id> --features \'[{"Name":"EKS_AUDIT_LOGS","Status":"ENABLED"}]\'',
  evaluate(snapshot) {
    return evaluateDetectors(this, snapshot, (detector) => {
      const audit = feature(detector, 'EKS_AUDIT_LOGS');
      if (audit !== undefined) {
        const evidence = { 'Features[Name=EKS_AUDIT_LOGS].Status': show(audit.Status) };
        return audit.Status === 'ENABLED'
          ? { pass: true, message: 'EKS Audit Log Monitoring is enabled', evidence }
          : {
              pass: false,
              message: `Features[Name=EKS_AUDIT_LOGS].Status is ${show(audit.Status)}: Kubernetes API activity is not analysed`,
              evidence,
            };
      }
      // Detectors without Features: the deprecated DataSources mirror, if present, is all there is.
      const legacy = legacyDataSourceStatus(detector, 'Kubernetes', 'AuditLogs');
      const evidence = { 'DataSources.Kubernetes.AuditLogs.Status': show(legacy) };
      if (legacy === 'ENABLED') {
        return {
          pass: true,
          message: 'EKS Audit Log Monitoring is enabled (DataSources.Kubernetes.AuditLogs)',
          evidence,
        };
      }
      return {
        pass: false,
        message:
          legacy === undefined
            ? 'the detector lists neither an EKS_AUDIT_LOGS feature nor DataSources.Kubernetes: EKS Audit Log Monitoring is not enabled'
            : `DataSources.Kubernetes.AuditLogs.Status is ${show(legacy)}`,
        evidence,
      };
    });
  },
};
