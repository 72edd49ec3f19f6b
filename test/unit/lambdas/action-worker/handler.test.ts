import { describe, expect, it } from 'vitest';
import { InMemoryAuditTrail } from '../../../../adapters/local/in-memory-audit-trail.ts';
import type { SlackReply } from '../../../../core/chatops/replies.ts';
import type { QueuedRequest } from '../../../../core/chatops/requests.ts';
import type { WorkerDeps } from '../../../../core/chatops/worker.ts';
import { parseConfig } from '../../../../core/config/schema.ts';
import { KubeguardError } from '../../../../core/errors.ts';
import { createActionWorkerHandler } from '../../../../lambdas/action-worker/handler.ts';
import { InMemoryFindingStore } from '../../../support/in-memory-finding-store.ts';

const config = parseConfig({
  clusters: [{ name: 'prod-cluster', region: 'us-east-1' }],
  slack: { defaultChannel: 'C0ALERTS' },
  authorization: { grants: [{ role: 'admin', users: ['U0ADMIN'] }] },
});

function queued(requestId: string, text: string): QueuedRequest {
  return {
    v: 1,
    requestId,
    source: 'button',
    receivedAt: '2026-12-03T10:00:00.000Z',
    actor: { userId: 'U0ADMIN', groups: [] },
    reply: { channelId: 'C0ALERTS' },
    kind: 'reply',
    args: { text },
  };
}

/** An SQS record as the event source delivers it. */
function record(messageId: string, body: string, receiveCount = 1) {
  return {
    messageId,
    receiptHandle: `handle-${messageId}`,
    body,
    attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: '1733220000000' },
    messageAttributes: {},
    md5OfBody: 'ignored',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:111122223333:kubeguard-actions',
    awsRegion: 'us-east-1',
  };
}

function setup(failReplies: string[] = []) {
  const sent: SlackReply[] = [];
  const logs: { level: string; message: string }[] = [];
  const worker: WorkerDeps = {
    config,
    findings: new InMemoryFindingStore(),
    trail: new InMemoryAuditTrail(),
    replies: {
      reply: async (_target, reply) => {
        if (failReplies.includes(reply.text)) throw new KubeguardError('UPSTREAM', 'Slack did not answer');
        sent.push(reply);
      },
    },
    delivery: { nudge: async () => {} },
    clock: () => '2026-12-03T10:00:00.000Z',
    log: { info: () => {}, warn: () => {}, error: () => {} },
  };
  const logger = {
    info: (message: string) => logs.push({ level: 'info', message }),
    warn: (message: string) => logs.push({ level: 'warn', message }),
    error: (message: string) => logs.push({ level: 'error', message }),
  };
  return { handler: createActionWorkerHandler({ logger, worker }), sent, logs };
}

describe('the action worker function', () => {
  it('runs every record and reports only those to deliver again', async () => {
    const { handler, sent } = setup(['flaky']);

    const result = await handler({
      Records: [
        record('m1', JSON.stringify(queued('r-0000000000000001', 'first'))),
        record('m2', JSON.stringify(queued('r-0000000000000002', 'flaky'))),
        record('m3', JSON.stringify(queued('r-0000000000000003', 'third'))),
      ],
    });

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }] });
    expect(sent.map((r) => r.text)).toEqual(['first', 'third']);
  });

  it('gives up on the last delivery instead of sending the request to the dead-letter queue for Slack’s sake', async () => {
    const { handler } = setup(['flaky']);

    const result = await handler({
      Records: [record('m2', JSON.stringify(queued('r-0000000000000002', 'flaky')), 3)],
    });

    expect(result).toEqual({ batchItemFailures: [] });
  });

  it('drops a record that is not a request, with one log line naming it', async () => {
    const { handler, logs } = setup();

    const result = await handler({
      Records: [record('bad-1', '{"v":1,"kind":"isolate"}'), record('bad-2', 'not json')],
    });

    expect(result).toEqual({ batchItemFailures: [] });
    expect(logs.filter((l) => l.message === 'queued request dropped: not a request')).toHaveLength(2);
  });

  it('refuses an event that is not an SQS batch', async () => {
    const { handler } = setup();

    await expect(handler({ detail: {} })).rejects.toMatchObject({ code: 'INVALID_EVENT' });
  });
});
