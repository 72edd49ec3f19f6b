import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../core/config/schema.ts';
import { InMemoryDenialCounter } from '../../../../core/detection/burst.ts';
import { KubeguardError } from '../../../../core/errors.ts';
import type { DenialCounter } from '../../../../core/ports.ts';
import { type AuditLogsHandlerDeps, createAuditLogsHandler } from '../../../../lambdas/audit-logs/handler.ts';
import { type LogLine, RecordingSink, recordingLogger } from '../../../support/audit-logs-doubles.ts';
import { realEntryWithMessage, repeatedEntriesEvent } from '../../../support/cwlogs-payloads.ts';
import { fixtureWith, loadFixture } from '../../../support/fixtures.ts';

const CONFIG = parseConfig({
  clusters: [{ name: 'prod-cluster', region: 'eu-west-1' }],
  slack: { defaultChannel: '#kubeguard-alerts' },
});

type Envelope = Record<string, unknown> & {
  logEvents: { id: string; timestamp: number; message: unknown }[];
};

const envelope = () => loadFixture<Envelope>('cwlogs-eks-audit-envelope.json', 'decoded');
const lambdaEvent = () => loadFixture('cwlogs-eks-audit-lambda-event.json', 'lambdaEvent');
const encode = (value: unknown) => ({
  awslogs: { data: gzipSync(Buffer.from(JSON.stringify(value))).toString('base64') },
});

function setup(overrides: Partial<AuditLogsHandlerDeps> = {}) {
  const logs: LogLine[] = [];
  const sink = new RecordingSink();
  const deps: AuditLogsHandlerDeps = {
    config: CONFIG,
    sink,
    counter: new InMemoryDenialCounter(),
    logger: recordingLogger(logs),
    clock: () => '2024-11-14T00:00:00.000Z',
    ...overrides,
  };
  return { handle: createAuditLogsHandler(deps), sink, logs };
}

describe('audit-logs Lambda handler', () => {
  it('analyses an EKS audit batch and hands the detections to the sink with the cluster context', async () => {
    const { handle, sink, logs } = setup();
    const summary = await handle(lambdaEvent());
    expect(summary).toEqual({ records: 10, detections: sink.all.length, malformed: 0, skipped: 0 });
    expect(sink.batches).toHaveLength(1);
    expect(sink.all.length).toBeGreaterThan(0);
    for (const detection of sink.all) {
      expect(detection).toMatchObject({
        cluster: 'prod-cluster',
        region: 'eu-west-1',
        account: '111122223333',
        source: 'audit-log',
      });
    }
    const auditIds = envelope().logEvents.map(
      (e) => (JSON.parse(e.message as string) as { auditID: string }).auditID,
    );
    expect(sink.all.every((d) => auditIds.includes(d.evidence.auditId ?? ''))).toBe(true);
    expect(logs.at(-1)).toMatchObject({
      level: 'info',
      message: 'audit log batch analysed',
      attributes: { records: 10, cluster: 'prod-cluster' },
    });
  });

  it('ignores a CONTROL_MESSAGE', async () => {
    const { handle, sink } = setup();
    const summary = await handle(encode(loadFixture('cwlogs-control-message.json', 'decoded')));
    expect(summary).toEqual({ records: 0, detections: 0, malformed: 0, skipped: 1 });
    expect(sink.batches).toEqual([]);
  });

  it('skips a log stream that holds no audit events (real Powertools event)', async () => {
    const { handle, logs } = setup();
    const summary = await handle(loadFixture('cwlogs-lambda-event-powertools-verbatim.json', 'lambdaEvent'));
    expect(summary.skipped).toBe(1);
    expect(logs[0]).toMatchObject({
      message: 'log stream skipped',
      attributes: { logGroup: '/aws/lambda/some-other-name' },
    });
  });

  it('counts and logs a malformed log event with its id and reason, and analyses the rest', async () => {
    const { handle: reference, sink: referenceSink } = setup();
    await reference(lambdaEvent());
    const bad = envelope();
    const victim = bad.logEvents[3] as Envelope['logEvents'][number];
    const victimAuditId = (JSON.parse(victim.message as string) as { auditID: string }).auditID;
    victim.message = '{"kind":"Event"';
    const { handle, sink, logs } = setup();
    const summary = await handle(encode(bad));
    expect(summary).toMatchObject({ records: 9, malformed: 1 });
    expect(logs).toContainEqual({
      level: 'warn',
      message: 'audit log events rejected',
      attributes: expect.objectContaining({
        malformed: 1,
        byReason: { 'message-not-json': 1 },
        examples: [
          {
            logEventId: victim.id,
            reasonCode: 'message-not-json',
            reason: expect.stringMatching(/not JSON/),
          },
        ],
      }),
    });
    const expected = referenceSink.all
      .filter((d) => d.evidence.auditId !== victimAuditId)
      .map((d) => `${d.eventId}/${d.ruleId}`);
    expect(sink.all.map((d) => `${d.eventId}/${d.ruleId}`)).toEqual(expected);
  });

  it('logs and drops an event that cannot be decoded, without failing the invocation', async () => {
    const { handle, logs } = setup();
    expect(await handle({ awslogs: { data: 'H4sIAAAA' } })).toEqual({
      records: 0,
      detections: 0,
      malformed: 1,
      skipped: 0,
    });
    expect(logs[0]).toMatchObject({
      level: 'error',
      message: 'CloudWatch Logs event rejected',
      attributes: { code: 'INVALID_EVENT' },
    });
  });

  it('fails the invocation when the sink fails, so that Lambda retries the batch', async () => {
    const { handle, sink, logs } = setup();
    sink.failWith = new KubeguardError('UPSTREAM', 'findings store: put failed');
    await expect(handle(lambdaEvent())).rejects.toThrow('findings store: put failed');
    expect(logs.at(-1)).toMatchObject({
      level: 'error',
      message: expect.stringMatching(/Lambda retries the batch/),
    });
  });

  it('delivers the per-event detections and then fails when the denial counter fails', async () => {
    const broken: DenialCounter = {
      record: async () => {
        throw new KubeguardError('UPSTREAM', 'denial counter: recording a denial failed');
      },
    };
    const { handle, sink } = setup({ counter: broken });
    await expect(handle(lambdaEvent())).rejects.toThrow(/denial counter/);
    expect(sink.all.length).toBeGreaterThan(0);
  });

  it('analyses logs from a cluster missing from the config, with a warning', async () => {
    const { handle, sink, logs } = setup();
    await handle(encode({ ...envelope(), logGroup: '/aws/eks/unknown-cluster/cluster' }));
    expect(sink.all.every((d) => d.cluster === 'unknown-cluster' && d.region === undefined)).toBe(true);
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'audit logs from a cluster not in kubeguard.config.json',
      }),
    );
  });

  it('finds a cluster by its configured audit log group', async () => {
    const config = parseConfig({
      clusters: [{ name: 'payments', region: 'us-east-2', auditLogGroup: '/custom/audit' }],
      slack: { defaultChannel: '#kubeguard-alerts' },
    });
    const { handle, sink } = setup({ config });
    await handle(encode({ ...envelope(), logGroup: '/custom/audit' }));
    expect(sink.all.every((d) => d.cluster === 'payments' && d.region === 'us-east-2')).toBe(true);
  });

  it('detects a KD-061 burst that spans two invocations', async () => {
    const { handle, sink } = setup();
    const denials = (from: number) =>
      encode({
        ...envelope(),
        logEvents: Array.from({ length: 5 }, (_, i) => ({
          id: `id-${from + i}`,
          timestamp: 1715787000000,
          message: JSON.stringify(
            fixtureWith('eks-audit-node-forbidden.json', { auditID: `denial-${from + i}` }),
          ),
        })),
      });
    await handle(denials(0));
    expect(sink.all.filter((d) => d.ruleId === 'KD-061' && d.severity === 'medium')).toEqual([]);
    await handle(denials(5));
    const bursts = sink.all.filter((d) => d.eventId.startsWith('KD-061-burst#'));
    expect(bursts).toHaveLength(1);
    expect(bursts[0]).toMatchObject({ severity: 'medium', cluster: 'prod-cluster', count: 10 });
  });
});

describe('audit-logs Lambda handler under hostile input', () => {
  it('never throws on any JSON value, random base64 or truncated gzip', async () => {
    const { handle } = setup();
    const full = gzipSync(Buffer.from(JSON.stringify(envelope())));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue(),
          fc
            .uint8Array({ maxLength: 512 })
            .map((bytes) => ({ awslogs: { data: Buffer.from(bytes).toString('base64') } })),
          fc
            .integer({ min: 0, max: full.length - 1 })
            .map((cut) => ({ awslogs: { data: full.subarray(0, cut).toString('base64') } })),
          fc.jsonValue().map((value) => encode(value)),
          fc.jsonValue().map((value) => encode({ ...envelope(), logEvents: value })),
        ),
        async (event) => {
          const summary = await handle(event);
          expect(summary.records + summary.malformed + summary.skipped).toBeGreaterThanOrEqual(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps every detection of the good log events when hostile ones are mixed in', async () => {
    const { handle: reference, sink: referenceSink } = setup();
    await reference(lambdaEvent());
    const expected = referenceSink.all.map((d) => `${d.eventId}/${d.ruleId}`);
    const hostileMessage = fc.oneof(
      fc.string({ maxLength: 100 }),
      fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null'),
      fc
        .jsonValue()
        .map((v) =>
          JSON.stringify(fixtureWith('eks-audit-privileged-pod-create.json', { requestObject: v, user: v })),
        ),
      fc.constant(`${'['.repeat(10_000)}${']'.repeat(10_000)}`),
      fc.constant('x'.repeat(1024 * 1024)),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(hostileMessage, { maxLength: 5 }), async (messages) => {
        const mixed = envelope();
        for (const [i, message] of messages.entries()) {
          mixed.logEvents.splice(i * 2, 0, { id: `hostile-${i}`, timestamp: 1, message });
        }
        const { handle, sink } = setup();
        const summary = await handle(encode(mixed));
        expect(summary.records + summary.malformed).toBe(mixed.logEvents.length);
        const found = new Set(sink.all.map((d) => `${d.eventId}/${d.ruleId}`));
        for (const key of expected) expect(found).toContain(key);
      }),
      { numRuns: 40 },
    );
  });
});

describe('audit-logs Lambda handler with oversized or flooding batches', () => {
  it('refuses the 6 KB payload that inflates to 1.4 M `{}` log events with one log line', async () => {
    const { handle, sink, logs } = setup();
    const event = await repeatedEntriesEvent('{}', 1_400_000);
    expect(event.awslogs.data.length).toBeLessThan(6 * 1024);

    const summary = await handle(event);

    expect(summary).toEqual({ records: 0, detections: 0, malformed: 1, skipped: 0 });
    expect(logs).toEqual([
      {
        level: 'error',
        message: 'CloudWatch Logs event rejected',
        attributes: {
          code: 'LIMIT_EXCEEDED',
          error: expect.stringMatching(/holds 1400000 log events, more than the 10000/),
          details: { field: 'logEvents', limit: 'maxLogEvents', max: 10_000, received: 1_400_000 },
        },
      },
    ]);
    expect(sink.batches).toEqual([]);
  });

  it('refuses 1.4 M real-shaped log events (150 MB inflated) at the 8 MB cap with one log line', async () => {
    const { handle, logs } = setup();
    const event = await repeatedEntriesEvent(realEntryWithMessage('{}'), 1_400_000, 1);

    await handle(event);

    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({
      level: 'error',
      attributes: {
        code: 'LIMIT_EXCEEDED',
        details: { limit: 'maxDecompressedBytes', max: 8 * 1024 * 1024 },
      },
    });
  });

  it('refuses 10,001 log events with one log line', async () => {
    const { handle, logs } = setup();
    const entry = realEntryWithMessage('{}');

    await handle(
      encode({ ...envelope(), logEvents: Array.from({ length: 10_001 }, () => JSON.parse(entry)) }),
    );

    expect(logs).toHaveLength(1);
    expect(logs[0]?.attributes).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      details: { limit: 'maxLogEvents', max: 10_000, received: 10_001 },
    });
  });

  it('logs 9,999 malformed log events as one aggregate line with 20 examples, and analyses the good one', async () => {
    const { handle, sink, logs } = setup();
    const good = envelope().logEvents[0] as Envelope['logEvents'][number];
    const bad = Array.from({ length: 9_999 }, (_, i) => ({
      id: `bad-${i}`,
      timestamp: good.timestamp,
      message: i % 2 === 0 ? '{}' : '{"kind":"Event"',
    }));

    const summary = await handle(encode({ ...envelope(), logEvents: [...bad, good] }));

    expect(summary).toMatchObject({ records: 1, malformed: 9_999 });
    const warnings = logs.filter((line) => line.level !== 'info');
    expect(warnings).toEqual([
      {
        level: 'warn',
        message: 'audit log events rejected',
        attributes: {
          malformed: 9_999,
          byReason: { 'audit-event:kind': 5_000, 'message-not-json': 4_999 },
          examples: bad.slice(0, 20).map((entry, i) => ({
            logEventId: entry.id,
            reasonCode: i % 2 === 0 ? 'audit-event:kind' : 'message-not-json',
            reason: expect.any(String),
          })),
          logGroup: '/aws/eks/prod-cluster/cluster',
          logStream: envelope().logStream,
        },
      },
    ]);
    const { handle: reference, sink: referenceSink } = setup();
    await reference(encode({ ...envelope(), logEvents: [good] }));
    expect(sink.all.map((d) => `${d.eventId}/${d.ruleId}`)).toEqual(
      referenceSink.all.map((d) => `${d.eventId}/${d.ruleId}`),
    );
  });
});
