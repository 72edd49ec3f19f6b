import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '#core/config/schema.ts';
import { InMemoryDenialCounter } from '#core/detection/burst.ts';
import { KubeguardError } from '#core/errors.ts';
import { type AuditLogsHandlerDeps, createAuditLogsHandler } from '#lambdas/audit-logs/handler.ts';
import type { FunctionLogger } from '#lambdas/shared/logger.ts';
import { type LogLine, RecordingSink } from '#test/support/audit-logs-doubles.ts';
import { loadFixture } from '#test/support/fixtures.ts';

/** The home account 111122223333 watches prod-cluster in its member account 222233334444. */
const CONFIG = parseConfig({
  home: { account: '111122223333', region: 'us-east-1' },
  accounts: [{ id: '222233334444', name: 'prod', externalId: 'kubeguard-prod-7f3a' }],
  clusters: [{ name: 'prod-cluster', region: 'eu-west-1', account: '222233334444' }],
  slack: { defaultChannel: 'C0ALERTS' },
});

interface KinesisRecord {
  eventID: string;
  kinesis: { data: unknown } & Record<string, unknown>;
  [key: string]: unknown;
}
const kinesisEvent = () =>
  loadFixture<{ Records: KinesisRecord[] }>('cwlogs-kinesis-lambda-event.json', 'lambdaEvent');
const subscriptionEvent = () =>
  loadFixture<{ awslogs: { data: string } }>('cwlogs-eks-audit-lambda-event.json', 'lambdaEvent');

function setup(overrides: Partial<AuditLogsHandlerDeps> = {}) {
  const logs: LogLine[] = [];
  const log =
    (level: LogLine['level']) =>
    (message: string, attributes: Record<string, unknown> = {}) => {
      logs.push({ level, message, attributes });
    };
  const logger: FunctionLogger = { info: log('info'), warn: log('warn'), error: log('error') };
  const sink = new RecordingSink();
  const handle = createAuditLogsHandler({
    config: CONFIG,
    sink,
    counter: new InMemoryDenialCounter(),
    logger,
    clock: () => '2024-11-14T00:00:00.000Z',
    ...overrides,
  });
  return { handle, sink, logs };
}

/** What the subscription fixture yields, analysed alone: the reference for one record. */
async function detectionsOfOneRecord(): Promise<number> {
  const { handle, sink } = setup();
  await handle(subscriptionEvent());
  return sink.all.length;
}

describe('audit logs through the cross-account destination’s Kinesis stream', () => {
  it('analyses every record of a Lambda Kinesis event, skips the control message, and attributes each to its owner account', async () => {
    const perRecord = await detectionsOfOneRecord();
    const { handle, sink, logs } = setup();

    const summary = await handle(kinesisEvent());

    expect(perRecord).toBeGreaterThan(0);
    expect(summary).toEqual({ records: 20, detections: 2 * perRecord, malformed: 0, skipped: 1 });
    const [member, other] = sink.batches;
    // Record 0: the member account's prod-cluster, in its configured region.
    expect(member?.every((d) => d.account === '222233334444' && d.region === 'eu-west-1')).toBe(true);
    expect(member?.every((d) => d.cluster === 'prod-cluster')).toBe(true);
    // Record 2: a cluster of the same name reported by the home account is not that cluster.
    expect(other?.every((d) => d.account === '111122223333' && d.region === undefined)).toBe(true);
    expect(logs).toContainEqual({
      level: 'warn',
      message: 'audit logs from a cluster not in kubeguard.config.json',
      attributes: {
        logGroup: '/aws/eks/prod-cluster/cluster',
        cluster: 'prod-cluster',
        account: '111122223333',
        configuredClusters: ['prod-cluster'],
      },
    });
    expect(logs.filter((line) => line.message === 'CloudWatch Logs control message ignored')).toHaveLength(1);
  });

  it('counts and names malformed records in one line, and analyses the rest of the batch', async () => {
    const perRecord = await detectionsOfOneRecord();
    const event = kinesisEvent();
    const [first, control, third] = event.Records as [KinesisRecord, KinesisRecord, KinesisRecord];
    const notBase64 = { ...structuredClone(first), eventID: 'shardId-000000000000:1' };
    notBase64.kinesis.data = 'not base64 at all!';
    const notKinesis = { eventID: 'shardId-000000000000:2', eventSource: 'aws:sqs', body: '{}' };
    const notJson = { ...structuredClone(first), eventID: 'shardId-000000000000:3' };
    notJson.kinesis.data = gzipSync(Buffer.from('{"messageType":')).toString('base64');
    event.Records = [notBase64, first, notKinesis as unknown as KinesisRecord, control, notJson, third];
    const { handle, sink, logs } = setup();

    const summary = await handle(event);

    expect(summary).toEqual({ records: 20, detections: 2 * perRecord, malformed: 3, skipped: 1 });
    expect(sink.batches).toHaveLength(2);
    const rejected = logs.filter((line) => line.message === 'Kinesis records rejected');
    expect(rejected).toEqual([
      {
        level: 'error',
        message: 'Kinesis records rejected',
        attributes: {
          rejected: 3,
          records: 6,
          examples: [
            {
              eventId: 'shardId-000000000000:1',
              code: 'INVALID_EVENT',
              error: expect.stringMatching(
                /^Records\[0\]\.kinesis\.data must be base64-encoded gzip; received/,
              ),
            },
            {
              eventId: 'shardId-000000000000:2',
              code: 'INVALID_EVENT',
              error: expect.stringMatching(/^Records\[2\] must be a Kinesis record/),
            },
            {
              eventId: 'shardId-000000000000:3',
              code: 'INVALID_EVENT',
              error: expect.stringMatching(
                /^Records\[4\]\.kinesis\.data decompresses to text that is not JSON/,
              ),
            },
          ],
        },
      },
    ]);
  });

  it('fails the invocation when the store fails, so that Lambda retries the whole batch', async () => {
    const sink = new RecordingSink();
    sink.failWith = new KubeguardError('UPSTREAM', 'DynamoDB throttled');
    const { handle } = setup({ sink });

    await expect(handle(kinesisEvent())).rejects.toMatchObject({ code: 'UPSTREAM' });
  });

  it('carries in each record exactly the payload a subscription event carries in awslogs.data', () => {
    const record = kinesisEvent().Records[2] as KinesisRecord;
    const inflate = (data: string) => JSON.parse(gunzipSync(Buffer.from(data, 'base64')).toString('utf8'));

    expect(inflate(record.kinesis.data as string)).toEqual(inflate(subscriptionEvent().awslogs.data));
  });
});

describe('audit logs by account (subscription event)', () => {
  it('resolves the configured cluster by the log group’s owner: the real fixture re-attributed to the member account', async () => {
    const payload = JSON.parse(
      gunzipSync(Buffer.from(subscriptionEvent().awslogs.data, 'base64')).toString('utf8'),
    );
    const event = {
      awslogs: {
        data: gzipSync(Buffer.from(JSON.stringify({ ...payload, owner: '222233334444' }))).toString('base64'),
      },
    };
    const { handle, sink, logs } = setup();

    await handle(event);

    expect(sink.all.length).toBeGreaterThan(0);
    expect(sink.all.every((d) => d.account === '222233334444' && d.region === 'eu-west-1')).toBe(true);
    expect(logs.some((line) => line.level === 'warn')).toBe(false);
  });

  it('keeps but warns about a batch from another account with a configured cluster’s name (owner 111122223333)', async () => {
    const { handle, sink, logs } = setup();

    await handle(subscriptionEvent());

    expect(sink.all.length).toBeGreaterThan(0);
    expect(sink.all.every((d) => d.account === '111122223333' && d.region === undefined)).toBe(true);
    expect(logs.filter((line) => line.level === 'warn').map((line) => line.attributes.account)).toEqual([
      '111122223333',
    ]);
  });
});
