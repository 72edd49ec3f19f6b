import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidEventError, LimitExceededError } from '../../../../core/errors.ts';
import {
  type CloudWatchEnvelope,
  clusterFromLogGroup,
  decodeAwsLogsData,
  decodeCloudWatchLogsEvent,
  MAX_DECOMPRESSED_BYTES,
  MAX_LOG_EVENTS,
  type MalformedLogEvent,
  MalformedTally,
  openAuditLogEnvelope,
  parseAuditLogEvents,
  parseCloudWatchEnvelope,
  readAuditLogBatch,
} from '../../../../core/ingest/cloudwatch.ts';
import { largestRootArrayLength } from '../../../../core/ingest/json-scan.ts';
import {
  realCloudWatchEnvelope,
  realEntryWithMessage,
  repeatedEntriesEvent,
} from '../../../support/cwlogs-payloads.ts';
import { loadFixture } from '../../../support/fixtures.ts';

type Envelope = Record<string, unknown> & { logEvents: Record<string, unknown>[] };

function auditEnvelope(): Envelope {
  return loadFixture<Envelope>('cwlogs-eks-audit-envelope.json', 'decoded');
}

function encode(value: unknown): { awslogs: { data: string } } {
  return { awslogs: { data: gzipSync(Buffer.from(JSON.stringify(value))).toString('base64') } };
}

function limitError(run: () => unknown): LimitExceededError {
  try {
    run();
  } catch (error) {
    if (error instanceof LimitExceededError) return error;
    throw error;
  }
  throw new Error('expected a LimitExceededError');
}

function decodeError(run: () => unknown): InvalidEventError {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidEventError) return error;
    throw error;
  }
  throw new Error('expected an InvalidEventError');
}

describe('CloudWatch Logs subscription decoding', () => {
  it('decodes the Lambda event to the envelope it was computed from', () => {
    const envelope = decodeCloudWatchLogsEvent(
      loadFixture('cwlogs-eks-audit-lambda-event.json', 'lambdaEvent'),
    );
    expect(envelope).toEqual(auditEnvelope());
  });

  it('decodes the verbatim Powertools event', () => {
    const envelope = decodeCloudWatchLogsEvent(
      loadFixture('cwlogs-lambda-event-powertools-verbatim.json', 'lambdaEvent'),
    );
    expect(envelope).toEqual(loadFixture('cwlogs-lambda-event-powertools-verbatim.json', 'decoded'));
  });

  it('reads the cluster name from /aws/eks/<cluster>/cluster', () => {
    expect(clusterFromLogGroup('/aws/eks/prod-cluster/cluster')).toBe('prod-cluster');
    expect(clusterFromLogGroup('/aws/lambda/some-other-name')).toBeUndefined();
    expect(clusterFromLogGroup('/aws/eks/a/b/cluster')).toBeUndefined();
  });

  it('rejects data that is not base64', () => {
    const error = decodeError(() => decodeCloudWatchLogsEvent({ awslogs: { data: 'not base64 at all!' } }));
    expect(error.message).toMatch(
      /awslogs.data must be base64-encoded gzip; received the string "not base64 at all!"/,
    );
  });

  it('rejects base64 that is not gzip', () => {
    const data = Buffer.from('{"messageType":"DATA_MESSAGE"}').toString('base64');
    expect(decodeError(() => decodeAwsLogsData(data)).message).toMatch(
      /not valid gzip \(incorrect header check\)/,
    );
  });

  it('rejects truncated gzip', () => {
    const full = gzipSync(Buffer.from(JSON.stringify(auditEnvelope())));
    const data = full.subarray(0, full.length - 40).toString('base64');
    expect(decodeError(() => decodeAwsLogsData(data)).message).toMatch(
      /not valid gzip \(unexpected end of file\)/,
    );
  });

  it('refuses a gzip bomb above the 8 MB cap, naming the limit', () => {
    const bomb = gzipSync(Buffer.alloc(9 * 1024 * 1024, 0x20)).toString('base64');
    expect(bomb.length).toBeLessThan(20_000);
    const error = limitError(() => decodeAwsLogsData(bomb));
    expect(error.message).toMatch(/decompresses to more than 8388608 bytes \(8 MB\).*likely gzip bomb/);
    expect(error.details).toMatchObject({
      field: 'awslogs.data',
      limit: 'maxDecompressedBytes',
      max: 8388608,
    });
  });

  it('rejects decompressed text that is not JSON', () => {
    const data = gzipSync(Buffer.from('START RequestId: abc')).toString('base64');
    expect(decodeError(() => decodeAwsLogsData(data)).message).toMatch(
      /decompresses to text that is not JSON/,
    );
  });

  it('rejects an event without awslogs.data, naming the field', () => {
    expect(decodeError(() => decodeCloudWatchLogsEvent({ awslogs: { data: 42 } })).details.field).toBe(
      'awslogs.data',
    );
    expect(decodeError(() => decodeCloudWatchLogsEvent({ Records: [] })).details.field).toBe('awslogs');
  });

  it.each([
    ['messageType', { messageType: 'DATA' }],
    ['logGroup', { logGroup: 12 }],
    ['logStream', { logStream: null }],
    ['logEvents', { logEvents: {} }],
  ])('rejects an envelope with a bad %s', (field, override) => {
    const error = decodeError(() => parseCloudWatchEnvelope({ ...auditEnvelope(), ...override }));
    expect(error.details.field).toBe(field);
    expect(error.message).toContain(`"${field}"`);
  });
});

describe('audit log batches', () => {
  it('returns every audit event of an EKS audit stream with its log event id and the cluster', () => {
    const batch = readAuditLogBatch(parseCloudWatchEnvelope(auditEnvelope()));
    expect(batch.kind).toBe('audit');
    if (batch.kind !== 'audit') return;
    expect(batch.cluster).toBe('prod-cluster');
    expect(batch.account).toBe('111122223333');
    expect(batch.records).toHaveLength(10);
    expect(batch.malformed).toEqual([]);
    expect(batch.records[0]?.logEventId).toBe('38263546512341234567890123456789012345678901234567890000');
    expect(batch.records[0]?.event.auditID).toBe('edf35e8d-92c3-4507-9bc6-4dd9cf068bcf');
  });

  it('ignores a CONTROL_MESSAGE', () => {
    const batch = readAuditLogBatch(
      parseCloudWatchEnvelope(loadFixture('cwlogs-control-message.json', 'decoded')),
    );
    expect(batch).toEqual({ kind: 'control' });
  });

  it('skips streams that are not kube-apiserver audit streams, saying why', () => {
    const envelope = loadFixture('cwlogs-lambda-event-powertools-verbatim.json', 'decoded');
    const batch = readAuditLogBatch(parseCloudWatchEnvelope(envelope));
    expect(batch.kind).toBe('skipped');
    if (batch.kind === 'skipped') expect(batch.reason).toMatch(/is not a kube-apiserver audit stream/);
  });

  it('skips the authenticator stream of an EKS log group', () => {
    const envelope = { ...auditEnvelope(), logStream: 'authenticator-5f1e2d3c4b5a69788796a5b4c3d2e1f0' };
    expect(readAuditLogBatch(parseCloudWatchEnvelope(envelope)).kind).toBe('skipped');
  });

  it('reports a bad message by its log event id and keeps the rest of the batch', () => {
    const envelope = auditEnvelope();
    const [first, second, third] = envelope.logEvents;
    if (first === undefined || second === undefined || third === undefined)
      throw new Error('fixture too short');
    first.message = '{"kind":"Event", truncated';
    second.message = JSON.stringify({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', auditID: 'x', verb: 5 });
    third.message = 17;
    envelope.logEvents.push('not an object' as unknown as Record<string, unknown>);
    const batch = readAuditLogBatch(parseCloudWatchEnvelope(envelope));
    if (batch.kind !== 'audit') throw new Error(`expected an audit batch, got ${batch.kind}`);
    expect(batch.records).toHaveLength(7);
    expect(batch.malformed).toEqual([
      {
        logEventId: first.id,
        reasonCode: 'message-not-json',
        reason: expect.stringMatching(/message is not JSON/),
      },
      {
        logEventId: second.id,
        reasonCode: 'audit-event:verb',
        reason: expect.stringMatching(/"verb" must be a non-empty string; received number 5/),
      },
      {
        logEventId: third.id,
        reasonCode: 'message-not-a-string',
        reason: expect.stringMatching(/"message" must be a string; received number 17/),
      },
      {
        logEventId: 'logEvents[10]',
        reasonCode: 'not-an-object',
        reason: expect.stringMatching(/must be an object/),
      },
    ]);
  });
});

describe('streaming an audit batch (the Lambda path)', () => {
  it('opens an audit envelope without parsing its log events', () => {
    const envelope = auditEnvelope();
    const opened = openAuditLogEnvelope(parseCloudWatchEnvelope(envelope));
    expect(opened).toMatchObject({ kind: 'audit', cluster: 'prod-cluster', account: '111122223333' });
    if (opened.kind === 'audit') expect(opened.logEvents).toBe(envelope.logEvents);
  });

  it('parses log events one run at a time, reporting a bad one when its run is parsed', () => {
    const envelope = auditEnvelope();
    const second = envelope.logEvents[1] as Record<string, unknown>;
    const fourth = envelope.logEvents[3] as Record<string, unknown>;
    second.message = 'not json';
    fourth.message = 'not json either';
    const malformed: MalformedLogEvent[] = [];
    const records = parseAuditLogEvents(envelope.logEvents, malformed, {
      maxEvents: 3,
      maxMessageBytes: 1024 * 1024,
    });
    expect(records.next().value?.logEventId).toBe(envelope.logEvents[0]?.id);
    // The first run (events 0–2) is parsed: the second event is reported, the fourth not yet.
    expect(malformed.map((entry) => entry.logEventId)).toEqual([second.id]);
    expect(records.next().value?.logEventId).toBe(envelope.logEvents[2]?.id);
    expect(records.next().value?.logEventId).toBe(envelope.logEvents[4]?.id);
    expect(malformed).toEqual([
      { logEventId: second.id, reasonCode: 'message-not-json', reason: expect.stringMatching(/not JSON/) },
      { logEventId: fourth.id, reasonCode: 'message-not-json', reason: expect.stringMatching(/not JSON/) },
    ]);
    expect([...records]).toHaveLength(envelope.logEvents.length - 5);
  });

  it('ends a run once its messages reach the byte bound, however few events it holds', () => {
    const envelope = auditEnvelope();
    const second = envelope.logEvents[1] as Record<string, unknown>;
    second.message = 'not json';
    const malformed: MalformedLogEvent[] = [];
    const firstLength = (envelope.logEvents[0] as { message: string }).message.length;
    const records = parseAuditLogEvents(envelope.logEvents, malformed, {
      maxEvents: 128,
      maxMessageBytes: firstLength,
    });
    expect(records.next().value?.logEventId).toBe(envelope.logEvents[0]?.id);
    expect(malformed).toEqual([]);
    expect(records.next().value?.logEventId).toBe(envelope.logEvents[2]?.id);
    expect(malformed.map((entry) => entry.logEventId)).toEqual([second.id]);
  });

  it('yields every well-formed event of a batch longer than a run, in order', () => {
    const envelope = auditEnvelope();
    const ids = (envelope.logEvents as { id: string }[]).map((entry) => entry.id);
    const records = [
      ...parseAuditLogEvents(envelope.logEvents, [], { maxEvents: 2, maxMessageBytes: 1 << 20 }),
    ];
    expect(records.map((record) => record.logEventId)).toEqual(ids);
  });
});

describe('CloudWatch decoding under hostile input', () => {
  const decodeOrInvalid = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidEventError);
    }
  };

  it('throws only InvalidEventError for random bytes as data', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
        decodeOrInvalid(() =>
          decodeCloudWatchLogsEvent({ awslogs: { data: Buffer.from(bytes).toString('base64') } }),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('throws only InvalidEventError for gzip truncated at any point', () => {
    const full = gzipSync(Buffer.from(JSON.stringify(auditEnvelope())));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: full.length - 1 }), (cut) => {
        decodeOrInvalid(() => decodeAwsLogsData(full.subarray(0, cut).toString('base64')));
      }),
      { numRuns: 200 },
    );
  });

  it('throws only InvalidEventError for any JSON value as the event or the envelope', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        decodeOrInvalid(() => decodeCloudWatchLogsEvent(value));
        decodeOrInvalid(() => decodeCloudWatchLogsEvent(encode(value)));
        decodeOrInvalid(() => readAuditLogBatch(parseCloudWatchEnvelope(value)));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps every good audit event when random log events are mixed in', () => {
    const good = auditEnvelope().logEvents;
    fc.assert(
      fc.property(
        fc.array(fc.jsonValue(), { maxLength: 8 }),
        fc.array(fc.string(), { maxLength: 4 }),
        (junk, messages) => {
          const hostile = [
            ...junk,
            ...messages.map((message, i) => ({ id: `junk-${i}`, timestamp: 1, message })),
          ];
          const mixed = [...good];
          for (const [i, entry] of hostile.entries()) {
            mixed.splice((i * 3) % (mixed.length + 1), 0, entry as Record<string, unknown>);
          }
          const envelope: CloudWatchEnvelope = parseCloudWatchEnvelope({
            ...auditEnvelope(),
            logEvents: mixed,
          });
          const batch = readAuditLogBatch(envelope);
          if (batch.kind !== 'audit') throw new Error('expected an audit batch');
          const goodIds = good.map((entry) => entry.id);
          expect(
            batch.records.map((record) => record.logEventId).filter((id) => goodIds.includes(id)),
          ).toEqual(goodIds);
          expect(batch.records.length + batch.malformed.length).toBe(mixed.length);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('handles a 1 MB message and 10 000 nested arrays as messages', () => {
    const envelope = auditEnvelope();
    envelope.logEvents.push({ id: 'huge', timestamp: 1, message: 'x'.repeat(1024 * 1024) });
    envelope.logEvents.push({
      id: 'deep',
      timestamp: 1,
      message: `${'['.repeat(10_000)}${']'.repeat(10_000)}`,
    });
    const batch = readAuditLogBatch(decodeCloudWatchLogsEvent(encode(envelope)));
    if (batch.kind !== 'audit') throw new Error('expected an audit batch');
    expect(batch.records).toHaveLength(10);
    expect(batch.malformed.map((m) => m.logEventId)).toEqual(['huge', 'deep']);
    expect(batch.malformed[0]?.reason.length).toBeLessThan(400);
  });
});

describe('bounded CloudWatch Logs batches', () => {
  it('refuses the 6 KB payload that inflates to 1.4 M `{}` log events, naming the limit and the count', async () => {
    const event = await repeatedEntriesEvent('{}', 1_400_000);
    expect(event.awslogs.data.length).toBeLessThan(6 * 1024);

    const error = limitError(() => decodeCloudWatchLogsEvent(event));

    expect(error.code).toBe('LIMIT_EXCEEDED');
    expect(error.details).toEqual({
      field: 'logEvents',
      limit: 'maxLogEvents',
      max: 10_000,
      received: 1_400_000,
    });
    expect(error.message).toMatch(/holds 1400000 log events, more than the 10000/);
  });

  it('refuses 1.4 M real-shaped log events at the 8 MB cap, while inflating', async () => {
    const event = await repeatedEntriesEvent(realEntryWithMessage('{}'), 1_400_000, 1);

    const error = limitError(() => decodeCloudWatchLogsEvent(event));

    expect(error.details).toEqual({
      field: 'awslogs.data',
      limit: 'maxDecompressedBytes',
      max: MAX_DECOMPRESSED_BYTES,
      received: `more than 8388608 bytes decompressed from ${Buffer.from(event.awslogs.data, 'base64').length}`,
    });
  });

  it('refuses 10,001 log events and accepts 10,000', async () => {
    const entry = realEntryWithMessage('{}');
    expect(
      limitError(() => decodeCloudWatchLogsEvent(encode(withEntries(10_001, entry)))).details,
    ).toMatchObject({
      limit: 'maxLogEvents',
      received: 10_001,
    });
    expect(decodeCloudWatchLogsEvent(encode(withEntries(MAX_LOG_EVENTS, entry))).logEvents).toHaveLength(
      10_000,
    );
  });

  it('refuses a decoded envelope with more than 10,000 log events', () => {
    const envelope = withEntries(10_001, realEntryWithMessage('{}'));
    expect(limitError(() => parseCloudWatchEnvelope(envelope)).details).toMatchObject({ received: 10_001 });
  });

  it('counts every log event before parsing, whatever their shape', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { maxLength: 40 }), fc.jsonValue(), (logEvents, other) => {
        const text = JSON.stringify({ ...realCloudWatchEnvelope(), logEvents, other: [other] });
        // subscriptionFilters and `other` hold one item each.
        expect(largestRootArrayLength(Buffer.from(text))).toBe(Math.max(logEvents.length, 1));
      }),
      { numRuns: 300 },
    );
    expect(largestRootArrayLength(Buffer.from('{"logEvents":[]}'))).toBe(0);
    expect(
      largestRootArrayLength(Buffer.from('{"a":"[,,,]","logEvents":[ "x\\"," , [1,2] , {"b":[3,4,5]} ]}')),
    ).toBe(3);
  });
});

describe('malformed log events tallied', () => {
  it('counts by reason code and keeps the first 20 examples with their log event ids', () => {
    const tally = new MalformedTally();
    const entries = Array.from({ length: 9_999 }, (_, i) => ({
      id: `bad-${i}`,
      timestamp: 1,
      message: i % 3 === 0 ? 'not json' : '{}',
    }));
    for (const _ of parseAuditLogEvents(entries, tally)) throw new Error('no entry is an audit event');

    const summary = tally.summary();
    expect(summary.malformed).toBe(9_999);
    expect(summary.byReason).toEqual({ 'message-not-json': 3_333, 'audit-event:kind': 6_666 });
    expect(summary.examples).toHaveLength(20);
    expect(summary.examples.map((e) => e.logEventId)).toEqual(
      Array.from({ length: 20 }, (_, i) => `bad-${i}`),
    );
    expect(summary.examples[1]).toEqual({
      logEventId: 'bad-1',
      reasonCode: 'audit-event:kind',
      reason: expect.stringMatching(/audit event field "kind" must be "Event"; received nothing/),
    });
  });
});

function withEntries(count: number, entry: string): unknown {
  return { ...realCloudWatchEnvelope(), logEvents: Array.from({ length: count }, () => JSON.parse(entry)) };
}
