import { describe, expect, it } from 'vitest';
import { runAudit } from '#core/posture/engine.ts';
import { type AuditHistoryEntry, historyEntryOf } from '#core/posture/history.ts';
import { validateBlockKitView } from '#core/slack-views/blocks.ts';
import { buildHomeView, type HomeCluster } from '#core/slack-views/home.ts';
import { corpusSnapshot } from '../posture/support.ts';
import { textOf } from './views-support.ts';

/** A real audit's history entry (core/posture/history.ts) and the one a week before it. */
const LATEST: AuditHistoryEntry = historyEntryOf(
  runAudit(corpusSnapshot('m08.yaml', 'm18.yaml', 'm22.yaml')),
);
const WEEK_BEFORE: AuditHistoryEntry = {
  ...LATEST,
  takenAt: new Date(Date.parse(LATEST.takenAt) - 7 * 86_400_000).toISOString(),
  score: LATEST.score - 6,
};
const NONE = { critical: 0, high: 0, medium: 0, low: 0 };

function cluster(name: string, audits: AuditHistoryEntry[], open = NONE): HomeCluster {
  return { name, audits: audits.map((a) => ({ ...a, cluster: name })), openFindings: open };
}

describe('App Home', () => {
  const view = buildHomeView({
    userId: 'U024BE7LH',
    updatedAt: '2024-05-01T10:00:00Z',
    clusters: [
      cluster('staging', []),
      cluster('prod', [WEEK_BEFORE, LATEST], { critical: 1, high: 3, medium: 0, low: 2 }),
    ],
    digests: [],
  });

  it('is a home view with one section per cluster, by name', () => {
    expect(view.type).toBe('home');
    expect(view.callback_id).toBe('kubeguard_home');
    expect(view.blocks.map((b) => b.block_id)).toEqual([
      'home_header',
      'home_updated',
      'home_posture',
      'home_cluster_1',
      'home_cluster_2',
      'home_divider_findings',
      'home_findings',
      'home_divider_digests',
      'home_digests',
    ]);
    expect(textOf(view.blocks, 'home_updated')).toBe(
      'For <@U024BE7LH> · updated <!date^1714557600^{date_short_pretty} {time}|2024-05-01T10:00:00.000Z>',
    );
    expect(validateBlockKitView(view)).toEqual([]);
  });

  it('shows each cluster’s posture score, its change since the audit before, failed checks and open findings', () => {
    const failures = LATEST.failures;
    const takenAt = Date.parse(LATEST.takenAt) / 1000;
    expect(textOf(view.blocks, 'home_cluster_1').split('\n')).toEqual([
      `*\`prod\`* · score *${LATEST.score}/100* · ▲ 6 since the last audit · audited <!date^${takenAt}^{date_short_pretty} {time}|${new Date(LATEST.takenAt).toISOString()}>`,
      '*Failed checks*',
      `${failures.critical} critical · ${failures.high} high · ${failures.medium} medium · ${failures.low} low`,
      '*Open findings*',
      '1 critical · 3 high · 0 medium · 2 low',
    ]);
    expect(textOf(view.blocks, 'home_cluster_2').split('\n')).toEqual([
      '*`staging`* · no audit yet',
      '*Failed checks*',
      '—',
      '*Open findings*',
      'none',
    ]);
  });

  it('adds up open findings by severity across clusters', () => {
    expect(textOf(view.blocks, 'home_findings')).toBe(
      '*Open findings, all clusters*\n1 critical · 3 high · 0 medium · 2 low',
    );
  });

  it('says there are no digest subscriptions, or lists them', () => {
    expect(textOf(view.blocks, 'home_digests')).toBe('*Your digest subscriptions*\nNo digest subscriptions.');
    const withDigests = buildHomeView({
      userId: 'U024BE7LH',
      updatedAt: '2024-05-01T10:00:00Z',
      clusters: [],
      digests: [
        { name: 'Weekly posture', schedule: 'Mondays 09:00 UTC', clusters: ['prod'], channel: 'C0123ABCD' },
        { name: 'Daily findings', schedule: 'every day 08:00 UTC', channel: 'D0123ABCD' },
      ],
    });
    expect(textOf(withDigests.blocks, 'home_no_clusters')).toBe('No cluster is configured yet.');
    expect(textOf(withDigests.blocks, 'home_digests').split('\n')).toEqual([
      '*Your digest subscriptions*',
      '• *Weekly posture* · Mondays 09:00 UTC · `prod` · in <#C0123ABCD>',
      '• *Daily findings* · every day 08:00 UTC · every cluster · by direct message',
    ]);
  });

  it('stays within 100 blocks however many clusters there are', () => {
    const many = Array.from({ length: 150 }, (_, i) =>
      cluster(`cluster-${String(i).padStart(3, '0')}`, [LATEST]),
    );
    const big = buildHomeView({
      userId: 'U024BE7LH',
      updatedAt: '2024-05-01T10:00:00Z',
      clusters: many,
      digests: [],
    });
    expect(validateBlockKitView(big)).toEqual([]);
    expect(textOf(big.blocks, 'home_more_clusters')).toBe('…and 60 more clusters');
  });
});
