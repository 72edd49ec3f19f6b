import { describe, expect, it } from 'vitest';
import { InMemoryAuditTrail } from '../../../../adapters/local/in-memory-audit-trail.ts';
import type { ReplyTarget } from '../../../../core/chatops/ports.ts';
import type { SlackReply } from '../../../../core/chatops/replies.ts';
import type { QueuedRequest } from '../../../../core/chatops/requests.ts';
import { runQueuedRequest, type WorkerDeps } from '../../../../core/chatops/worker.ts';
import { parseConfig } from '../../../../core/config/schema.ts';
import { KubeguardError } from '../../../../core/errors.ts';
import { applyOccurrences } from '../../../../core/findings/record.ts';
import type { StoredFinding } from '../../../../core/findings/stored-finding.ts';
import type { Detection } from '../../../../core/model/detection.ts';
import { fingerprintOf } from '../../../../core/model/finding.ts';
import { guardDutyDetection } from '../../../support/detections.ts';
import { FakeMessenger } from '../../../support/fake-messenger.ts';
import { InMemoryFindingStore } from '../../../support/in-memory-finding-store.ts';

const config = parseConfig({
  clusters: [
    { name: 'prod-cluster', region: 'us-east-1' },
    { name: 'staging', region: 'eu-west-1' },
  ],
  slack: { defaultChannel: 'C0ALERTS' },
  authorization: {
    grants: [
      { role: 'admin', users: ['U0ADMIN'] },
      { role: 'responder', userGroups: ['S0ONCALL'], clusters: ['prod-cluster'] },
    ],
  },
});
const NOW = '2026-12-03T10:00:00.000Z';

async function setup(detection: Partial<Detection> = {}) {
  const store = new InMemoryFindingStore();
  const d = { ...guardDutyDetection('guardduty-eks-exec-in-kube-system-pod.json'), ...detection };
  const fingerprint = fingerprintOf(d);
  await store.recordOccurrences(fingerprint, [d], (current, added) =>
    applyOccurrences(current, added, { now: NOW, channel: 'C0ALERTS' }),
  );
  const finding = (await store.get(fingerprint)) as StoredFinding;
  await store.save({
    ...finding,
    slack: { channel: 'C0ALERTS', ts: '1733210000.000200' },
    version: finding.version + 1,
  });
  const replies: { target: ReplyTarget; reply: SlackReply }[] = [];
  const replyFailures: KubeguardError[] = [];
  let nudges = 0;
  const trail = new InMemoryAuditTrail();
  const messenger = new FakeMessenger();
  const deps: WorkerDeps = {
    config,
    findings: store,
    trail,
    replies: {
      reply: async (target, reply) => {
        const failure = replyFailures.shift();
        if (failure !== undefined) throw failure;
        replies.push({ target, reply });
      },
    },
    delivery: {
      nudge: async () => {
        nudges += 1;
      },
    },
    messenger,
    clock: () => NOW,
    log: { info: () => {}, warn: () => {}, error: () => {} },
  };
  return { deps, store, trail, replies, replyFailures, messenger, fingerprint, nudges: () => nudges };
}

function request(
  kind: 'ack' | 'suppress',
  finding: string,
  actor: { userId: string; groups?: string[] },
  extra = {},
): QueuedRequest {
  return {
    v: 1,
    requestId: 'r-00000000000000aa',
    source: 'button',
    receivedAt: NOW,
    actor: { userId: actor.userId, teamId: 'T111', groups: actor.groups ?? [] },
    reply: { channelId: 'C0ALERTS', responseUrl: 'https://hooks.slack.com/actions/T111/1/x' },
    ...(kind === 'ack'
      ? { kind, args: { finding } }
      : { kind, args: { finding, minutes: 60, reason: 'noise', ...extra } }),
  } as QueuedRequest;
}

const first = { attempt: 1, final: false };

describe('the action worker', () => {
  it('acknowledges: records the action before the change, nudges delivery, notes it in the thread, answers', async () => {
    const s = await setup();

    expect(
      await runQueuedRequest(
        request('ack', s.fingerprint, { userId: 'U0ONCALL', groups: ['S0ONCALL'] }),
        s.deps,
        first,
      ),
    ).toBe('done');

    const stored = await s.store.get(s.fingerprint);
    expect(stored?.status).toBe('acknowledged');
    expect(stored?.delivery).toMatchObject({ state: 'pending', statusStale: true });
    expect(s.nudges()).toBe(1);
    expect(s.trail.all().map((r) => [r.type, r.plan ?? r.result, r.cluster])).toEqual([
      ['action', 'open → acknowledged', 'prod-cluster'],
      ['outcome', 'done', 'prod-cluster'],
    ]);
    expect(s.messenger.posts.map((p) => [p.threadTs, p.text])).toEqual([
      ['1733210000.000200', '<@U0ONCALL> acknowledged this finding (request `r-00000000000000aa`)'],
    ]);
    expect(s.replies[0]?.reply.text).toMatch(/^:white_check_mark: Acknowledged: finding `[0-9a-f]{12}`/);
  });

  it('suppresses until exactly the duration after the change, however the clock moves meanwhile', async () => {
    const s = await setup();
    let tick = 0;
    const moving = { ...s.deps, clock: () => new Date(Date.parse(NOW) + tick++).toISOString() };

    await runQueuedRequest(request('suppress', s.fingerprint, { userId: 'U0ADMIN' }), moving, first);

    const entry = (await s.store.get(s.fingerprint))?.history.at(-1);
    expect(entry?.status).toBe('suppressed');
    expect(Date.parse(entry?.until ?? '') - Date.parse(entry?.at ?? '')).toBe(60 * 60_000);
  });

  it('checks the role on the finding’s own cluster: a prod responder cannot act on staging', async () => {
    const s = await setup({ cluster: 'staging' });

    await runQueuedRequest(
      request('ack', s.fingerprint.slice(0, 10), { userId: 'U0ONCALL', groups: ['S0ONCALL'] }),
      s.deps,
      first,
    );

    expect((await s.store.get(s.fingerprint))?.status).toBe('open');
    expect(s.trail.all().map((r) => [r.type, r.result, r.role, r.cluster])).toEqual([
      ['denial', 'denied', 'responder', 'staging'],
    ]);
    expect(s.replies[0]?.reply.text).toBe(
      'You need the responder role to acknowledge findings on cluster staging — ask an admin (<@U0ADMIN>). You do hold it on cluster prod-cluster.',
    );
  });

  it('changes nothing and says who did it when the finding is already in that state', async () => {
    const s = await setup();
    await runQueuedRequest(request('ack', s.fingerprint, { userId: 'U0ADMIN' }), s.deps, first);

    await runQueuedRequest(
      { ...request('ack', s.fingerprint, { userId: 'U0ADMIN' }), requestId: 'r-00000000000000bb' },
      s.deps,
      first,
    );

    expect(
      s.trail
        .all()
        .filter((r) => r.requestId === 'r-00000000000000bb')
        .map((r) => [r.type, r.result, r.detail]),
    ).toEqual([['outcome', 'unchanged', 'already acknowledged']]);
    expect(s.replies[1]?.reply.text).toContain('is already acknowledged (by <@U0ADMIN>');
    expect(s.nudges()).toBe(1);
  });

  it('refuses a change the finding’s status does not allow, before recording an action', async () => {
    const s = await setup();
    const stored = (await s.store.get(s.fingerprint)) as StoredFinding;
    await s.store.save({ ...stored, status: 'resolved', version: stored.version + 1 });

    await runQueuedRequest(request('suppress', s.fingerprint, { userId: 'U0ADMIN' }), s.deps, first);

    expect(s.trail.all().map((r) => [r.type, r.result])).toEqual([['outcome', 'failed']]);
    expect(s.replies[0]?.reply.text).toContain('is resolved; it cannot become suppressed');
  });

  it('says when no finding matches the id given', async () => {
    const s = await setup();

    await runQueuedRequest(request('ack', 'deadbeefdeadbeef', { userId: 'U0ADMIN' }), s.deps, first);

    expect(s.replies[0]?.reply.text).toContain('no finding id starts with deadbeefdeadbeef');
  });

  it('asks the queue to retry when Slack or AWS fails, and answers on the last attempt instead', async () => {
    const s = await setup();
    const failing = {
      ...s.deps,
      findings: Object.assign(Object.create(s.store), {
        get: async () => {
          throw new KubeguardError('UPSTREAM', 'findings store: reading a finding failed');
        },
      }),
    };
    const ack = request('ack', s.fingerprint, { userId: 'U0ADMIN' });

    expect(await runQueuedRequest(ack, failing, first)).toBe('retry');
    expect(s.replies).toEqual([]);
    expect(await runQueuedRequest(ack, failing, { attempt: 3, final: true })).toBe('done');
    expect(s.replies[0]?.reply.text).toContain('A service kubeguard depends on failed');
    expect(s.replies[0]?.reply.text).toContain('r-00000000000000aa');
    expect(s.trail.all().map((r) => [r.type, r.result, r.detail])).toEqual([
      ['outcome', 'failed', "UPSTREAM: see the worker's log for request details"],
    ]);
  });

  it('sends a queued reply again when Slack did not take it', async () => {
    const s = await setup();
    s.replyFailures.push(new KubeguardError('UPSTREAM', 'Slack response URL did not answer'));
    const reply = {
      ...request('ack', s.fingerprint, { userId: 'U0ADMIN' }),
      kind: 'reply',
      args: { text: 'denied' },
    } as QueuedRequest;

    expect(await runQueuedRequest(reply, s.deps, first)).toBe('retry');
    expect(await runQueuedRequest(reply, s.deps, first)).toBe('done');
    expect(s.replies.map((r) => r.reply.text)).toEqual(['denied']);
    expect(s.trail.all()).toEqual([]);
  });
});

describe('the action worker’s denials', () => {
  it('records a denial in the trail of the finding it was about, for /k8s findings to show', async () => {
    const s = await setup({ cluster: 'staging' });

    await runQueuedRequest(
      request('ack', s.fingerprint.slice(0, 12), { userId: 'U0ONCALL', groups: ['S0ONCALL'] }),
      s.deps,
      first,
    );

    expect(
      (await s.trail.byFinding(s.fingerprint)).map(({ type, result, role, cluster, finding }) => ({
        type,
        result,
        role,
        cluster,
        finding,
      })),
    ).toEqual([
      { type: 'denial', result: 'denied', role: 'responder', cluster: 'staging', finding: s.fingerprint },
    ]);
  });
});
