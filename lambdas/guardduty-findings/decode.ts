import { type GuardDutyResult, normalizeGuardDutyEvent } from '../../core/guardduty/normalize.ts';

/**
 * Edge validation for the EventBridge rule's target: the event must be a GuardDuty finding
 * envelope. Throws InvalidEventError naming the field and the value received; returns the
 * normalized detection, or why the finding is not kubeguard's (a non-EKS resource).
 */
export function decodeGuardDutyEvent(event: unknown): GuardDutyResult {
  return normalizeGuardDutyEvent(event);
}
