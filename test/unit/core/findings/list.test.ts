import { describe, expect, it } from 'vitest';
import { ListingCollector, listingOf, OPEN_STATUSES } from '../../../../core/findings/list.ts';
import { applyOccurrences } from '../../../../core/findings/record.ts';
import type { StoredFinding } from '../../../../core/findings/stored-finding.ts';
import { guardDutyDetection } from '../../../support/detections.ts';

const exec = guardDutyDetection('guardduty-eks-exec-in-kube-system-pod.json');

function finding(
  name: string,
  lastSeen: string,
  extra: Partial<StoredFinding> = {},
  detection: Partial<typeof exec> = {},
): StoredFinding {
  const opened = applyOccurrences(
    undefined,
    [{ ...exec, ...detection, pod: name, workload: `deployment/${name}`, lastSeen }],
    {
      now: lastSeen,
      channel: '#alerts',
    },
  );
  return { ...opened, ...extra };
}

describe('listing findings', () => {
  const a = finding('a', '2026-12-03T10:00:00.000Z');
  const b = finding('b', '2026-12-03T11:00:00.000Z', { status: 'acknowledged' });
  const c = finding('c', '2026-12-03T12:00:00.000Z', { status: 'resolved' });
  const d = finding('d', '2026-12-03T09:00:00.000Z', {}, { cluster: 'staging', severity: 'low' });

  it('lists the most recently seen first', () => {
    expect(listingOf([a, b, c, d], { limit: 10 }).findings.map((f) => f.detection.pod)).toEqual([
      'c',
      'b',
      'a',
      'd',
    ]);
  });

  it('keeps open findings (open or acknowledged), one cluster, a severity and above', () => {
    expect(
      listingOf([a, b, c, d], { statuses: OPEN_STATUSES, limit: 10 }).findings.map((f) => f.detection.pod),
    ).toEqual(['b', 'a', 'd']);
    expect(
      listingOf([a, b, c, d], { cluster: 'staging', limit: 10 }).findings.map((f) => f.detection.pod),
    ).toEqual(['d']);
    expect(
      listingOf([a, b, c, d], { minSeverity: 'medium', limit: 10 }).findings.map((f) => f.detection.pod),
    ).toEqual(['c', 'b', 'a']);
  });

  it('finds a finding by the start of its fingerprint', () => {
    expect(
      listingOf([a, b, c, d], { fingerprintPrefix: b.fingerprint.slice(0, 8), limit: 10 }).findings,
    ).toEqual([b]);
  });

  it('says when more matched than the limit', () => {
    expect(listingOf([a, b, c, d], { limit: 2 })).toEqual({ findings: [c, b], truncated: true });
    expect(listingOf([a, b], { limit: 2 })).toEqual({ findings: [b, a], truncated: false });
  });

  it('collects page by page without keeping every finding', () => {
    const many = Array.from({ length: 200 }, (_, i) =>
      finding(`p${i}`, new Date(Date.parse('2026-12-01T00:00:00.000Z') + i * 60_000).toISOString()),
    );
    const collector = new ListingCollector({ limit: 3 });

    for (const f of many) collector.offer(f);

    expect(collector.listing()).toEqual({ findings: [many[199], many[198], many[197]], truncated: true });
  });
});
