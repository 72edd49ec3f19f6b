import type { PostureCheck } from '../check.ts';
import { evaluateDetectors } from './guardduty-support.ts';

export const guardDutyEnabledCheck: PostureCheck = {
  id: 'KP-014',
  title: "GuardDuty detector enabled in the cluster's region",
  severity: 'high',
  category: 'aws',
  core: true,
  cis: [],
  reads: ['guardduty:detectors'],
  remediation:
    'aws guardduty create-detector --enable --region <region> (or, when suspended, aws guardduty update-detector --detector-id <id> --enable)',
  evaluate(snapshot) {
    return evaluateDetectors(this, snapshot, () => ({
      pass: true,
      message: 'the GuardDuty detector is enabled',
      evidence: { Status: 'ENABLED' },
    }));
  },
};
