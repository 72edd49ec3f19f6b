import type { PostureCheck } from '../check.ts';
import { record } from '../pod-templates.ts';
import { show, skipResult } from '../results.ts';
import { DAY_MS, dayOf, evaluateCluster, snapshotTime, timeOf } from './aws-support.ts';

/** Standard support ending within this many days counts as "near extended support". */
export const NEAR_END_OF_STANDARD_SUPPORT_DAYS = 60;

type SupportStatus = 'STANDARD_SUPPORT' | 'EXTENDED_SUPPORT' | 'UNSUPPORTED' | 'UNKNOWN';

/**
 * `versionStatus` (UPPER_SNAKE) is preferred; the deprecated `status` is documented lowercase
 * (`standard-support`) but the user-guide sample shows `STANDARD_SUPPORT`, so both are normalised.
 */
export function supportStatus(entry: Record<string, unknown>): SupportStatus {
  const raw = entry.versionStatus ?? entry.status;
  if (typeof raw !== 'string') return 'UNKNOWN';
  const normalised = raw.toUpperCase().replaceAll('-', '_');
  return normalised === 'STANDARD_SUPPORT' ||
    normalised === 'EXTENDED_SUPPORT' ||
    normalised === 'UNSUPPORTED'
    ? normalised
    : 'UNKNOWN';
}

export const supportedVersionCheck: PostureCheck = {
  id: 'KP-007',
  title: 'Cluster runs a Kubernetes version in standard support',
  severity: 'high',
  category: 'aws',
  core: true,
  cis: [],
  reads: ['eks:cluster', 'eks:clusterVersions'],
  remediation:
    'Upgrade the control plane one minor version at a time (aws eks update-cluster-version --name <cluster> --kubernetes-version <next>), then the node groups and add-ons.',
  evaluate(snapshot) {
    const versions = snapshot.aws?.supportedVersions;
    if (versions === undefined)
      return [skipResult(this, snapshot, 'DescribeClusterVersions was not collected')];
    return evaluateCluster(this, snapshot, (cluster) => {
      const version = cluster.version;
      const evidence: Record<string, string> = { 'cluster.version': show(version) };
      const entry = versions
        .map(record)
        .find((item) => item !== undefined && item.clusterVersion === version);
      if (entry === undefined) {
        const listed = versions.map((item) => String(record(item)?.clusterVersion)).join(', ');
        return {
          pass: false,
          message: `cluster.version ${show(version)} is not among the versions EKS supports (${listed}): it is past the end of extended support`,
          evidence,
        };
      }
      const status = supportStatus(entry);
      const endStandard = timeOf(entry.endOfStandardSupportDate);
      const endExtended = entry.endOfExtendedSupportDate;
      evidence['clusterVersions[].versionStatus'] = status;
      evidence['clusterVersions[].endOfStandardSupportDate'] = dayOf(entry.endOfStandardSupportDate);
      const now = snapshotTime(snapshot);
      const standardOver = endStandard !== undefined && now !== undefined && endStandard <= now;
      if (status === 'UNSUPPORTED') {
        return { pass: false, message: `Kubernetes ${version} is no longer supported by EKS`, evidence };
      }
      if (status === 'EXTENDED_SUPPORT' || standardOver) {
        return {
          pass: false,
          message: `Kubernetes ${version} is in extended support since ${dayOf(entry.endOfStandardSupportDate)} (extra cost; support ends ${dayOf(endExtended)})`,
          evidence,
        };
      }
      if (endStandard !== undefined && now !== undefined) {
        const daysLeft = Math.floor((endStandard - now) / DAY_MS);
        if (daysLeft < NEAR_END_OF_STANDARD_SUPPORT_DAYS) {
          return {
            pass: false,
            message: `Kubernetes ${version} leaves standard support on ${dayOf(entry.endOfStandardSupportDate)}, in ${daysLeft} days`,
            evidence,
          };
        }
      }
      return {
        pass: true,
        message: `Kubernetes ${version} is in standard support until ${dayOf(entry.endOfStandardSupportDate)}`,
        evidence,
      };
    });
  },
};
