import { describe, expect, it } from 'vitest';
import { KubeguardError } from '../../../../core/errors.ts';
import { createFindingRecorder } from '../../../../core/findings/pipeline.ts';
import type { FindingStore } from '../../../../core/findings/ports.ts';
import type { Detection } from '../../../../core/model/detection.ts';
import { fingerprintOf } from '../../../../core/model/finding.ts';
import type { DeliveryTrigger } from '../../../../core/ports.ts';
import { guardDutyDetection } from '../../../support/detections.ts';
import { ManualTimers } from '../../../support/fake-timers.ts';
import { InMemoryFindingStore } from '../../../support/in-memory-finding-store.ts';

const exec = guardDutyDetection('guardduty-eks-exec-in-kube-system-pod.json');
const inNamespace = (i: number): Detection => ({ ...exec, namespace: `ns-${i}`, eventId: `event-${i}` });

class CountingTrigger implements DeliveryTrigger {
  nudges = 0;
  failWith: Error | undefined;
  async nudge(): Promise<void> {
    this.nudges += 1;
    if (this.failWith !== undefined) throw this.failWith;
  }
}

function setup(store: FindingStore = new InMemoryFindingStore()) {
  const timers = new ManualTimers();
  const trigger = new CountingTrigger();
  const nudgeFailures: KubeguardError[] = [];
  const recorder = createFindingRecorder({
    store,
    channelFor: () => 'C0ALERTS',
    now: timers.nowIso,
    trigger,
    onNudgeFailure: (error) => nudgeFailures.push(error),
  });
  return { store, trigger, recorder, nudgeFailures };
}

describe('the finding recorder (ingest: record, then nudge delivery)', () => {
  it('records all 30 new incidents of a batch in one call, each pending in the outbox, without waiting on Slack', async () => {
    const { recorder, store } = setup();

    const report = await recorder.record(Array.from({ length: 30 }, (_, i) => inNamespace(i)));

    expect(report).toMatchObject({
      detections: 30,
      occurrencesStored: 30,
      findingsCreated: 30,
      toDeliver: 30,
    });
    expect(await store.listPendingDeliveries('9999-12-31T00:00:00.000Z', 100)).toHaveLength(30);
    expect(report.fingerprints).toEqual(Array.from({ length: 30 }, (_, i) => fingerprintOf(inNamespace(i))));
  });

  it('nudges delivery once per batch that left something to deliver, and not for a redelivered batch', async () => {
    const { recorder, trigger } = setup();
    const batch = [inNamespace(1), inNamespace(2)];

    expect((await recorder.record(batch)).nudged).toBe(true);
    expect((await recorder.record(batch)).nudged).toBe(false);
    expect(trigger.nudges).toBe(1);
  });

  it('goes on when the nudge fails: the findings are recorded, the failure is reported', async () => {
    const { recorder, trigger, nudgeFailures, store } = setup();
    trigger.failWith = new Error('Rate exceeded');

    const report = await recorder.record([inNamespace(1)]);

    expect(report).toMatchObject({ findingsCreated: 1, nudged: false });
    expect(nudgeFailures.map((e) => e.message)).toEqual(['Rate exceeded']);
    expect(await store.get(fingerprintOf(inNamespace(1)))).toBeDefined();
  });

  it('records every other incident when one write fails, nudges, then fails the batch so it is redelivered', async () => {
    const inner = new InMemoryFindingStore();
    const broken = fingerprintOf(inNamespace(2));
    const store: FindingStore = {
      get: (fp) => inner.get(fp),
      save: (f) => inner.save(f),
      listPendingDeliveries: (due, limit) => inner.listPendingDeliveries(due, limit),
      recordOccurrences: async (fp, detections, update) => {
        if (fp === broken) throw new KubeguardError('UPSTREAM', 'findings store: writing a finding failed');
        return inner.recordOccurrences(fp, detections, update);
      },
    };
    const { recorder, trigger } = setup(store);

    const recording = recorder.record([inNamespace(1), inNamespace(2), inNamespace(3)]);

    await expect(recording).rejects.toMatchObject({
      code: 'UPSTREAM',
      message: '1 of 3 incidents not recorded: findings store: writing a finding failed',
    });
    expect(inner.findings.size).toBe(2);
    expect(trigger.nudges).toBe(1);
  });

  it('writes several incidents at once, at most eight', async () => {
    const inner = new InMemoryFindingStore();
    let inFlight = 0;
    let most = 0;
    const store: FindingStore = {
      get: (fp) => inner.get(fp),
      save: (f) => inner.save(f),
      listPendingDeliveries: (due, limit) => inner.listPendingDeliveries(due, limit),
      recordOccurrences: async (fp, detections, update) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight -= 1;
        return inner.recordOccurrences(fp, detections, update);
      },
    };
    const { recorder } = setup(store);

    await recorder.record(Array.from({ length: 40 }, (_, i) => inNamespace(i)));

    expect(most).toBe(8);
    expect(inner.findings.size).toBe(40);
  });
});
