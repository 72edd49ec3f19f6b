import type { CheckMetadata, CheckResult } from '../check.ts';
import { dig, type Json, list, record } from '../pod-templates.ts';
import { makeResult, type Subject, skipResult } from '../results.ts';
import type { ClusterSnapshot } from '../snapshot.ts';
import { eksCluster, regionOfArn } from './aws-support.ts';

/**
 * GuardDuty GetDetector responses (SDK member names PascalCase). Features are looked up by `Name`,
 * never by index; unknown names (AI_PROTECTION …) are ignored; old detectors have no `Features`.
 * A detector whose top-level `Status` is DISABLED is suspended whatever its features say.
 */
export const DETECTOR_KIND = 'GuardDutyDetector';

export function feature(detector: Json, name: string): Json | undefined {
  return list(detector.Features)
    .map(record)
    .find((item) => item?.Name === name);
}

export function featureEnabled(detector: Json, name: string): boolean {
  return feature(detector, name)?.Status === 'ENABLED';
}

export function additionalConfigurationEnabled(featureObject: Json | undefined, name: string): boolean {
  return list(featureObject?.AdditionalConfiguration)
    .map(record)
    .some((item) => item?.Name === name && item.Status === 'ENABLED');
}

export function isSuspended(detector: Json): boolean {
  return detector.Status !== 'ENABLED';
}

export function legacyDataSourceStatus(detector: Json, ...path: string[]): unknown {
  return dig(detector.DataSources, ...path, 'Status');
}

function detectorSubject(detector: Json): Subject {
  const id = typeof detector.detectorId === 'string' ? detector.detectorId : '(unknown id)';
  return { ref: { kind: DETECTOR_KIND, name: id } };
}

/**
 * One result per detector of the cluster's region, or one failure when there is none
 * (ListDetectors `[]` = GuardDuty never enabled there).
 */
export function evaluateDetectors(
  check: CheckMetadata,
  snapshot: ClusterSnapshot,
  inspect: (detector: Json) => { pass: boolean; message: string; evidence?: Record<string, string> },
): CheckResult[] {
  const detectors = snapshot.aws?.detectors;
  if (detectors === undefined) return [skipResult(check, snapshot, 'GuardDuty detectors were not collected')];
  if (detectors.length === 0) {
    const region = regionOfArn(eksCluster(snapshot)?.arn) ?? 'the cluster region';
    return [
      makeResult(
        check,
        'fail',
        { ref: { kind: DETECTOR_KIND, name: `(none in ${region})` } },
        `GuardDuty has no detector in ${region}: ListDetectors returned []`,
      ),
    ];
  }
  return detectors.map((raw) => {
    const detector = record(raw) ?? {};
    const subject = detectorSubject(detector);
    if (isSuspended(detector)) {
      return makeResult(
        check,
        'fail',
        subject,
        `detector Status is ${JSON.stringify(detector.Status)}: GuardDuty is suspended, no feature produces findings`,
        { Status: String(detector.Status) },
      );
    }
    const outcome = inspect(detector);
    return makeResult(check, outcome.pass ? 'pass' : 'fail', subject, outcome.message, outcome.evidence);
  });
}
