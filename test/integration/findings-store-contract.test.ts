import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebApiMessenger } from '../../adapters/slack/web-api-messenger.ts';
import { DELETED_MESSAGE_NOTICE } from '../../core/delivery/deliver.ts';
import { createAlertDelivery } from '../../core/delivery/outbox.ts';
import { ChannelPacer, DEFAULT_RETRY_POLICY } from '../../core/delivery/retry.ts';
import { MAX_APPLIED_EVENTS } from '../../core/findings/applied-events.ts';
import { boundDetection } from '../../core/findings/bound.ts';
import { createFindingRecorder } from '../../core/findings/pipeline.ts';
import { applyOccurrences } from '../../core/findings/record.ts';
import type { StoredFinding } from '../../core/findings/stored-finding.ts';
import type { Detection } from '../../core/model/detection.ts';
import { fingerprintOf } from '../../core/model/finding.ts';
import { guardDutyDetection } from '../support/detections.ts';
import { type Dynalite, startDynalite } from '../support/dynalite.ts';
import { ManualTimers } from '../support/fake-timers.ts';
import { dynamoStoreKind, inMemoryStoreKind, type StoreKind } from '../support/finding-stores.ts';
import { type SlackApiDouble, type StoredMessage, startSlackApiDouble } from '../support/slack-api-double.ts';

const NOW = '2026-11-28T10:00:00.000Z';
const TOKEN = 'xoxb-contract';
let db: Dynalite;
let slack: SlackApiDouble;
const timers = new ManualTimers(NOW);
beforeAll(async () => {
  db = await startDynalite();
  slack = await startSlackApiDouble({ token: TOKEN, clock: () => timers.nowMs() });
});
afterAll(async () => {
  await slack.stop();
  await db.stop();
});

const fold = (current: StoredFinding | undefined, added: readonly Detection[]) =>
  applyOccurrences(current, added, { now: NOW, channel: 'C0ALERTS' });

const exec = guardDutyDetection('guardduty-eks-exec-in-kube-system-pod.json');
const fingerprint = fingerprintOf(exec);
const occurrence = (i: number): Detection => ({ ...exec, eventId: `event-${i}` });

describe.each([inMemoryStoreKind(), dynamoStoreKind(() => db)])('FindingStore contract: $name', (kind) => {
  it('creates a finding on the first occurrence and reads it back', async () => {
    const { store } = await kind.create();
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
    const { store } = await kind.create();
    await store.recordOccurrences(fingerprint, [exec, exec], fold);
    const again = await store.recordOccurrences(fingerprint, [exec], fold);
    expect(again.added).toEqual([]);
    expect((await store.get(fingerprint))?.occurrences).toBe(1);
  });

  it('counts a newer GuardDuty revision of the same finding id by its difference, and an older one not at all', async () => {
    const { store } = await kind.create();
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

  it('counts an event once when two instances record it at the same moment (50 trials)', async () => {
    const { store } = await kind.create();
    const counts: number[] = [];
    for (let trial = 0; trial < 50; trial += 1) {
      const detection = { ...exec, namespace: `trial-${trial}` };
      const fp = fingerprintOf(detection);
      await Promise.all([
        store.recordOccurrences(fp, [detection], fold),
        store.recordOccurrences(fp, [detection], fold),
      ]);
      counts.push((await store.get(fp))?.occurrences ?? 0);
    }
    expect(counts).toEqual(Array(50).fill(1));
  });

  it('counts every one of many different events recorded at the same moment', async () => {
    const { store } = await kind.create();
    await Promise.all(
      Array.from({ length: 12 }, (_, i) => store.recordOccurrences(fingerprint, [occurrence(i)], fold)),
    );
    expect((await store.get(fingerprint))?.occurrences).toBe(12);
  });

  it('counts an event once when the function died between the finding write and marking it applied', async () => {
    const subject = await kind.create();
    subject.crashAfterNextFindingWrite();
    await expect(subject.store.recordOccurrences(fingerprint, [exec], fold)).rejects.toThrow(
      /timed out|writing a finding/,
    );
    subject.revive();
    expect((await subject.store.get(fingerprint))?.occurrences).toBe(1);
    const redelivered = await subject.store.recordOccurrences(fingerprint, [exec], fold);
    expect(redelivered.added).toEqual([]);
    expect((await subject.store.get(fingerprint))?.occurrences).toBe(1);
  });

  it('applies an occurrence that was logged when the function died before updating the finding', async () => {
    const { store } = await kind.create();
    const crash = () => {
      throw new Error('function timed out');
    };
    await expect(store.recordOccurrences(fingerprint, [exec], crash)).rejects.toThrow('timed out');
    expect(await store.get(fingerprint)).toBeUndefined();
    const redelivered = await store.recordOccurrences(fingerprint, [exec], fold);
    expect(redelivered.created).toBe(true);
    expect((await store.get(fingerprint))?.occurrences).toBe(1);
  });

  it(`still counts an old event once after more than ${MAX_APPLIED_EVENTS} newer ones pushed it off the finding`, async () => {
    const { store } = await kind.create();
    const total = MAX_APPLIED_EVENTS + 20;
    const events = Array.from({ length: total }, (_, i) => occurrence(i));
    for (let i = 0; i < total; i += 40)
      await store.recordOccurrences(fingerprint, events.slice(i, i + 40), fold);
    const stored = await store.get(fingerprint);
    expect(stored?.applied?.recent).toHaveLength(MAX_APPLIED_EVENTS);
    expect(stored?.applied?.evicted).toBe(20);
    const redelivered = await store.recordOccurrences(fingerprint, events.slice(0, 30), fold);
    expect(redelivered.added).toEqual([]);
    expect((await store.get(fingerprint))?.occurrences).toBe(total);
  });

  it('rejects a save from a stale version so concurrent writers cannot overwrite each other', async () => {
    const { store } = await kind.create();
    const { finding } = await store.recordOccurrences(fingerprint, [exec], fold);
    expect(await store.save({ ...finding, status: 'acknowledged', version: finding.version + 1 })).toBe(true);
    expect(await store.save({ ...finding, status: 'suppressed', version: finding.version + 1 })).toBe(false);
    expect((await store.get(fingerprint))?.status).toBe('acknowledged');
  });

  it('lists due pending deliveries most severe first, then oldest due, and not the delivered ones', async () => {
    const { store } = await kind.create();
    const record = async (detection: Detection, dueAt: string) => {
      const fp = fingerprintOf(detection);
      const { finding } = await store.recordOccurrences(fp, [detection], fold);
      await store.save({
        ...finding,
        version: finding.version + 1,
        delivery: { ...finding.delivery, nextAttemptAt: dueAt },
      });
      return fp;
    };
    const lowLate = await record({ ...exec, namespace: 'ns-a', severity: 'low' }, '2026-11-28T10:00:03.000Z');
    const lowEarly = await record(
      { ...exec, namespace: 'ns-b', severity: 'low' },
      '2026-11-28T10:00:01.000Z',
    );
    const critical = await record(
      { ...exec, namespace: 'ns-c', severity: 'critical' },
      '2026-11-28T10:00:05.000Z',
    );
    const high = await record({ ...exec, namespace: 'ns-d', severity: 'high' }, '2026-11-28T10:00:04.000Z');
    const notDue = await record(
      { ...exec, namespace: 'ns-e', severity: 'critical' },
      '2026-11-28T11:00:00.000Z',
    );
    const delivered = await record({ ...exec, namespace: 'ns-f', severity: 'critical' }, NOW);
    const done = (await store.get(delivered)) as StoredFinding;
    await store.save({
      ...done,
      version: done.version + 1,
      slack: { channel: 'C0ALERTS', ts: '1.2' },
      delivery: { ...done.delivery, state: 'delivered', messageStale: false },
    });

    const due = await store.listPendingDeliveries('2026-11-28T10:30:00.000Z', 10);

    expect(due.map((p) => p.fingerprint)).toEqual([critical, high, lowEarly, lowLate]);
    expect(due.map((p) => p.rank)).toEqual([0, 1, 3, 3]);
    expect(due[0]?.dueAt).toBe('2026-11-28T10:00:05.000Z');
    expect(due.map((p) => p.fingerprint)).not.toContain(notDue);
    expect(await store.listPendingDeliveries('2026-11-28T10:30:00.000Z', 2)).toHaveLength(2);
    expect(await store.listPendingDeliveries('2000-01-01T00:00:00Z', 10)).toEqual([]);
  });

  it('stores a finding whose attacker strings are a megabyte long once bounded by the pipeline', async () => {
    const { store } = await kind.create();
    const hostile = boundDetection({
      ...exec,
      pod: 'x'.repeat(1_000_000),
      evidence: { requestUri: '<'.repeat(1_000_000) },
    });
    await store.recordOccurrences(fingerprintOf(hostile), [hostile], fold);
    expect((await store.get(fingerprintOf(hostile)))?.detection.pod?.length).toBeLessThan(5000);
  });
});

/** The finding a message's metadata names. */
const postedFingerprint = (message: StoredMessage): string =>
  String((message.metadata?.event_payload as Record<string, unknown> | undefined)?.fingerprint);

/** Record, then deliver, on one store: ingest's recorder and the delivery function's alert delivery. */
async function alertPath(kind: StoreKind) {
  const { store } = await kind.create();
  slack.reset();
  const recorder = createFindingRecorder({ store, channelFor: () => 'C0ALERTS', now: timers.nowIso });
  const delivery = createAlertDelivery({
    store,
    messenger: createWebApiMessenger({ token: TOKEN, slackApiUrl: slack.url }),
    render: (finding) => ({ text: `${finding.detection.title} ×${finding.occurrences}`, blocks: [] }),
    pacer: new ChannelPacer(timers),
    timers,
    retry: DEFAULT_RETRY_POLICY,
  });
  return { store, recorder, delivery };
}

describe.each([inMemoryStoreKind(), dynamoStoreKind(() => db)])('alert delivery contract: $name', (kind) => {
  it('posts one message and counts one occurrence when two ingests and two delivery workers race on one event (10 trials)', async () => {
    const { store, recorder, delivery } = await alertPath(kind);
    const trials = Array.from({ length: 10 }, (_, i) => ({ ...exec, namespace: `race-${i}` }));

    for (const detection of trials) {
      await Promise.all([
        recorder.record([detection]),
        recorder.record([detection]),
        delivery.deliverPending({ owner: 'worker-a' }),
        delivery.deliverPending({ owner: 'worker-b' }),
      ]);
    }
    await delivery.deliverPending({ owner: 'worker-c' });

    const posted = slack.channelMessages().map((m) => postedFingerprint(m));
    expect(posted.sort()).toEqual(trials.map(fingerprintOf).sort());
    for (const detection of trials) {
      const finding = await store.get(fingerprintOf(detection));
      expect(finding?.occurrences).toBe(1);
      expect(finding?.slack?.ts).toBe(
        slack.channelMessages().find((m) => postedFingerprint(m) === fingerprintOf(detection))?.ts,
      );
    }
  });

  it('finds the message again when Slack posted it but the answer was lost, and posts nothing more', async () => {
    const { store, recorder, delivery } = await alertPath(kind);
    await recorder.record([exec]);
    slack.failNext({ method: 'chat.postMessage', status: 503, applied: true });

    await delivery.deliverPending({ owner: 'worker' });

    expect(slack.channelMessages()).toHaveLength(1);
    expect(slack.calls.map((c) => c.method)).toEqual(['chat.postMessage', 'conversations.history']);
    const finding = await store.get(fingerprint);
    expect(finding?.slack).toEqual({ channel: 'C0ALERTS', ts: slack.channelMessages()[0]?.ts });
    expect(finding?.delivery.postAttemptedAt).toBeUndefined();
    timers.advance(30_000);
    await delivery.deliverPending({ owner: 'worker' });
    expect(slack.channelMessages()).toHaveLength(1);
    expect((await store.get(fingerprint))?.delivery.state).toBe('delivered');
  });

  it('posts a fresh message that says the earlier one was deleted, and delivers it', async () => {
    const { store, recorder, delivery } = await alertPath(kind);
    await recorder.record([occurrence(1)]);
    await delivery.deliverPending({ owner: 'worker' });
    const first = slack.channelMessages()[0];
    slack.deleteMessage('C0ALERTS', first?.ts ?? '');
    timers.advance(30_000);
    await recorder.record([occurrence(2)]);

    await delivery.deliverPending({ owner: 'worker' });

    const fresh = slack.channelMessages();
    expect(fresh).toHaveLength(1);
    expect(fresh[0]?.text).toBe(`${exec.title} ×2 (${DELETED_MESSAGE_NOTICE})`);
    expect(slack.calls.filter((c) => c.method === 'chat.update').map((c) => c.error)).toEqual([
      'message_not_found',
    ]);
    const finding = await store.get(fingerprint);
    expect(finding?.slack?.ts).toBe(fresh[0]?.ts);
    expect(finding?.delivery.state).toBe('delivered');
  });
});
