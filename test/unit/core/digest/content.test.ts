import { describe, expect, it } from 'vitest';
import { buildDigest, type DigestPeriodRange } from '#core/digest/content.ts';
import type { PostureFacts } from '#core/digest/posture-facts.ts';
import { dailyHistory, finding, historyEntry, statusOutcome } from '#test/support/digest-data.ts';

const PERIOD: DigestPeriodRange = {
  frequency: 'weekly',
  from: '2026-11-30T09:00:00.000Z',
  to: '2026-12-07T09:00:00.000Z',
  nextTo: '2026-12-14T09:00:00.000Z',
};

// prod: a daily audit for 12 weeks, one point better each week (50 + week index).
const PROD = dailyHistory('prod', PERIOD.to, 84, (day) => 50 + Math.floor(day / 7));
// staging: two audits, with an empty week between them.
const STAGING = [
  historyEntry('staging', '2026-11-20T06:00:00.000Z', 70),
  historyEntry('staging', '2026-12-05T06:00:00.000Z', 65),
];

const A = finding({
  fingerprint: 'a'.repeat(32),
  cluster: 'prod',
  severity: 'high',
  firstSeen: '2026-12-01T10:00:00.000Z',
  changes: [
    ['acknowledged', '2026-12-01T10:30:00.000Z'],
    ['resolved', '2026-12-02T10:00:00.000Z'],
  ],
});
const B = finding({
  fingerprint: 'b'.repeat(32),
  cluster: 'prod',
  severity: 'critical',
  firstSeen: '2026-12-03T00:00:00.000Z',
  changes: [['acknowledged', '2026-12-03T02:00:00.000Z']],
});
const C = finding({
  fingerprint: 'c'.repeat(32),
  cluster: 'prod',
  severity: 'medium',
  firstSeen: '2026-12-04T00:00:00.000Z',
});
const D = finding({
  fingerprint: 'd'.repeat(32),
  cluster: 'prod',
  severity: 'low',
  firstSeen: '2026-11-01T00:00:00.000Z',
  lastSeen: '2026-12-05T00:00:00.000Z',
  ruleId: 'KD-030',
  occurrences: 25,
  quiet: true,
});
const E = finding({
  fingerprint: 'e'.repeat(32),
  cluster: 'prod',
  severity: 'medium',
  firstSeen: '2026-10-01T00:00:00.000Z',
  changes: [
    ['acknowledged', '2026-11-15T00:00:00.000Z'],
    ['resolved', '2026-12-06T12:00:00.000Z'],
  ],
});
const F = finding({
  fingerprint: 'f'.repeat(32),
  cluster: 'prod',
  severity: 'high',
  firstSeen: '2026-11-20T00:00:00.000Z',
  changes: [['suppressed', '2026-12-02T00:00:00.000Z', '2026-12-10T00:00:00.000Z']],
});
const ELSEWHERE = finding({
  fingerprint: '9'.repeat(32),
  cluster: 'other',
  severity: 'critical',
  firstSeen: '2026-12-02T00:00:00.000Z',
});

const TRAIL = [
  statusOutcome(
    'r1',
    '2026-12-01T10:30:00.000Z',
    'U0ALICE',
    'prod',
    A.fingerprint,
    'ack',
    'open',
    'acknowledged',
  ),
  statusOutcome(
    'r2',
    '2026-12-02T10:00:00.000Z',
    'U0BOB',
    'prod',
    A.fingerprint,
    'resolve',
    'acknowledged',
    'resolved',
  ),
  statusOutcome(
    'r3',
    '2026-12-06T12:00:00.000Z',
    'U0ALICE',
    'prod',
    E.fingerprint,
    'resolve',
    'acknowledged',
    'resolved',
  ),
  statusOutcome(
    'r4',
    '2026-12-02T00:00:00.000Z',
    'U0CAROL',
    'other',
    ELSEWHERE.fingerprint,
    'ack',
    'open',
    'acknowledged',
  ),
];

const risk = (checkId: string, severity: 'critical' | 'high' | 'medium', name: string, owner?: string) => ({
  checkId,
  title: `${checkId} title`,
  severity,
  object: { kind: 'Deployment', namespace: 'shop', name },
  message: `${name} fails ${checkId}`,
  ...(owner === undefined ? {} : { owner }),
});
const PROD_FACTS: PostureFacts = {
  cluster: 'prod',
  takenAt: '2026-12-07T06:00:00.000Z',
  risks: [risk('KP-060', 'critical', 'web', 'team-shop'), risk('KP-070', 'medium', 'api')],
  guardDutyGaps: [
    { checkId: 'KP-016', title: 'Runtime monitoring', status: 'fail', message: 'runtime monitoring is off' },
  ],
};
const STAGING_FACTS: PostureFacts = {
  cluster: 'staging',
  takenAt: '2026-12-05T06:00:00.000Z',
  risks: [
    risk('KP-061', 'high', 'a'),
    risk('KP-062', 'high', 'b'),
    risk('KP-063', 'medium', 'c'),
    risk('KP-064', 'medium', 'd'),
  ],
  guardDutyGaps: [],
};

function digest() {
  return buildDigest({
    period: PERIOD,
    clusters: [
      { name: 'prod', history: PROD, facts: PROD_FACTS },
      { name: 'staging', history: STAGING, facts: STAGING_FACTS },
      { name: 'new', history: [] },
    ],
    findings: [A, B, C, D, E, F, ELSEWHERE],
    trail: TRAIL,
    suppressions: [
      { ruleId: 'KD-020', cluster: 'prod', until: '2027-01-31T00:00:00.000Z', reason: 'migration' },
      { ruleId: 'KD-021', until: '2026-12-01T00:00:00.000Z', reason: 'over' },
      { ruleId: 'KD-022', cluster: 'other', until: '2027-01-31T00:00:00.000Z', reason: 'not ours' },
    ],
  });
}

describe('digest content on a generated 12-week history', () => {
  it('gives each cluster its score, its week-over-week change and 12 weekly points', () => {
    const { clusters } = digest();

    expect(clusters.map((c) => [c.cluster, c.latest?.score, c.weekAgoScore, c.change])).toEqual([
      ['prod', 62, 61, 1],
      ['staging', 65, 70, -5],
      ['new', undefined, undefined, undefined],
    ]);
    expect(clusters[0]?.weeks.map((w) => w.score)).toEqual([51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62]);
    expect(clusters[0]?.weeks.at(-1)?.weekEnd).toBe(PERIOD.to);
    expect(clusters[0]?.weeks[0]?.weekEnd).toBe('2026-09-21T09:00:00.000Z');
    expect(clusters[1]?.weeks.map((w) => w.score)).toEqual([
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      70,
      null,
      65,
    ]);
    expect(clusters[2]?.weeks.every((w) => w.score === null)).toBe(true);
  });

  it('says whether the clusters got safer: the mean of the changes, and who has no audit', () => {
    expect(digest().headline).toEqual({
      verdict: 'less-safe',
      meanChange: -2,
      improved: 1,
      worsened: 1,
      unchanged: 0,
      withoutAudit: 1,
    });
  });

  it('counts findings opened and closed in the period by severity, and summarizes quiet LOW ones', () => {
    const { findings } = digest();

    expect(findings.opened).toEqual({ low: 0, medium: 1, high: 1, critical: 1 });
    expect(findings.closed).toEqual({ low: 0, medium: 1, high: 1, critical: 0 });
    expect(findings.quietLow).toEqual({
      findings: 1,
      occurrences: 25,
      topRules: [{ ruleId: 'KD-030', findings: 1 }],
    });
  });

  it('measures MTTA and MTTR from the trail and the status history, leaving open findings out', () => {
    // A: acknowledged after 30 min (trail); B: after 120 min (history only); C and D still open.
    // A resolved after 1440 min; E resolved 66.5 days after it opened (95,760 min).
    expect(digest().response).toEqual({
      acknowledged: 2,
      meanMinutesToAcknowledge: 75,
      remediated: 2,
      meanMinutesToRemediate: 48_600,
      stillOpen: 2,
    });
  });

  it('lists the actions taken and by whom, in the covered clusters only', () => {
    expect(digest().actions).toEqual({
      total: 3,
      byActor: [
        { actor: 'U0ALICE', count: 2, kinds: { ack: 1, resolve: 1 } },
        { actor: 'U0BOB', count: 1, kinds: { resolve: 1 } },
      ],
    });
  });

  it('lists suppressions in force, soonest to end first, marking those ending before the next digest', () => {
    expect(digest().suppressions).toEqual([
      {
        source: 'finding',
        finding: F.fingerprint,
        ruleId: 'KD-001',
        cluster: 'prod',
        namespace: 'argocd',
        until: '2026-12-10T00:00:00.000Z',
        expiring: true,
      },
      {
        source: 'configuration',
        ruleId: 'KD-020',
        cluster: 'prod',
        until: '2027-01-31T00:00:00.000Z',
        reason: 'migration',
        expiring: false,
      },
    ]);
  });

  it('ranks the top 5 risks over the clusters with their owners, and lists GuardDuty gaps', () => {
    const { risks, guardDutyGaps } = digest();

    expect(risks.map((r) => [r.cluster, r.checkId, r.owner])).toEqual([
      ['prod', 'KP-060', 'team-shop'],
      ['staging', 'KP-061', undefined],
      ['staging', 'KP-062', undefined],
      ['prod', 'KP-070', undefined],
      ['staging', 'KP-063', undefined],
    ]);
    expect(guardDutyGaps).toEqual([{ ...PROD_FACTS.guardDutyGaps[0], cluster: 'prod' }]);
  });

  it('names the noisiest rule with the exact suppression entry that silences it', () => {
    expect(digest().noisyRules).toEqual([
      {
        ruleId: 'KD-030',
        title: 'Privileged container with root level access launched on the EKS Cluster.',
        findings: 1,
        occurrences: 25,
        suggestion: {
          ruleId: 'KD-030',
          cluster: 'prod',
          namespace: 'argocd',
          principal: 'system:serviceaccount:argocd:argocd-application-controller',
          until: '2027-01-06T09:00:00.000Z',
          reason: 'tuning: 25 occurrences in 1 findings over one digest period — review before 2027-01-06',
        },
      },
    ]);
  });
});

describe('digest content without data', () => {
  it('gives an empty week, a new cluster and no audit numbers, never NaN', () => {
    const empty = buildDigest({
      period: PERIOD,
      clusters: [{ name: 'new', history: [] }],
      findings: [],
      trail: [],
      suppressions: [],
    });

    expect(empty.headline).toEqual({
      verdict: 'no-audit',
      improved: 0,
      worsened: 0,
      unchanged: 0,
      withoutAudit: 1,
    });
    expect(empty.response).toEqual({ acknowledged: 0, remediated: 0, stillOpen: 0 });
    expect(empty.actions).toEqual({ total: 0, byActor: [] });
    expect(JSON.stringify(empty)).not.toMatch(/NaN|Infinity|null,"change"/);
  });

  it('gives a cluster with one audit its score and no change (nothing to compare with)', () => {
    const single = buildDigest({
      period: PERIOD,
      clusters: [{ name: 'fresh', history: [historyEntry('fresh', '2026-12-06T06:00:00.000Z', 80)] }],
      findings: [],
      trail: [],
      suppressions: [],
    });

    expect(single.clusters[0]).toMatchObject({ latest: { score: 80 }, weeks: expect.any(Array) });
    expect(single.clusters[0]?.change).toBeUndefined();
    expect(single.headline.verdict).toBe('no-comparison');
  });
});
