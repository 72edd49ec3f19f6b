import { describe, expect, it } from 'vitest';
import type { Severity } from '#core/model/severity.ts';
import type { CheckResult } from '#core/posture/check.ts';
import { postureScore } from '#core/posture/scoring.ts';

function result(checkId: string, severity: Severity, status: CheckResult['status']): CheckResult {
  return { checkId, severity, status, object: { kind: 'Pod', name: 'p' }, message: '', remediation: '' };
}

describe('posture score', () => {
  it('is 100 when nothing was evaluated', () => {
    expect(postureScore([])).toBe(100);
    expect(postureScore([result('KP-001', 'high', 'skip')])).toBe(100);
  });

  it('is 100 when every evaluated result passes, whatever was skipped', () => {
    expect(postureScore([result('KP-060', 'critical', 'pass'), result('KP-001', 'high', 'skip')])).toBe(100);
  });

  it('weights checks by severity: critical 10, high 5, medium 2, low 1', () => {
    // critical fails (0/10), medium passes (2/2), low passes (1/1): 100 × 3 / 13 = 23.08
    const results = [
      result('KP-060', 'critical', 'fail'),
      result('KP-082', 'medium', 'pass'),
      result('KP-088', 'low', 'pass'),
    ];

    expect(postureScore(results)).toBe(23);
  });

  it('gives partial credit within a check and counts each check once', () => {
    // KP-064 high: 1 of 4 objects pass → 5 × 0.25; KP-103 medium passes → 2. 100 × 3.25 / 7 = 46.4
    const results = [
      result('KP-064', 'high', 'pass'),
      ...Array.from({ length: 3 }, () => result('KP-064', 'high', 'fail')),
      result('KP-103', 'medium', 'pass'),
    ];

    expect(postureScore(results)).toBe(46);
  });

  it('stays below 100 while any failure remains', () => {
    const results = [
      ...Array.from({ length: 999 }, () => result('KP-083', 'low', 'pass')),
      result('KP-083', 'low', 'fail'),
    ];

    expect(postureScore(results)).toBe(99);
  });
});
