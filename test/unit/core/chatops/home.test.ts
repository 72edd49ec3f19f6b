import { describe, expect, it } from 'vitest';
import { InMemoryAuditTrail } from '../../../../adapters/local/in-memory-audit-trail.ts';
import { homeHandler, NO_DIGEST_SUBSCRIPTIONS } from '../../../../core/chatops/handlers/home.ts';
import type { QueuedRequestOf } from '../../../../core/chatops/requests.ts';
import type { WorkerDeps } from '../../../../core/chatops/worker.ts';
import { parseConfig } from '../../../../core/config/schema.ts';
import { applyOccurrences } from '../../../../core/findings/record.ts';
import { fingerprintOf } from '../../../../core/model/finding.ts';
import {
  type AuditHistoryEntry,
  type AuditHistoryStore,
  newestFirst,
} from '../../../../core/posture/history.ts';
import type { HomeView } from '../../../../core/slack-views/blocks.ts';
import { guardDutyDetection } from '../../../support/detections.ts';
import { InMemoryFindingStore } from '../../../support/in-memory-finding-store.ts';

const NOW = '2026-12-03T10:00:00.000Z';
const config = parseConfig({
  clusters: [
    { name: 'prod-cluster', region: 'us-east-1' },
    { name: 'staging', region: 'eu-west-1' },
  ],
  slack: { defaultChannel: 'C0ALERTS' },
  authorization: {
    grants: [
      { role: 'admin', users: ['U0ADMIN'] },
      { role: 'viewer', users: ['U0STAGING'], clusters: ['staging'] },
    ],
  },
});

/** The posture history as the port describes it: per cluster, the newest `limit` first. */
class FakeHistory implements AuditHistoryStore {
  readonly entries: AuditHistoryEntry[] = [];
  async put(entry: AuditHistoryEntry): Promise<void> {
    this.entries.push(entry);
  }
  async latest(cluster: string, limit: number): Promise<AuditHistoryEntry[]> {
    return newestFirst(this.entries.filter((e) => e.cluster === cluster)).slice(0, limit);
  }
}

async function setup() {
  const findings = new InMemoryFindingStore();
  for (const cluster of ['prod-cluster', 'staging']) {
    const detection = guardDutyDetection('guardduty-eks-exec-in-kube-system-pod.json', { cluster });
    await findings.recordOccurrences(fingerprintOf(detection), [detection], (current, added) =>
      applyOccurrences(current, added, { now: NOW, channel: 'C0ALERTS' }),
    );
  }
  const history = new FakeHistory();
  await history.put({
    cluster: 'prod-cluster',
    takenAt: '2026-12-02T06:00:00.000Z',
    score: 64,
    summary: { pass: 30, fail: 4, skip: 0 },
    failures: { critical: 1, high: 3, medium: 0, low: 0 },
    categories: {},
  });
  const published: { userId: string; view: HomeView }[] = [];
  const trail = new InMemoryAuditTrail();
  const deps: WorkerDeps = {
    config,
    findings,
    trail,
    replies: { reply: async () => {} },
    delivery: { nudge: async () => {} },
    clock: () => NOW,
    log: { info: () => {}, warn: () => {}, error: () => {} },
    home: {
      history,
      digests: NO_DIGEST_SUBSCRIPTIONS,
      tabs: {
        publish: async (userId, view) => {
          published.push({ userId, view });
        },
      },
    },
  };
  return { deps, published, trail };
}

function request(userId: string): QueuedRequestOf<'home'> {
  return {
    v: 1,
    requestId: 'r-00000000000000bb',
    source: 'event',
    receivedAt: NOW,
    actor: { userId, teamId: 'T111', groups: [] },
    reply: {},
    kind: 'home',
    args: {},
  };
}

function texts(view: HomeView | undefined): string {
  return JSON.stringify(view?.blocks ?? []);
}

describe('the Home tab handler', () => {
  it('shows a viewer of one cluster that cluster only: no other score, name or count', async () => {
    const s = await setup();

    const outcome = await homeHandler(request('U0STAGING'), s.deps);

    expect(outcome).toEqual({ result: 'done', detail: 'published the Home tab: 1 of 2 clusters' });
    const view = s.published[0]?.view;
    expect(view?.blocks.map((b) => b.block_id)).toEqual([
      'home_header',
      'home_updated',
      'home_posture',
      'home_cluster_1',
      'home_divider_findings',
      'home_findings',
      'home_divider_digests',
      'home_digests',
    ]);
    expect(texts(view)).toContain('`staging`* · no audit yet');
    expect(texts(view)).not.toContain('prod-cluster');
    expect(texts(view)).not.toContain('64/100');
  });

  it('shows an admin every cluster, the latest score where there is one', async () => {
    const s = await setup();

    await homeHandler(request('U0ADMIN'), s.deps);

    const view = s.published[0]?.view;
    expect(texts(view)).toContain('`prod-cluster`* · score *64/100* · first audit');
    expect(texts(view)).toContain('`staging`* · no audit yet');
  });

  it('publishes the denial, records it, and answers nothing else to someone with no role', async () => {
    const s = await setup();

    const outcome = await homeHandler(request('U0NOBODY'), s.deps);

    expect(outcome).toEqual({ result: 'denied', detail: 'published the no-access Home tab' });
    expect(outcome.reply).toBeUndefined();
    expect(s.published[0]?.view.blocks.map((b) => b.block_id)).toEqual([
      'home_header',
      'home_no_access',
      'denial',
    ]);
    expect(s.trail.all().map(({ type, result, role, kind }) => ({ type, result, role, kind }))).toEqual([
      { type: 'denial', result: 'denied', role: 'viewer', kind: 'home' },
    ]);
  });

  it('refuses to run without the Home tab’s dependencies, naming what is missing', async () => {
    const s = await setup();
    const { home: _home, ...withoutHome } = s.deps;

    await expect(homeHandler(request('U0ADMIN'), withoutHome)).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      message: expect.stringContaining('WorkerDeps.home'),
    });
  });
});
