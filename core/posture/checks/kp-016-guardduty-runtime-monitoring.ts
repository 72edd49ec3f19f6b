import type { PostureCheck } from '../check.ts';
import { podTemplates } from '../pod-templates.ts';
import type { ClusterSnapshot } from '../snapshot.ts';
import { addonNamed } from './aws-support.ts';
import {
  additionalConfigurationEnabled,
  evaluateDetectors,
  feature,
  featureEnabled,
} from './guardduty-support.ts';

const AGENT = 'aws-guardduty-agent';

/** The GuardDuty security agent installed by hand: the EKS add-on or its DaemonSet. */
function agentInstalled(snapshot: ClusterSnapshot): string | undefined {
  if (addonNamed(snapshot, AGENT) !== undefined) return `EKS add-on ${AGENT}`;
  const daemonSet = podTemplates(snapshot).find(
    (template) => template.workload.kind === 'DaemonSet' && template.workload.metadata.name === AGENT,
  );
  return daemonSet === undefined ? undefined : `DaemonSet ${daemonSet.namespace}/${AGENT}`;
}

export const guardDutyRuntimeMonitoringCheck: PostureCheck = {
  id: 'KP-016',
  title: 'GuardDuty Runtime Monitoring covers EKS (with agent management)',
  severity: 'medium',
  category: 'aws',
  core: false,
  cis: [],
  reads: ['guardduty:detectors'],
  remediation:
    'aws guardduty update-detector --detector-id <id> --features \'[{"Name":"RUNTIME_MONITORING","Status":"ENABLED","AdditionalConfiguration":[{"Name":"EKS_ADDON_MANAGEMENT","Status":"ENABLED"}]}]\'',
  evaluate(snapshot) {
    return evaluateDetectors(this, snapshot, (detector) => {
      // RUNTIME_MONITORING replaces the legacy EKS_RUNTIME_MONITORING; either one counts.
      const name = ['RUNTIME_MONITORING', 'EKS_RUNTIME_MONITORING'].find((n) => featureEnabled(detector, n));
      const evidence: Record<string, string> = {
        'Features[Name=RUNTIME_MONITORING].Status': String(
          feature(detector, 'RUNTIME_MONITORING')?.Status ?? 'not listed',
        ),
        'Features[Name=EKS_RUNTIME_MONITORING].Status': String(
          feature(detector, 'EKS_RUNTIME_MONITORING')?.Status ?? 'not listed',
        ),
      };
      if (name === undefined) {
        return {
          pass: false,
          message:
            'neither RUNTIME_MONITORING nor EKS_RUNTIME_MONITORING is ENABLED: no runtime threat detection on the nodes',
          evidence,
        };
      }
      if (additionalConfigurationEnabled(feature(detector, name), 'EKS_ADDON_MANAGEMENT')) {
        evidence[`Features[Name=${name}].AdditionalConfiguration[Name=EKS_ADDON_MANAGEMENT].Status`] =
          'ENABLED';
        return { pass: true, message: `${name} is enabled and GuardDuty manages the EKS agent`, evidence };
      }
      const manual = agentInstalled(snapshot);
      if (manual !== undefined) {
        return {
          pass: true,
          message: `${name} is enabled and the agent is installed by hand (${manual})`,
          evidence,
        };
      }
      return {
        pass: false,
        message: `${name} is enabled but EKS_ADDON_MANAGEMENT is off and no ${AGENT} add-on or DaemonSet is installed: the cluster is not covered`,
        evidence,
      };
    });
  },
};
