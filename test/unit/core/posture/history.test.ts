import { describe, expect, it } from 'vitest';
import { runAudit } from '#core/posture/engine.ts';
import {
  type AuditHistoryEntry,
  auditTrend,
  entriesBetween,
  historyEntryOf,
  newestFirst,
  previousEntry,
} from '#core/posture/history.ts';
import { corpusSnapshot } from './support.ts';

const REPORT = runAudit(corpusSnapshot('m08.yaml', 'm18.yaml', 'm22.yaml'));

function entry(takenAt: string, score: number, critical: number, fail = critical): AuditHistoryEntry {
  return {
    cluster: 'prod-eu',
    takenAt,
    score,
    summary: { pass: 10, fail, skip: 1 },
    failures: { low: 0, medium: 0, high: fail - critical, critical },
    categories: {},
  };
}

describe('historyEntryOf', () => {
  it('keeps the score and counts of a report, with failures per severity, never its results', () => {
    const history = historyEntryOf(REPORT, 'audits/manifests/20250601T120000Z');

    const failed = REPORT.results.filter((result) => result.status === 'fail');
    expect(history).toMatchObject({
      cluster: 'manifests',
      takenAt: REPORT.takenAt,
      score: REPORT.score,
      summary: REPORT.summary,
      categories: REPORT.categories,
      reportId: 'audits/manifests/20250601T120000Z',
    });
    expect(history.failures.critical).toBe(failed.filter((r) => r.severity === 'critical').length);
    expect(Object.values(history.failures).reduce((a, b) => a + b, 0)).toBe(REPORT.summary.fail);
    expect(history).not.toHaveProperty('results');
  });
});

describe('history order and periods', () => {
  const entries = [
    entry('2026-03-02T06:00:00.000Z', 70, 2),
    entry('2026-03-01T06:00:00.000Z', 66, 3),
    entry('2026-03-03T06:00:00.000Z', 72, 1),
  ];

  it('sorts newest first', () => {
    expect(newestFirst(entries).map((e) => e.score)).toEqual([72, 70, 66]);
  });

  it('finds the audit before a given time', () => {
    expect(previousEntry(entries, '2026-03-03T06:00:00.000Z')?.score).toBe(70);
    expect(previousEntry(entries, '2026-03-01T06:00:00.000Z')).toBeUndefined();
  });

  it('compares instants, not text, when offsets differ', () => {
    const shifted = [entry('2026-03-02T08:00:00+02:00', 50, 1)];

    expect(previousEntry(shifted, '2026-03-02T06:30:00Z')?.score).toBe(50);
  });

  it('selects a digest period, from inclusive and to exclusive, oldest first', () => {
    expect(
      entriesBetween(entries, '2026-03-01T06:00:00.000Z', '2026-03-03T06:00:00.000Z').map((e) => e.score),
    ).toEqual([66, 70]);
  });
});

describe('auditTrend', () => {
  it('reports the score change, the change in failures per severity and the range', () => {
    const trend = auditTrend([
      entry('2026-03-03T06:00:00.000Z', 72, 1, 5),
      entry('2026-03-01T06:00:00.000Z', 66, 3, 4),
      entry('2026-03-02T06:00:00.000Z', 61, 2, 9),
    ]);

    expect(trend).toMatchObject({
      cluster: 'prod-eu',
      scoreChange: 6,
      failureChange: { critical: -2, high: 3, medium: 0, low: 0 },
      lowestScore: 61,
      highestScore: 72,
    });
    expect(trend?.points.map((p) => p.takenAt)).toEqual([
      '2026-03-01T06:00:00.000Z',
      '2026-03-02T06:00:00.000Z',
      '2026-03-03T06:00:00.000Z',
    ]);
  });

  it('has no trend without entries', () => {
    expect(auditTrend([])).toBeUndefined();
  });
});
