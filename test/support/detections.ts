import { normalizeGuardDutyEvent } from '../../core/guardduty/normalize.ts';
import type { Detection } from '../../core/model/detection.ts';
import { loadFixture } from './fixtures.ts';

/** The detection a GuardDuty fixture normalizes to, with optional overrides. */
export function guardDutyDetection(fixture: string, overrides: Partial<Detection> = {}): Detection {
  const result = normalizeGuardDutyEvent(loadFixture(fixture));
  if (result.kind !== 'detection') throw new Error(`fixture ${fixture} was ignored: ${result.reason}`);
  return { ...result.detection, ...overrides };
}
