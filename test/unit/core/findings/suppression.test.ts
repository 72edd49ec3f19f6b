import { describe, expect, it } from 'vitest';
import { applyOccurrences } from '../../../../core/findings/record.ts';
import { suppressionEnded, withStatus } from '../../../../core/findings/status.ts';
import { guardDutyDetection } from '../../../support/detections.ts';

const exec = guardDutyDetection('guardduty-eks-exec-in-kube-system-pod.json');
const opened = applyOccurrences(undefined, [exec], { now: '2026-12-03T09:00:00.000Z', channel: '#alerts' });
const suppressed = withStatus(opened, {
  fingerprint: opened.fingerprint,
  to: 'suppressed',
  actor: 'U0RESPONDER',
  reason: 'for 4h: planned load test',
  until: '2026-12-03T14:00:00.000Z',
  at: '2026-12-03T10:00:00.000Z',
});

describe('a suppression with a duration', () => {
  it('keeps when it ends in the finding’s history', () => {
    expect(suppressed.history.at(-1)).toEqual({
      at: '2026-12-03T10:00:00.000Z',
      status: 'suppressed',
      actor: 'U0RESPONDER',
      reason: 'for 4h: planned load test',
      until: '2026-12-03T14:00:00.000Z',
    });
  });

  it('ends at its until time, not before', () => {
    expect(suppressionEnded(suppressed, '2026-12-03T13:59:59.999Z')).toBe(false);
    expect(suppressionEnded(suppressed, '2026-12-03T14:00:00.000Z')).toBe(true);
    expect(suppressionEnded({ ...suppressed, status: 'open' }, '2027-01-01T00:00:00.000Z')).toBe(false);
  });

  it('stays suppressed for an occurrence within it', () => {
    const next = applyOccurrences(suppressed, [{ ...exec, eventId: 'during' }], {
      now: '2026-12-03T12:00:00.000Z',
      channel: '#alerts',
    });

    expect(next.status).toBe('suppressed');
  });

  it('reopens the finding at the first occurrence after it, and says why', () => {
    const next = applyOccurrences(suppressed, [{ ...exec, eventId: 'after' }], {
      now: '2026-12-03T15:00:00.000Z',
      channel: '#alerts',
    });

    expect(next.status).toBe('open');
    expect(next.history.at(-1)).toEqual({
      at: '2026-12-03T15:00:00.000Z',
      status: 'open',
      actor: 'kubeguard',
      reason: 'occurred again after its suppression ended',
    });
  });

  it('never ends by itself without an until', () => {
    const forever = withStatus(opened, {
      fingerprint: opened.fingerprint,
      to: 'suppressed',
      actor: 'U0RESPONDER',
      at: '2026-12-03T10:00:00.000Z',
    });

    expect(suppressionEnded(forever, '2030-01-01T00:00:00.000Z')).toBe(false);
  });
});
