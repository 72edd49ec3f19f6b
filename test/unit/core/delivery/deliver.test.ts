import { describe, expect, it } from 'vitest';
import type { RenderedMessage } from '../../../../core/delivery/deliver.ts';
import { ChannelPacer, DEFAULT_RETRY_POLICY } from '../../../../core/delivery/retry.ts';
import { createFindingPipeline } from '../../../../core/findings/pipeline.ts';
import type { StoredFinding } from '../../../../core/findings/stored-finding.ts';
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
  const pipeline = createFindingPipeline({
    store,
    messenger,
    render,
    pacer: new ChannelPacer(timers),
    timers,
    retry: DEFAULT_RETRY_POLICY,
    channelFor: () => 'C0ALERTS',
    now: timers.nowIso,
  });
  return { timers, store, messenger, pipeline };
}

const exec = guardDutyDetection('guardduty-eks-exec-in-kube-system-pod.json');
const occurrence = (i: number) => ({ ...exec, eventId: `event-${i}` });

describe('finding pipeline delivery', () => {
  it('stores the finding before posting it, then records where the message lives', async () => {
    const { store, messenger, pipeline } = setup();
    const report = await pipeline.process([exec]);
    expect(report).toMatchObject({ findingsCreated: 1, occurrencesStored: 1, delivered: 1, pending: 0 });
    expect(messenger.channelMessages).toHaveLength(1);
    const stored = await store.get(fingerprintOf(exec));
    expect(stored?.slack).toEqual({ channel: 'C0ALERTS', ts: expect.stringMatching(/^\d+\.\d+$/) });
    expect(stored?.delivery.state).toBe('delivered');
  });

  it('updates the message in place at most every 30 seconds and replies in the thread at most once a minute', async () => {
    const { messenger, pipeline, timers, store } = setup();
    await pipeline.process([occurrence(1)]);
    await pipeline.process([occurrence(2)]);
    // The count changed, but the message was posted a moment ago: the update waits for its interval.
    expect(messenger.updates).toHaveLength(0);
    timers.advance(30_000);
    await pipeline.process([occurrence(3)]);
    expect(messenger.channelMessages).toHaveLength(1);
    expect(messenger.updates).toHaveLength(1);
    expect(messenger.updates.at(-1)?.text).toContain('×3');
    const replies = () =>
      messenger.posts.filter((p) => p.method === 'postMessage' && p.threadTs !== undefined);
    expect(replies()).toHaveLength(1);
    expect(replies()[0]?.text).toContain('1 new occurrence since');
    await pipeline.process([occurrence(4)]);
    // The fourth occurrence's evidence waits for the thread's minute: the finding stays pending.
    expect((await store.get(fingerprintOf(exec)))?.delivery).toMatchObject({
      state: 'pending',
      nextAttemptAt: new Date(timers.nowMs() + 30_000).toISOString(),
    });
    timers.advance(61_000);
    await pipeline.sweep();
    expect(replies()).toHaveLength(2);
    expect(messenger.updates.at(-1)?.text).toContain('×4');
    expect((await store.get(fingerprintOf(exec)))?.delivery.state).toBe('delivered');
  });

  it('treats a redelivered event as one occurrence', async () => {
    const { messenger, pipeline, store } = setup();
    await pipeline.process([exec]);
    const report = await pipeline.process([exec]);
    expect(report.occurrencesStored).toBe(0);
    expect((await store.get(fingerprintOf(exec)))?.occurrences).toBe(1);
    expect(messenger.calls).toHaveLength(1);
  });

  it('honours Retry-After on 429 and posts once', async () => {
    const { messenger, pipeline, timers } = setup();
    messenger.failNext(slackRateLimited(3));
    const report = await pipeline.process([exec]);
    expect(report.delivered).toBe(1);
    expect(timers.sleeps).toContain(3000);
    expect(messenger.channelMessages).toHaveLength(1);
  });

  it('keeps a finding pending when Slack keeps failing, and delivers it on a later sweep', async () => {
    const { messenger, pipeline, store, timers } = setup();
    messenger.failNext(slackServerError(), slackServerError(), slackServerError(), slackServerError());
    const report = await pipeline.process([exec]);
    expect(report).toMatchObject({ delivered: 0, pending: 1 });
    const pending = await store.get(fingerprintOf(exec));
    expect(pending?.delivery).toMatchObject({
      state: 'pending',
      attempts: 1,
      lastError: expect.stringContaining('UPSTREAM'),
    });
    expect(messenger.calls).toHaveLength(0);
    expect(await pipeline.sweep()).toMatchObject({ delivered: 0, pending: 0 });
    timers.advance(60_000);
    expect(await pipeline.sweep()).toMatchObject({ delivered: 1 });
    expect(messenger.channelMessages).toHaveLength(1);
  });

  it('does not lose the message reference when another writer updated the finding during the post', async () => {
    const { pipeline, store, messenger, timers } = setup();
    store.conflictOnNextSave = 1;
    await pipeline.process([exec]);
    const stored = await store.get(fingerprintOf(exec));
    expect(stored?.slack?.ts).toBeDefined();
    expect(stored?.delivery).toMatchObject({ state: 'pending', messageStale: true });
    // The message was rendered from an older version: it is refreshed, never posted again.
    timers.advance(30_000);
    await pipeline.sweep();
    expect(messenger.channelMessages).toHaveLength(1);
    expect(messenger.updates).toHaveLength(1);
  });

  it('keeps a suppressed finding current without thread noise', async () => {
    const { pipeline, store, messenger, timers } = setup();
    await pipeline.process([occurrence(1)]);
    const fingerprint = fingerprintOf(exec);
    const current = (await store.get(fingerprint)) as StoredFinding;
    await store.save({ ...current, status: 'suppressed', version: current.version + 1 });
    timers.advance(120_000);
    await pipeline.process([occurrence(2), occurrence(3)]);
    expect(
      messenger.posts.filter((p) => p.method === 'postMessage' && p.threadTs !== undefined),
    ).toHaveLength(0);
    expect(messenger.updates.at(-1)?.text).toContain('[suppressed]');
    expect((await store.get(fingerprint))?.delivery.state).toBe('delivered');
  });
});

describe('status changes', () => {
  it('update the original message so it tells the truth, and are recorded in the history', async () => {
    const { pipeline, store, messenger, timers } = setup();
    await pipeline.process([exec]);
    const fingerprint = fingerprintOf(exec);

    const outcome = await pipeline.changeStatus({
      fingerprint,
      to: 'acknowledged',
      actor: 'U123',
      at: timers.nowIso(),
    });

    expect(outcome).toBe('delivered');
    expect(messenger.updates).toHaveLength(1);
    expect(messenger.updates[0]?.text).toContain('[acknowledged]');
    expect((await store.get(fingerprint))?.history.at(-1)).toMatchObject({
      status: 'acknowledged',
      actor: 'U123',
    });
  });

  it('refuses a transition the lifecycle does not allow', async () => {
    const { pipeline, timers } = setup();
    await pipeline.process([exec]);
    const fingerprint = fingerprintOf(exec);
    await pipeline.changeStatus({ fingerprint, to: 'resolved', actor: 'U1', at: timers.nowIso() });
    await expect(
      pipeline.changeStatus({ fingerprint, to: 'acknowledged', actor: 'U1', at: timers.nowIso() }),
    ).rejects.toMatchObject({ code: 'PRECONDITION_FAILED' });
  });

  it('answers NOT_FOUND for an unknown finding', async () => {
    const { pipeline, timers } = setup();
    await expect(
      pipeline.changeStatus({ fingerprint: 'nope', to: 'acknowledged', actor: 'U1', at: timers.nowIso() }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
