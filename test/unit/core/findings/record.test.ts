import { describe, expect, it } from 'vitest';
import { boundDetection, MAX_FIELD_LENGTH } from '../../../../core/findings/bound.ts';
import { applyOccurrences, groupIntoIncidents } from '../../../../core/findings/record.ts';
import { MAX_UNSENT_EVIDENCE } from '../../../../core/findings/stored-finding.ts';
import type { Detection } from '../../../../core/model/detection.ts';
import { fingerprintOf, separateIncidentKey } from '../../../../core/model/finding.ts';
import { guardDutyDetection } from '../../../support/detections.ts';
import { ASMITH, auditDetections, execEvent } from '../../../support/incident-events.ts';

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

describe('groupIntoIncidents', () => {
  const nothingStored = async () => undefined;

  it('puts occurrences of one incident together and another actor’s apart', async () => {
    const groups = await groupIntoIncidents(
      [exec, { ...exec, eventId: 'x' }, { ...exec, principal: ASMITH.arn, actor: ASMITH, eventId: 'y' }],
      nothingStored,
    );
    expect(groups.map((g) => g.detections.length)).toEqual([2, 1]);
  });

  it('folds the detections of one request by several rules into one occurrence carrying every rule', async () => {
    const detections = auditDetections(execEvent());
    expect(detections.map((d) => d.ruleId)).toEqual(['KD-020', 'KD-021', 'KD-023']);

    const [group, ...others] = await groupIntoIncidents(detections, nothingStored);

    expect(others).toEqual([]);
    expect(group?.detections.map((d) => d.ruleId)).toEqual(['KD-021']);
    const eventId = detections[0]?.eventId as string;
    expect(group?.reports.get(eventId)?.map((r) => [r.ruleId, r.severity])).toEqual([
      ['KD-020', 'medium'],
      ['KD-021', 'high'],
      ['KD-023', 'medium'],
    ]);
    const finding = applyOccurrences(undefined, group?.detections ?? [], {
      ...context,
      reports: group?.reports,
      fingerprint: group?.fingerprint,
    });
    expect(finding.occurrences).toBe(1);
    expect(finding.rules?.map((r) => r.ruleId)).toEqual(['KD-020', 'KD-021', 'KD-023']);
  });

  it('keeps the newer revision when one GuardDuty finding arrives twice in a batch', async () => {
    const [group] = await groupIntoIncidents(
      [exec, { ...exec, count: 4, updatedAt: '2030-01-01T00:00:00.000Z' }],
      nothingStored,
    );
    expect(group?.detections.map((d) => d.count)).toEqual([4]);
  });

  it('asks the store only about GuardDuty findings', async () => {
    const asked: string[] = [];
    await groupIntoIncidents(auditDetections(execEvent()), async (fingerprint) => {
      asked.push(fingerprint);
      return undefined;
    });
    expect(asked).toEqual([]);
  });

  it('places a GuardDuty finding after the audit events of its batch, whatever their order', async () => {
    const audit = auditDetections(execEvent({ at: '2024-05-14T09:05:00.000000Z' }));
    const guardDuty = guardDutyDetection('guardduty-eks-exec-in-kube-system-pod.json');
    const groups = await groupIntoIncidents([guardDuty, ...audit], nothingStored);
    expect(groups).toHaveLength(1);
    expect(groups[0]?.fingerprint).toBe(fingerprintOf(guardDuty));
  });

  it('keeps a GuardDuty finding outside the window apart, under a key of its own', async () => {
    const audit = auditDetections(execEvent({ at: '2024-05-14T08:00:00.000000Z' }));
    const guardDuty = guardDutyDetection('guardduty-eks-exec-in-kube-system-pod.json');
    const groups = await groupIntoIncidents([...audit, guardDuty], nothingStored);
    expect(groups.map((g) => g.fingerprint)).toEqual([
      fingerprintOf(guardDuty),
      separateIncidentKey(fingerprintOf(guardDuty), 'Execution:Kubernetes/ExecInKubeSystemPod'),
    ]);
    const joined = await groupIntoIncidents([...audit, guardDuty], nothingStored, { joinWindowMinutes: 90 });
    expect(joined).toHaveLength(1);
  });
});

describe('applyOccurrences for incidents', () => {
  it('names the finding by the key it is recorded under', () => {
    const finding = applyOccurrences(undefined, [exec], { ...context, fingerprint: 'f'.repeat(32) });
    expect(finding.fingerprint).toBe('f'.repeat(32));
  });

  it('never lowers a rule’s rating when a later GuardDuty revision scores it lower', () => {
    const high = { ...exec, severity: 'high' as const, severityScore: 8 };
    const first = applyOccurrences(undefined, [high], context);
    const lower = { ...exec, severity: 'medium' as const, severityScore: 5, count: 2 };
    const next = applyOccurrences(first, [{ ...lower, count: 1 }], context);
    expect(next.rules?.map((r) => [r.severity, r.score, r.occurrences])).toEqual([['high', 8, 2]]);
  });

  it('routes a new incident by its most severe rule and keeps a LOW one quiet', () => {
    const channelFor = (d: Detection) => (d.severity === 'low' ? undefined : `#${d.severity}`);
    const low = { ...exec, severity: 'low' as const };
    const quiet = applyOccurrences(undefined, [low], { now: NOW, channelFor });
    expect(quiet.delivery).toMatchObject({ state: 'quiet', channel: '' });
    const raised = applyOccurrences(quiet, [{ ...exec, eventId: 'later', severity: 'high' }], {
      now: NOW,
      channelFor,
    });
    expect(raised.delivery).toMatchObject({
      state: 'pending',
      channel: '#high',
      messageStale: true,
      unsentOccurrences: 0,
      unsentEvidence: [],
    });
    expect(raised.occurrences).toBe(2);
  });

  it('keeps the channel of a posted incident even when routing would now keep it quiet', () => {
    const posted = applyOccurrences(undefined, [exec], context);
    const next = applyOccurrences(
      {
        ...posted,
        slack: { channel: '#alerts', ts: '1.2' },
        delivery: { ...posted.delivery, state: 'delivered' },
      },
      [{ ...exec, eventId: 'again', severity: 'low' }],
      { now: NOW, channelFor: () => undefined },
    );
    expect(next.delivery).toMatchObject({ state: 'pending', channel: '#alerts', unsentOccurrences: 1 });
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
