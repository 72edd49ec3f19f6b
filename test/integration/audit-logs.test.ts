import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDenialCounter } from '../../adapters/aws/denial-counter.ts';
import { DynamoFindingStore } from '../../adapters/aws/findings-store.ts';
import { findingsTableDefinition } from '../../adapters/aws/findings-table.ts';
import { createWebApiMessenger } from '../../adapters/slack/web-api-messenger.ts';
import { parseConfig } from '../../core/config/schema.ts';
import type { AlertDelivery } from '../../core/delivery/outbox.ts';
import { alertDeliveryFor, type FindingRecorder, findingRecorderFor } from '../../core/findings/compose.ts';
import type { Detection } from '../../core/model/detection.ts';
import { fingerprintOf } from '../../core/model/finding.ts';
import { highestSeverity } from '../../core/model/incident.ts';
import type { DetectionSink } from '../../core/ports.ts';
import { type AuditLogsHandler, createAuditLogsHandler } from '../../lambdas/audit-logs/handler.ts';
import type { FunctionLogger } from '../../lambdas/shared/logger.ts';
import { type Dynalite, startDynalite } from '../support/dynalite.ts';
import { ManualTimers } from '../support/fake-timers.ts';
import { fixtureWith, loadFixture } from '../support/fixtures.ts';
import { type SlackApiDouble, startSlackApiDouble } from '../support/slack-api-double.ts';

const TOKEN = 'xoxb-integration-token';
const CONFIG = parseConfig({
  clusters: [{ name: 'prod-cluster', region: 'us-east-1' }],
  slack: { defaultChannel: 'C0ALERTS' },
});

/** What the real rules report on cwlogs-eks-audit-lambda-event.json, in input order. */
const FIXTURE_DETECTIONS = [
  ['KD-061', 'a7a97e0ff73cad6f61307eddda81ab6d', 'edf35e8d-92c3-4507-9bc6-4dd9cf068bcf'],
  ['KD-020', '5e6719c664327e5b6b8a6e59e5ab02fa', 'ca1ed9f4-7bf4-4c85-81a8-1b11253d1ba6'],
  ['KD-023', '5e6719c664327e5b6b8a6e59e5ab02fa', 'ca1ed9f4-7bf4-4c85-81a8-1b11253d1ba6'],
  ['KD-020', '091687cdf437b9f471a314d159912584', '7b1e0c2d-3f4a-4b5c-9d6e-8f7a6b5c4d3e'],
  ['KD-021', '091687cdf437b9f471a314d159912584', '7b1e0c2d-3f4a-4b5c-9d6e-8f7a6b5c4d3e'],
  ['KD-023', '091687cdf437b9f471a314d159912584', '7b1e0c2d-3f4a-4b5c-9d6e-8f7a6b5c4d3e'],
  ['KD-001', '1535373e6a05541d5b9eeb40300eb7ce', 'a362d22b-db3c-4590-9505-23782f12925f'],
  ['KD-040', 'e4a5ad04789e5a4d6ee384fffa659518', 'c97244c7-4aec-4714-946a-8204d00ecdca'],
  ['KD-047', 'e4a5ad04789e5a4d6ee384fffa659518', 'c97244c7-4aec-4714-946a-8204d00ecdca'],
  ['KD-031', 'bc12330fa0b959726f0abe49b21392a6', 'd1d2d29c-3642-478f-9ceb-582956e5ecda'],
  ['KD-061', '54471f1a14d674f3405ccf4216eb813a', '2e8f1a7c-5b3d-4e9a-8c6f-0d1b2a3c4e5f'],
];
/** The incidents they make, as the store holds them: rules, occurrences (requests), severity. */
const FIXTURE_INCIDENTS = [
  [['KD-061'], 1, 'low'],
  [['KD-020', 'KD-023'], 1, 'medium'],
  [['KD-020', 'KD-021', 'KD-023'], 1, 'high'],
  [['KD-001'], 1, 'high'],
  [['KD-040', 'KD-047'], 1, 'high'],
  [['KD-031'], 1, 'low'],
  [['KD-061'], 1, 'low'],
];

const silent: FunctionLogger = { info: () => {}, warn: () => {}, error: () => {} };

type Envelope = Record<string, unknown> & { logEvents: { id: string; timestamp: number; message: string }[] };
const envelope = () => loadFixture<Envelope>('cwlogs-eks-audit-envelope.json', 'decoded');
const encode = (value: unknown) => ({
  awslogs: { data: gzipSync(Buffer.from(JSON.stringify(value))).toString('base64') },
});

/** Passes detections on to the recorder and remembers what it passed. */
class Tap implements DetectionSink {
  readonly seen: Detection[] = [];
  readonly reports: Awaited<ReturnType<FindingRecorder['record']>>[] = [];
  readonly #recorder: FindingRecorder;

  constructor(recorder: FindingRecorder) {
    this.#recorder = recorder;
  }

  async accept(detections: readonly Detection[]): Promise<void> {
    this.seen.push(...detections);
    this.reports.push(await this.#recorder.record(detections));
  }
}

describe('EKS audit logs → detections → findings store → Slack (handler, dynalite, loopback Slack)', () => {
  let db: Dynalite;
  let slack: SlackApiDouble;
  let handle: AuditLogsHandler;
  let tap: Tap;
  let delivery: AlertDelivery;
  let store: DynamoFindingStore;
  /** The delivery function's run, after ingest recorded. */
  const deliver = () => delivery.deliverPending({ owner: 'delivery-function' });
  let table = 0;

  beforeAll(async () => {
    db = await startDynalite();
    slack = await startSlackApiDouble({ token: TOKEN, channels: ['C0ALERTS'] });
  });
  afterAll(async () => {
    await slack.stop();
    await db.stop();
  });
  beforeEach(async () => {
    slack.reset();
    table += 1;
    const tableName = `audit-logs-${table}`;
    await db.createTable(findingsTableDefinition(tableName));
    store = new DynamoFindingStore({
      client: db.documentClient,
      tableName,
      nowSeconds: () => 1_800_000_000,
    });
    const timers = new ManualTimers('2024-11-14T00:00:00.000Z');
    delivery = alertDeliveryFor({
      config: CONFIG,
      store,
      messenger: createWebApiMessenger({ token: TOKEN, slackApiUrl: slack.url }),
      timers,
    });
    tap = new Tap(findingRecorderFor({ config: CONFIG, store, clock: timers.nowIso }));
    handle = createAuditLogsHandler({
      config: CONFIG,
      sink: tap,
      counter: new DynamoDenialCounter({ client: db.documentClient, tableName }),
      logger: silent,
      clock: () => '2024-11-14T00:00:00.000Z',
    });
  });

  it('stores every detection of a batch, and the delivery function posts its alerts', async () => {
    const summary = await handle(loadFixture('cwlogs-eks-audit-lambda-event.json', 'lambdaEvent'));
    expect(summary.records).toBe(10);
    // The fixture's exact detections: (rule, request identity, the auditID it came with).
    expect(tap.seen.map((d) => [d.ruleId, d.eventId, d.evidence.auditId])).toEqual(FIXTURE_DETECTIONS);
    expect(summary.detections).toBe(FIXTURE_DETECTIONS.length);
    // Read back: each incident holds exactly the rules that reported it, one occurrence per request.
    const stored = await Promise.all(
      [...new Set(tap.seen.map((d) => fingerprintOf(d)))].map((fp) => store.get(fp)),
    );
    expect(
      stored.map((f) => [
        f?.rules?.map((r) => r.ruleId).sort(),
        f?.occurrences,
        highestSeverity(f?.rules ?? []),
      ]),
    ).toEqual(FIXTURE_INCIDENTS);
    // One occurrence per request: several rules reporting one request count it once (decision D19).
    expect(tap.reports[0]?.occurrencesStored).toBe(new Set(tap.seen.map((d) => d.eventId)).size);
    expect(tap.reports[0]?.occurrencesStored).toBeLessThan(summary.detections);
    expect(slack.calls).toEqual([]);
    const run = await deliver();
    expect(run.delivered).toBe(tap.reports[0]?.toDeliver);
    expect(slack.successful('chat.postMessage').length).toBe(run.delivered);
  });

  it('stores nothing new and posts nothing new when Lambda redelivers the batch', async () => {
    const event = loadFixture('cwlogs-eks-audit-lambda-event.json', 'lambdaEvent');
    await handle(event);
    await deliver();
    const posts = slack.successful('chat.postMessage').length;
    await handle(event);
    await deliver();
    expect(tap.reports[1]?.occurrencesStored).toBe(0);
    expect(tap.reports[1]?.findingsCreated).toBe(0);
    expect(tap.reports[1]?.toDeliver).toBe(0);
    expect(slack.successful('chat.postMessage')).toHaveLength(posts);
  });

  it('raises one KD-061 burst across invocations, counted in DynamoDB', async () => {
    const batch = (from: number, count: number) =>
      encode({
        ...envelope(),
        logEvents: Array.from({ length: count }, (_, i) => ({
          id: `log-${from + i}`,
          timestamp: 1715787000000,
          message: JSON.stringify(
            fixtureWith('eks-audit-anonymous-denied.json', { auditID: `scan-${from + i}` }),
          ),
        })),
      });
    await handle(batch(0, 6));
    await handle(batch(6, 6));
    await handle(batch(12, 6));
    const bursts = tap.seen.filter((d) => d.eventId.startsWith('KD-061-burst#'));
    expect(bursts.map((d) => d.evidence.burstKey).sort()).toEqual(['principal', 'sourceIp']);
    expect(bursts.every((d) => d.severity === 'medium' && d.count === 10)).toBe(true);
  });
});
