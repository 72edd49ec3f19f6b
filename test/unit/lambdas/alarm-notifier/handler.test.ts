import { describe, expect, it } from 'vitest';
import type { SlackOutgoingMessage } from '#core/ports.ts';
import { createAlarmNotifierHandler } from '#lambdas/alarm-notifier/handler.ts';
import { loadFixture } from '#test/support/fixtures.ts';

const FIXTURE = 'cloudwatch-alarm-sns-lambda-event.json';

interface SnsEvent {
  Records: { Sns: { MessageId: string; Message: string } }[];
}

/** The real notification with its alarm message's fields replaced (the rest stays CloudWatch's). */
function notification(...changes: Record<string, unknown>[]): SnsEvent {
  const event = loadFixture<SnsEvent>(FIXTURE);
  const [record] = event.Records;
  if (record === undefined) throw new Error('fixture without a record');
  const original = JSON.parse(record.Sns.Message) as Record<string, unknown>;
  event.Records = changes.map((change, index) => ({
    ...record,
    Sns: {
      ...record.Sns,
      MessageId: `message-${index}`,
      Message: JSON.stringify({ ...original, ...change }),
    },
  }));
  return event;
}

function harness(options: { failPost?: boolean } = {}) {
  const posted: SlackOutgoingMessage[] = [];
  const logs: { level: string; message: string; attributes?: Record<string, unknown> }[] = [];
  const log = (level: string) => (message: string, attributes?: Record<string, unknown>) =>
    logs.push({ level, message, ...(attributes === undefined ? {} : { attributes }) });
  const handler = createAlarmNotifierHandler({
    logger: { info: log('info'), warn: log('warn'), error: log('error') },
    channel: '#kubeguard-ops',
    slack: {
      postMessage: async (message) => {
        if (options.failPost === true) throw new Error('Slack is down');
        posted.push(message);
        return { channel: 'C0OPS', ts: '1.2' };
      },
    },
  });
  return { handler, posted, logs };
}

describe('the alarm notifier', () => {
  it('posts the real CloudWatch notification to the ops channel', async () => {
    const { handler, posted, logs } = harness();
    const report = await handler(loadFixture(FIXTURE));
    expect(report).toEqual({ posted: 1, malformed: 0, skipped: 0 });
    expect(posted).toHaveLength(1);
    expect(posted[0]?.channel).toBe('#kubeguard-ops');
    expect(posted[0]?.text).toBe('ALARM: EXAMPLE');
    expect(JSON.stringify(posted[0]?.blocks)).toContain('Threshold Crossed: 1 out of the last 1 datapoints');
    expect(logs).toEqual([
      { level: 'info', message: 'alarm notifications', attributes: { posted: 1, malformed: 0, skipped: 0 } },
    ]);
  });

  it('posts recoveries (OK) and skips INSUFFICIENT_DATA', async () => {
    const { handler, posted } = harness();
    const report = await handler(
      notification(
        { AlarmName: 'Kubeguard/errors/delivery', NewStateValue: 'OK', OldStateValue: 'ALARM' },
        { NewStateValue: 'INSUFFICIENT_DATA' },
      ),
    );
    expect(report).toEqual({ posted: 1, malformed: 0, skipped: 1 });
    expect(posted.map((m) => m.text)).toEqual(['OK: Kubeguard/errors/delivery']);
  });

  it('counts and logs malformed messages with their id and why, and still posts the others', async () => {
    const { handler, posted, logs } = harness();
    const event = notification({ AlarmName: 'Kubeguard/dead-letters' }, { NewStateValue: 'EXPLODED' }, {});
    const bad = event.Records[2];
    if (bad === undefined) throw new Error('no third record');
    bad.Sns.Message = 'not json {';
    const report = await handler(event);
    expect(report).toEqual({ posted: 1, malformed: 2, skipped: 0 });
    expect(posted.map((m) => m.text)).toEqual(['ALARM: Kubeguard/dead-letters']);
    expect(logs).toHaveLength(1);
    expect(logs[0]?.level).toBe('error');
    expect(logs[0]?.attributes?.refused).toEqual([
      {
        messageId: 'message-1',
        reason: expect.stringMatching(/^alarm message is invalid at NewStateValue: /),
      },
      {
        messageId: 'message-2',
        reason: expect.stringMatching(/^alarm message is not JSON \(10 characters\)/),
      },
    ]);
  });

  it('refuses an event that is not SNS without throwing, counting it', async () => {
    const { handler, posted, logs } = harness();
    const report = await handler({ Records: [{ s3: {} }] });
    expect(report).toEqual({ posted: 0, malformed: 1, skipped: 0 });
    expect(posted).toEqual([]);
    expect(logs[0]?.message).toBe('alarm notification refused: the event is not an SNS event');
    expect(logs[0]?.attributes?.reason).toMatch(/^SNS event is invalid at Records\.0\.Sns: /);
  });

  it('fails the invocation when Slack fails, so Lambda retries it', async () => {
    const { handler } = harness({ failPost: true });
    await expect(handler(loadFixture(FIXTURE))).rejects.toThrow('Slack is down');
  });
});
