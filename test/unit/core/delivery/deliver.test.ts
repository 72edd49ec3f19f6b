import { describe, expect, it } from 'vitest';
import {
  DELETED_MESSAGE_NOTICE,
  findingMetadata,
  LEASE_MS,
  type RenderedMessage,
} from '../../../../core/delivery/deliver.ts';
import { createAlertDelivery } from '../../../../core/delivery/outbox.ts';
import { ChannelPacer, DEFAULT_RETRY_POLICY } from '../../../../core/delivery/retry.ts';
import { KubeguardError } from '../../../../core/errors.ts';
import { createFindingRecorder } from '../../../../core/findings/pipeline.ts';
import type { StoredFinding } from '../../../../core/findings/stored-finding.ts';
import type { Detection } from '../../../../core/model/detection.ts';
import { fingerprintOf } from '../../../../core/model/finding.ts';
import { guardDutyDetection } from '../../../support/detections.ts';
import { FakeMessenger, slackRateLimited, slackServerError } from '../../../support/fake-messenger.ts';
import { ManualTimers } from '../../../support/fake-timers.ts';
import { InMemoryFindingStore } from '../../../support/in-memory-finding-store.ts';

const render = (finding: StoredFinding): RenderedMessage => ({
  text: `${finding.detection.title} ×${finding.occurrences} [${finding.status}]`,
  blocks: [],
});

function setup() {
  const timers = new ManualTimers();
  const store = new InMemoryFindingStore();
  const messenger = new FakeMessenger();
  const recorder = createFindingRecorder({ store, channelFor: () => 'C0ALERTS', now: timers.nowIso });
  const delivery = createAlertDelivery({
    store,
    messenger,
    render,
    pacer: new ChannelPacer(timers),
    timers,
    retry: DEFAULT_RETRY_POLICY,
  });
  const run = { owner: 'worker-1' };
  /** What ingest and then the delivery function do. */
  const process = async (detections: readonly Detection[]) => {
    const recorded = await recorder.record(detections);
    return { recorded, delivered: await delivery.deliverPending(run) };
  };
  return { timers, store, messenger, recorder, delivery, run, process };
}

const exec = guardDutyDetection('guardduty-eks-exec-in-kube-system-pod.json');
const fingerprint = fingerprintOf(exec);
const occurrence = (i: number): Detection => ({ ...exec, eventId: `event-${i}` });
const inNamespace = (namespace: string, severity: Detection['severity']): Detection => ({
  ...exec,
  namespace,
  severity,
  eventId: `event-${namespace}`,
});
const replies = (messenger: FakeMessenger) => messenger.posts.filter((p) => p.threadTs !== undefined);

describe('alert delivery from the outbox', () => {
  it('posts a recorded finding once, tagged with its fingerprint, and records where the message lives', async () => {
    const { store, messenger, process } = setup();

    const { delivered } = await process([exec]);

    expect(delivered).toEqual({ listed: 1, delivered: 1, pending: 0, skipped: 0, outOfTime: false });
    expect(messenger.channelMessages).toHaveLength(1);
    expect(messenger.channelMessages[0]?.metadata).toEqual(findingMetadata(fingerprint));
    const stored = await store.get(fingerprint);
    expect(stored?.slack).toEqual({ channel: 'C0ALERTS', ts: expect.stringMatching(/^\d+\.\d+$/) });
    expect(stored?.delivery).toMatchObject({ state: 'delivered', attempts: 0 });
    expect(stored?.delivery.lease).toBeUndefined();
    expect(stored?.delivery.postAttemptedAt).toBeUndefined();
  });

  it('updates the message in place at most every 30 seconds and replies in the thread at most once a minute', async () => {
    const { messenger, process, timers, store, delivery, run } = setup();
    await process([occurrence(1)]);
    await process([occurrence(2)]);
    // The count changed, but the message was posted a moment ago: the update waits for its interval.
    expect(messenger.updates).toHaveLength(0);
    timers.advance(30_000);
    await process([occurrence(3)]);
    expect(messenger.channelMessages).toHaveLength(1);
    expect(messenger.updates).toHaveLength(1);
    expect(messenger.updates.at(-1)?.text).toContain('×3');
    expect(replies(messenger)).toHaveLength(1);
    expect(replies(messenger)[0]?.text).toContain('1 new occurrence since');
    await process([occurrence(4)]);
    // The fourth occurrence's evidence waits for the thread's minute: the finding stays pending.
    expect((await store.get(fingerprint))?.delivery).toMatchObject({
      state: 'pending',
      nextAttemptAt: new Date(timers.nowMs() + 30_000).toISOString(),
    });
    timers.advance(61_000);
    await delivery.deliverPending(run);
    expect(replies(messenger)).toHaveLength(2);
    expect(messenger.updates.at(-1)?.text).toContain('×4');
    expect((await store.get(fingerprint))?.delivery.state).toBe('delivered');
  });

  it('treats a redelivered event as one occurrence and says nothing more', async () => {
    const { messenger, process, store } = setup();
    await process([exec]);
    const { recorded } = await process([exec]);
    expect(recorded.occurrencesStored).toBe(0);
    expect((await store.get(fingerprint))?.occurrences).toBe(1);
    expect(messenger.calls).toHaveLength(1);
  });

  it('honours Retry-After on 429 and posts once', async () => {
    const { messenger, process, timers } = setup();
    messenger.failNext(slackRateLimited(3));
    const { delivered } = await process([exec]);
    expect(delivered.delivered).toBe(1);
    expect(timers.sleeps).toContain(3000);
    expect(messenger.channelMessages).toHaveLength(1);
  });

  it('keeps a finding pending when Slack keeps failing, and delivers it on a later run', async () => {
    const { messenger, process, store, timers, delivery, run } = setup();
    messenger.failNext(slackServerError(), slackServerError(), slackServerError(), slackServerError());
    const { delivered } = await process([exec]);
    expect(delivered).toMatchObject({ delivered: 0, pending: 1 });
    const pending = await store.get(fingerprint);
    expect(pending?.delivery).toMatchObject({
      state: 'pending',
      attempts: 1,
      lastError: expect.stringContaining('UPSTREAM'),
    });
    // A 5xx may have posted after all: the attempt stays recorded, the lease is given back.
    expect(pending?.delivery.postAttemptedAt).toBe('2026-11-28T10:00:00.000Z');
    expect(pending?.delivery.lease).toBeUndefined();
    expect(messenger.calls).toHaveLength(0);
    expect(await delivery.deliverPending(run)).toMatchObject({ listed: 0 });
    timers.advance(60_000);
    expect(await delivery.deliverPending(run)).toMatchObject({ delivered: 1 });
    expect(messenger.channelMessages).toHaveLength(1);
  });

  it('forgets a post attempt that Slack refused outright (429), so the next run posts without a lookup', async () => {
    const { messenger, process, store } = setup();
    messenger.failNext(slackRateLimited(120));
    await process([exec]);
    expect((await store.get(fingerprint))?.delivery).toMatchObject({
      state: 'pending',
      nextAttemptAt: '2026-11-28T10:02:00.000Z',
    });
    expect((await store.get(fingerprint))?.delivery.postAttemptedAt).toBeUndefined();
  });

  it('does not lose the message reference when ingest recorded an occurrence during the post', async () => {
    const { recorder, delivery, store, messenger, timers } = setup();
    await recorder.record([occurrence(1)]);
    const post = messenger.postMessage.bind(messenger);
    messenger.postMessage = async (message) => {
      const ref = await post(message);
      if (message.threadTs === undefined) await recorder.record([occurrence(2)]);
      return ref;
    };

    await delivery.deliverPending({ owner: 'w' });

    const stored = await store.get(fingerprint);
    expect(stored?.slack?.ts).toBe(messenger.channelMessages[0]?.ts);
    expect(stored?.occurrences).toBe(2);
    expect(stored?.delivery).toMatchObject({ state: 'pending', messageStale: true });
    // The message was rendered from an older version: it is refreshed, never posted again.
    timers.advance(30_000);
    await delivery.deliverPending({ owner: 'w' });
    expect(messenger.channelMessages).toHaveLength(1);
    expect(messenger.updates.at(-1)?.text).toContain('×2');
  });

  it('keeps a suppressed finding current without thread noise', async () => {
    const { process, store, messenger, timers } = setup();
    await process([occurrence(1)]);
    const current = (await store.get(fingerprint)) as StoredFinding;
    await store.save({ ...current, status: 'suppressed', version: current.version + 1 });
    timers.advance(120_000);
    await process([occurrence(2), occurrence(3)]);
    expect(replies(messenger)).toHaveLength(0);
    expect(messenger.updates.at(-1)?.text).toContain('[suppressed]');
    expect((await store.get(fingerprint))?.delivery.state).toBe('delivered');
  });
});

describe('the delivery run’s order and time budget', () => {
  it('delivers critical findings before lower ones, whatever order they were recorded in', async () => {
    const { recorder, delivery, messenger } = setup();
    await recorder.record([inNamespace('low-a', 'low'), inNamespace('medium-a', 'medium')]);
    await recorder.record([inNamespace('high-a', 'high'), inNamespace('critical-a', 'critical')]);

    await delivery.deliverPending({ owner: 'w' });

    expect(messenger.channelMessages.map((m) => m.metadata?.payload.fingerprint)).toEqual(
      ['critical-a', 'high-a', 'medium-a', 'low-a'].map((ns) => fingerprintOf(inNamespace(ns, 'low'))),
    );
  });

  it('stops when its budget ends and leaves the rest pending, due at once and not counted as a failure', async () => {
    const { recorder, delivery, messenger, store, timers } = setup();
    const detections = Array.from({ length: 5 }, (_, i) => inNamespace(`ns-${i}`, 'high'));
    await recorder.record(detections);

    // Posts to one channel go a second apart: a 2.5 s budget fits three of them.
    const report = await delivery.deliverPending({ owner: 'w', deadlineMs: timers.nowMs() + 2_500 });

    expect(report).toMatchObject({ delivered: 3, outOfTime: true });
    expect(messenger.channelMessages).toHaveLength(3);
    const left = await store.listPendingDeliveries(timers.nowIso(), 10);
    expect(left).toHaveLength(2);
    for (const entry of left) {
      const finding = await store.get(entry.fingerprint);
      expect(finding?.delivery).toMatchObject({ state: 'pending', attempts: 0 });
      expect(finding?.delivery.lease).toBeUndefined();
    }
    timers.advance(60_000);
    expect(await delivery.deliverPending({ owner: 'w2', deadlineMs: timers.nowMs() + 50_000 })).toMatchObject(
      {
        delivered: 2,
        outOfTime: false,
      },
    );
  });

  it('does not sleep past its budget for a Retry-After: the finding waits for a later run instead', async () => {
    const { recorder, delivery, messenger, store, timers } = setup();
    await recorder.record([exec]);
    messenger.failNext(slackRateLimited(20));

    const report = await delivery.deliverPending({ owner: 'w', deadlineMs: timers.nowMs() + 10_000 });

    expect(report).toMatchObject({ pending: 1, delivered: 0 });
    expect(timers.sleeps).toEqual([]);
    expect((await store.get(fingerprint))?.delivery.nextAttemptAt).toBe('2026-11-28T10:01:00.000Z');
  });
});

describe('the posting lease', () => {
  it('skips a finding another worker is delivering, and takes it over once that lease has expired', async () => {
    const { recorder, delivery, messenger, store, timers } = setup();
    await recorder.record([exec]);
    const current = (await store.get(fingerprint)) as StoredFinding;
    const until = new Date(timers.nowMs() + LEASE_MS).toISOString();
    await store.save({
      ...current,
      version: current.version + 1,
      delivery: { ...current.delivery, lease: { owner: 'worker-that-died', until } },
    });

    expect(await delivery.deliverPending({ owner: 'w' })).toMatchObject({ skipped: 1, delivered: 0 });
    expect(messenger.calls).toEqual([]);

    timers.advance(LEASE_MS + 1);
    expect(await delivery.deliverPending({ owner: 'w' })).toMatchObject({ delivered: 1 });
    expect(messenger.channelMessages).toHaveLength(1);
  });

  it('lets two workers deliver at once and posts each finding once', async () => {
    const { recorder, delivery, messenger } = setup();
    await recorder.record(Array.from({ length: 6 }, (_, i) => inNamespace(`ns-${i}`, 'medium')));

    const reports = await Promise.all([
      delivery.deliverPending({ owner: 'a' }),
      delivery.deliverPending({ owner: 'b' }),
    ]);

    expect(reports[0].delivered + reports[1].delivered).toBe(6);
    expect(messenger.channelMessages).toHaveLength(6);
    expect(new Set(messenger.channelMessages.map((m) => m.metadata?.payload.fingerprint)).size).toBe(6);
  });
});

describe('lost answers and deleted messages', () => {
  it('adopts the message a worker posted before it died instead of posting again', async () => {
    const { recorder, delivery, messenger, store, timers } = setup();
    await recorder.record([exec]);
    const current = (await store.get(fingerprint)) as StoredFinding;
    // A worker recorded its attempt, posted, and died before it could record the answer.
    await store.save({
      ...current,
      version: current.version + 1,
      delivery: { ...current.delivery, postAttemptedAt: timers.nowIso() },
    });
    const posted = await messenger.postMessage({
      channel: 'C0ALERTS',
      text: 'posted by the worker that died',
      blocks: [],
      metadata: findingMetadata(fingerprint),
    });

    await delivery.deliverPending({ owner: 'w' });

    expect(messenger.channelMessages).toHaveLength(1);
    expect((await store.get(fingerprint))?.slack).toEqual(posted);
    // The adopted message may show an older state: it is brought up to date in place.
    timers.advance(30_000);
    await delivery.deliverPending({ owner: 'w' });
    expect(messenger.updates).toHaveLength(1);
    expect((await store.get(fingerprint))?.delivery.state).toBe('delivered');
  });

  it('posts when the lost message cannot be looked up (a #name channel): a duplicate beats a lost alert', async () => {
    const { recorder, delivery, messenger, store, timers } = setup();
    await recorder.record([exec]);
    const current = (await store.get(fingerprint)) as StoredFinding;
    await store.save({
      ...current,
      version: current.version + 1,
      delivery: { ...current.delivery, postAttemptedAt: timers.nowIso() },
    });
    messenger.findPostedMessage = async () => {
      throw new KubeguardError('UNSUPPORTED', 'conversations.history needs a channel id');
    };

    expect(await delivery.deliverPending({ owner: 'w' })).toMatchObject({ delivered: 1 });
    expect(messenger.channelMessages).toHaveLength(1);
  });

  it('replaces a deleted alert with a fresh post that says so, and is delivered', async () => {
    const { process, messenger, store, timers } = setup();
    await process([occurrence(1)]);
    const first = (await store.get(fingerprint))?.slack;
    messenger.deleteMessage(first?.ts ?? '');
    timers.advance(30_000);

    const { delivered } = await process([occurrence(2)]);

    expect(delivered.delivered).toBe(1);
    expect(messenger.channelMessages).toHaveLength(2);
    const fresh = messenger.channelMessages[1];
    expect(fresh?.channel).toBe('C0ALERTS');
    expect(fresh?.text).toContain(DELETED_MESSAGE_NOTICE);
    expect(fresh?.text).toContain('×2');
    expect(fresh?.blocks[0]).toMatchObject({ type: 'context', elements: [{ text: DELETED_MESSAGE_NOTICE }] });
    const stored = await store.get(fingerprint);
    expect(stored?.slack?.ts).toBe(fresh?.ts);
    expect(stored?.delivery).toMatchObject({ state: 'delivered', unsentOccurrences: 0 });
    expect(stored?.delivery.previousMessageDeleted).toBeUndefined();
    expect(replies(messenger)).toHaveLength(0);
  });

  it('replaces a deleted alert found by a thread reply', async () => {
    const { process, messenger, store, timers } = setup();
    await process([occurrence(1)]);
    const first = (await store.get(fingerprint))?.slack;
    timers.advance(61_000);
    await process([occurrence(2)]);
    messenger.deleteMessage(first?.ts ?? '');
    // Only the thread reply is owed (the count was shown a moment ago).
    const current = (await store.get(fingerprint)) as StoredFinding;
    await store.save({
      ...current,
      version: current.version + 1,
      delivery: {
        ...current.delivery,
        state: 'pending',
        messageStale: false,
        unsentOccurrences: 1,
        unsentEvidence: ['x'],
        lastThreadReplyAt: undefined,
        nextAttemptAt: timers.nowIso(),
      },
    });

    await process([]);

    expect(messenger.channelMessages.at(-1)?.text).toContain(DELETED_MESSAGE_NOTICE);
    expect((await store.get(fingerprint))?.delivery.state).toBe('delivered');
  });
});

describe('status changes', () => {
  it('update the original message so it tells the truth, and are recorded in the history', async () => {
    const { process, store, messenger, timers, delivery } = setup();
    await process([exec]);

    const outcome = await delivery.changeStatus(
      { fingerprint, to: 'acknowledged', actor: 'U123', at: timers.nowIso() },
      { owner: 'bot' },
    );

    expect(outcome).toBe('delivered');
    expect(messenger.updates).toHaveLength(1);
    expect(messenger.updates[0]?.text).toContain('[acknowledged]');
    expect((await store.get(fingerprint))?.history.at(-1)).toMatchObject({
      status: 'acknowledged',
      actor: 'U123',
    });
  });

  it('refuses a transition the lifecycle does not allow', async () => {
    const { process, delivery, timers } = setup();
    await process([exec]);
    await delivery.changeStatus(
      { fingerprint, to: 'resolved', actor: 'U1', at: timers.nowIso() },
      { owner: 'bot' },
    );
    await expect(
      delivery.changeStatus(
        { fingerprint, to: 'acknowledged', actor: 'U1', at: timers.nowIso() },
        { owner: 'bot' },
      ),
    ).rejects.toMatchObject({ code: 'PRECONDITION_FAILED' });
  });

  it('answers NOT_FOUND for an unknown finding', async () => {
    const { delivery, timers } = setup();
    await expect(
      delivery.changeStatus(
        { fingerprint: 'nope', to: 'acknowledged', actor: 'U1', at: timers.nowIso() },
        { owner: 'bot' },
      ),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
