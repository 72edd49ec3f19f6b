import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoFindingStore } from '../../adapters/aws/findings-store.ts';
import { findingsTableDefinition } from '../../adapters/aws/findings-table.ts';
import { applyOccurrences } from '../../core/findings/record.ts';
import type { StoredFinding } from '../../core/findings/stored-finding.ts';
import type { Detection } from '../../core/model/detection.ts';
import { fingerprintOf } from '../../core/model/finding.ts';
import { guardDutyDetection } from '../support/detections.ts';
import { type Dynalite, startDynalite } from '../support/dynalite.ts';

const NOW = '2026-11-28T10:00:00.000Z';
let db: Dynalite;
let tableCount = 0;

async function freshStore(): Promise<DynamoFindingStore> {
  tableCount += 1;
  const tableName = `findings-${tableCount}`;
  await db.createTable(findingsTableDefinition(tableName));
  return new DynamoFindingStore({ client: db.documentClient, tableName, nowSeconds: () => 1_800_000_000 });
}

const fold = (current: StoredFinding | undefined, added: readonly Detection[]) =>
  applyOccurrences(current, added, { now: NOW, channel: 'C0ALERTS' });

beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db.stop();
});

const exec = guardDutyDetection('guardduty-eks-exec-in-kube-system-pod.json');
const fingerprint = fingerprintOf(exec);

describe('DynamoFindingStore on dynalite', () => {
  it('creates a finding on the first occurrence and reads it back', async () => {
    const store = await freshStore();
    const result = await store.recordOccurrences(fingerprint, [exec], fold);
    expect(result).toMatchObject({
      created: true,
      added: [expect.objectContaining({ eventId: exec.eventId })],
    });
    const stored = await store.get(fingerprint);
    expect(stored).toMatchObject({ fingerprint, occurrences: 1, status: 'open', version: 1 });
    expect(stored?.detection.pod).toBe(exec.pod);
  });

  it('counts the same event id once, however often it is redelivered', async () => {
    const store = await freshStore();
    await store.recordOccurrences(fingerprint, [exec, exec], fold);
    const again = await store.recordOccurrences(fingerprint, [exec], fold);
    expect(again.added).toEqual([]);
    expect((await store.get(fingerprint))?.occurrences).toBe(1);
  });

  it('counts a newer GuardDuty revision of the same finding id by its difference, and an older one not at all', async () => {
    const store = await freshStore();
    await store.recordOccurrences(
      fingerprint,
      [{ ...exec, count: 2, updatedAt: '2026-01-01T00:00:00Z' }],
      fold,
    );
    const newer = await store.recordOccurrences(
      fingerprint,
      [{ ...exec, count: 5, updatedAt: '2026-01-02T00:00:00Z' }],
      fold,
    );
    expect(newer.added.map((d) => d.count)).toEqual([3]);
    const older = await store.recordOccurrences(
      fingerprint,
      [{ ...exec, count: 4, updatedAt: '2026-01-01T12:00:00Z' }],
      fold,
    );
    expect(older.added).toEqual([]);
    expect((await store.get(fingerprint))?.occurrences).toBe(5);
  });

  it('applies an occurrence that was stored when the function died before updating the finding', async () => {
    const store = await freshStore();
    const crash = () => {
      throw new Error('function timed out');
    };
    await expect(store.recordOccurrences(fingerprint, [exec], crash)).rejects.toThrow('timed out');
    expect(await store.get(fingerprint)).toBeUndefined();
    const redelivered = await store.recordOccurrences(fingerprint, [exec], fold);
    expect(redelivered.created).toBe(true);
    expect((await store.get(fingerprint))?.occurrences).toBe(1);
  });

  it('rejects a save from a stale version so concurrent writers cannot overwrite each other', async () => {
    const store = await freshStore();
    const { finding } = await store.recordOccurrences(fingerprint, [exec], fold);
    expect(await store.save({ ...finding, status: 'acknowledged', version: finding.version + 1 })).toBe(true);
    expect(await store.save({ ...finding, status: 'suppressed', version: finding.version + 1 })).toBe(false);
    expect((await store.get(fingerprint))?.status).toBe('acknowledged');
  });

  it('lists pending deliveries that are due, and not the delivered ones', async () => {
    const store = await freshStore();
    const other = { ...exec, principal: 'someone-else', eventId: 'other' };
    const { finding } = await store.recordOccurrences(fingerprint, [exec], fold);
    await store.recordOccurrences(fingerprintOf(other), [other], fold);
    await store.save({
      ...finding,
      version: finding.version + 1,
      slack: { channel: 'C0ALERTS', ts: '1.2' },
      delivery: { ...finding.delivery, state: 'delivered', messageStale: false },
    });
    const due = await store.listPendingDeliveries('9999-12-31T00:00:00Z', 10);
    expect(due.map((f) => f.fingerprint)).toEqual([fingerprintOf(other)]);
    expect(await store.listPendingDeliveries('2000-01-01T00:00:00Z', 10)).toEqual([]);
  });

  it('stores a finding whose attacker strings are a megabyte long once bounded by the pipeline', async () => {
    const store = await freshStore();
    const { boundDetection } = await import('../../core/findings/bound.ts');
    const hostile = boundDetection({
      ...exec,
      pod: 'x'.repeat(1_000_000),
      evidence: { requestUri: '<'.repeat(1_000_000) },
    });
    await store.recordOccurrences(fingerprintOf(hostile), [hostile], fold);
    expect((await store.get(fingerprintOf(hostile)))?.detection.pod?.length).toBeLessThan(5000);
  });
});
