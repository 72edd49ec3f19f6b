import { describe, expect, it } from 'vitest';
import { boundDetection, MAX_FIELD_LENGTH } from '../../../../core/findings/bound.ts';
import { applyOccurrences, groupByFingerprint } from '../../../../core/findings/record.ts';
import { MAX_UNSENT_EVIDENCE } from '../../../../core/findings/stored-finding.ts';
import { fingerprintOf } from '../../../../core/model/finding.ts';
import { guardDutyDetection } from '../../../support/detections.ts';

const NOW = '2026-11-28T10:00:00.000Z';
const context = { now: NOW, channel: '#alerts' };
const exec = guardDutyDetection('guardduty-eks-exec-in-kube-system-pod.json');

describe('applyOccurrences', () => {
  it('opens a pending finding whose first message will show every occurrence', () => {
    const finding = applyOccurrences(undefined, [exec, { ...exec, eventId: 'other', count: 2 }], context);
    expect(finding.status).toBe('open');
    expect(finding.occurrences).toBe(3);
    expect(finding.version).toBe(1);
    expect(finding.delivery).toMatchObject({
      state: 'pending',
      channel: '#alerts',
      messageStale: true,
      unsentOccurrences: 0,
    });
    expect(finding.fingerprint).toBe(fingerprintOf(exec));
  });

  it('adds later occurrences, keeps the newest detection and owes Slack an update', () => {
    const first = applyOccurrences(undefined, [exec], context);
    const later = { ...exec, eventId: 'e2', lastSeen: '2030-01-01T00:00:00.000Z', pod: 'newer-pod' };
    const next = applyOccurrences(
      { ...first, delivery: { ...first.delivery, state: 'delivered', messageStale: false } },
      [later],
      context,
    );
    expect(next.occurrences).toBe(2);
    expect(next.lastSeen).toBe('2030-01-01T00:00:00.000Z');
    expect(next.detection.pod).toBe('newer-pod');
    expect(next.version).toBe(2);
    expect(next.delivery).toMatchObject({ state: 'pending', messageStale: true, unsentOccurrences: 1 });
    expect(next.delivery.unsentEvidence[0]).toContain('newer-pod');
  });

  it('reopens a resolved finding that occurs again and says why in its history', () => {
    const resolved = { ...applyOccurrences(undefined, [exec], context), status: 'resolved' as const };
    const next = applyOccurrences(resolved, [{ ...exec, eventId: 'again' }], context);
    expect(next.status).toBe('open');
    expect(next.history.at(-1)).toMatchObject({ status: 'open', reason: 'occurred again after resolved' });
  });

  it('keeps an acknowledged finding acknowledged when it occurs again', () => {
    const acknowledged = { ...applyOccurrences(undefined, [exec], context), status: 'acknowledged' as const };
    expect(applyOccurrences(acknowledged, [{ ...exec, eventId: 'again' }], context).status).toBe(
      'acknowledged',
    );
  });

  it('keeps only the newest evidence lines for the thread summary', () => {
    const first = applyOccurrences(undefined, [exec], context);
    const many = Array.from({ length: 25 }, (_, i) => ({ ...exec, eventId: `e${i}` }));
    const next = applyOccurrences(first, many, context);
    expect(next.delivery.unsentEvidence).toHaveLength(MAX_UNSENT_EVIDENCE);
    expect(next.delivery.unsentOccurrences).toBe(25);
  });
});

describe('groupByFingerprint', () => {
  it('puts occurrences of one incident together and different pods of a DaemonSet-less finding apart', () => {
    const groups = groupByFingerprint([
      exec,
      { ...exec, eventId: 'x' },
      { ...exec, principal: 'someone-else' },
    ]);
    expect([...groups.values()].map((g) => g.length)).toEqual([2, 1]);
  });
});

describe('boundDetection', () => {
  it('caps megabyte attacker strings so a finding fits a DynamoDB item', () => {
    const huge = 'A'.repeat(1_000_000);
    const bounded = boundDetection({
      ...exec,
      pod: huge,
      evidence: { requestUri: huge },
      sourceIps: Array(500).fill('1.2.3.4'),
    });
    expect(bounded.pod?.length).toBe(MAX_FIELD_LENGTH);
    expect(bounded.evidence.requestUri?.length).toBe(MAX_FIELD_LENGTH);
    expect(bounded.sourceIps.length).toBeLessThanOrEqual(20);
    expect(JSON.stringify(bounded).length).toBeLessThan(100_000);
  });
});
