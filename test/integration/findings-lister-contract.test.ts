import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPEN_STATUSES } from '../../core/findings/list.ts';
import type { FindingLister, FindingStore } from '../../core/findings/ports.ts';
import { applyOccurrences } from '../../core/findings/record.ts';
import { changeFindingStatus } from '../../core/findings/status.ts';
import type { StoredFinding } from '../../core/findings/stored-finding.ts';
import type { Detection } from '../../core/model/detection.ts';
import { fingerprintOf } from '../../core/model/finding.ts';
import { guardDutyDetection } from '../support/detections.ts';
import { type Dynalite, startDynalite } from '../support/dynalite.ts';
import { dynamoStoreKind, inMemoryStoreKind } from '../support/finding-stores.ts';

let db: Dynalite;
beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db.stop();
});

const exec = guardDutyDetection('guardduty-eks-exec-in-kube-system-pod.json');

/** A finding about workload `name`, last seen at `minute` past ten. */
function detection(name: string, minute: number, extra: Partial<Detection> = {}): Detection {
  const at = `2026-12-03T10:${String(minute).padStart(2, '0')}:00.000Z`;
  return {
    ...exec,
    workload: `deployment/${name}`,
    pod: `${name}-1`,
    eventId: `${name}-event`,
    firstSeen: at,
    lastSeen: at,
    ...extra,
  };
}

async function record(store: FindingStore, d: Detection): Promise<StoredFinding> {
  const fold = (current: StoredFinding | undefined, added: readonly Detection[]) =>
    applyOccurrences(current, added, { now: d.lastSeen, channel: 'C0ALERTS' });
  return (await store.recordOccurrences(fingerprintOf(d), [d], fold)).finding;
}

const pods = (listing: { findings: StoredFinding[] }) => listing.findings.map((f) => f.detection.pod);

describe.each([inMemoryStoreKind(), dynamoStoreKind(() => db)])('FindingLister contract: $name', (kind) => {
  async function seeded(): Promise<{ store: FindingStore & FindingLister; ids: Record<string, string> }> {
    const store = (await kind.create()).store as FindingStore & FindingLister;
    const ids: Record<string, string> = {};
    for (const [name, minute, extra] of [
      ['web', 1, {}],
      ['api', 2, {}],
      ['batch', 3, { cluster: 'staging', severity: 'low' as const }],
      ['db', 4, {}],
    ] as const) {
      ids[name] = (await record(store, detection(name, minute, extra))).fingerprint;
    }
    await changeFindingStatus(store, {
      fingerprint: ids.api ?? '',
      to: 'acknowledged',
      actor: 'U0R',
      at: '2026-12-03T11:00:00.000Z',
    });
    await changeFindingStatus(store, {
      fingerprint: ids.db ?? '',
      to: 'resolved',
      actor: 'U0R',
      at: '2026-12-03T11:00:00.000Z',
    });
    return { store, ids };
  }

  it('lists every finding, most recently seen first, never an occurrence item', async () => {
    const { store } = await seeded();

    expect(pods(await store.listFindings({ limit: 10 }))).toEqual(['db-1', 'batch-1', 'api-1', 'web-1']);
  });

  it('keeps the statuses, cluster and least severity asked for', async () => {
    const { store } = await seeded();

    expect(pods(await store.listFindings({ statuses: OPEN_STATUSES, limit: 10 }))).toEqual([
      'batch-1',
      'api-1',
      'web-1',
    ]);
    expect(pods(await store.listFindings({ cluster: 'staging', limit: 10 }))).toEqual(['batch-1']);
    expect(
      pods(await store.listFindings({ statuses: OPEN_STATUSES, minSeverity: 'medium', limit: 10 })),
    ).toEqual(['api-1', 'web-1']);
    expect(pods(await store.listFindings({ statuses: [], limit: 10 }))).toEqual([]);
  });

  it('stops at the limit and says more matched', async () => {
    const { store } = await seeded();

    const listing = await store.listFindings({ limit: 2 });

    expect(pods(listing)).toEqual(['db-1', 'batch-1']);
    expect(listing.truncated).toBe(true);
  });

  it('finds a finding by the first characters of its fingerprint, with its current version', async () => {
    const { store, ids } = await seeded();

    const listing = await store.listFindings({ fingerprintPrefix: (ids.api ?? '').slice(0, 8), limit: 3 });

    expect(listing.findings.map((f) => [f.fingerprint, f.status, f.version])).toEqual([
      [ids.api, 'acknowledged', 2],
    ]);
  });
});
