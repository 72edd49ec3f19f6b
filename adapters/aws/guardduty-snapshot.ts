import { GetDetectorCommand, type GuardDutyClient, paginateListDetectors } from '@aws-sdk/client-guardduty';
import type { AwsSnapshot } from '#core/posture/snapshot.ts';
import { mapLimited, type Unavailable, unavailableReason, withoutMetadata } from './collect-support.ts';

export interface GuardDutyCollection {
  aws: Pick<AwsSnapshot, 'detectors'>;
  unavailable: Unavailable;
}

/**
 * The GuardDuty detectors of the client's region (at most one per account and region), each a
 * GetDetector output with its `detectorId`. `[]` means GuardDuty is off there, which the checks
 * report as a failure, not as missing data.
 */
export async function collectGuardDutySnapshot(guardDuty: GuardDutyClient): Promise<GuardDutyCollection> {
  try {
    const ids: string[] = [];
    for await (const page of paginateListDetectors({ client: guardDuty }, {}))
      ids.push(...(page.DetectorIds ?? []));
    const detectors = await mapLimited(ids, 3, async (detectorId) => ({
      ...withoutMetadata(await guardDuty.send(new GetDetectorCommand({ DetectorId: detectorId }))),
      detectorId,
    }));
    return { aws: { detectors }, unavailable: {} };
  } catch (error) {
    return {
      aws: {},
      unavailable: { 'guardduty:detectors': unavailableReason('guardduty:ListDetectors/GetDetector', error) },
    };
  }
}
