import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDenialCounter } from '../../adapters/aws/denial-counter.ts';
import { ScanCommand } from '../../adapters/aws/dynamo-document.ts';
import { DynamoFindingStore } from '../../adapters/aws/findings-store.ts';
import { findingsTableDefinition } from '../../adapters/aws/findings-table.ts';
import { createWebApiMessenger } from '../../adapters/slack/web-api-messenger.ts';
import { parseConfig } from '../../core/config/schema.ts';
import { alertDeliveryFor, findingRecorderFor } from '../../core/findings/compose.ts';
import { createAuditLogsHandler } from '../../lambdas/audit-logs/handler.ts';
import { auditStorm } from '../support/audit-storm.ts';
import { type Dynalite, startDynalite } from '../support/dynalite.ts';
import { ManualTimers } from '../support/fake-timers.ts';
import { type SlackApiDouble, startSlackApiDouble } from '../support/slack-api-double.ts';

const TOKEN = 'xoxb-storm';
const TABLE = 'storm';
const START = '2026-11-28T10:00:30.000Z';
const CONFIG = parseConfig({
  clusters: [{ name: 'prod-cluster', region: 'us-east-1' }],
  slack: { defaultChannel: 'C0ALERTS' },
});
const silent = { info: () => {}, warn: () => {}, error: () => {} };

async function scanAll(db: Dynalite): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.documentClient.send(
      new ScanCommand({ TableName: TABLE, ExclusiveStartKey: startKey }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return items;
}

describe('an alert storm through the real audit-log handler, dynalite and the Slack API double', () => {
  let db: Dynalite;
  let slack: SlackApiDouble;

  beforeAll(async () => {
    db = await startDynalite();
    slack = await startSlackApiDouble({ token: TOKEN });
    await db.createTable(findingsTableDefinition(TABLE));
  });
  afterAll(async () => {
    await slack.stop();
    await db.stop();
  });

  it('stores all 5,000 occurrences of 20 incidents and posts one channel message per incident', async () => {
    const timers = new ManualTimers(START);
    const store = new DynamoFindingStore({
      client: db.documentClient,
      tableName: TABLE,
      nowSeconds: () => 1_800_000_000,
    });
    const delivery = alertDeliveryFor({
      config: CONFIG,
      store,
      messenger: createWebApiMessenger({ token: TOKEN, slackApiUrl: slack.url }),
      timers,
    });
    // Each batch nudges the delivery function: one run with a 48 s budget after each recording.
    const deliver = () => delivery.deliverPending({ owner: 'delivery', deadlineMs: timers.nowMs() + 48_000 });
    const handle = createAuditLogsHandler({
      config: CONFIG,
      sink: findingRecorderFor({ config: CONFIG, store, clock: timers.nowIso }),
      counter: new DynamoDenialCounter({ client: db.documentClient, tableName: TABLE }),
      logger: silent,
      clock: timers.nowIso,
    });
    // Slack throttles the start of the storm.
    slack.failNext({ status: 429, retryAfter: 2 });

    let detections = 0;
    const batches = auditStorm({ events: 5000, fingerprints: 20, batchSize: 250, seconds: 50 });
    for (const batch of batches) {
      detections += (await handle(batch)).detections;
      await deliver();
      // The storm's 250-event batches arrive 2.5 s apart.
      timers.advance(2_500);
    }
    // Redelivery of a whole batch (Lambda retry) adds nothing.
    await handle(batches[0]);
    const stormEndMs = timers.nowMs();
    // What the storm left owed (newest counts, last thread summaries) goes out with the scheduled run.
    timers.advance(60_000);
    await deliver();

    expect(detections).toBe(5000);
    const posts = slack.successful('chat.postMessage');
    const channelMessages = posts.filter((p) => p.thread_ts === undefined);
    expect(channelMessages).toHaveLength(20);
    expect(timers.sleeps).toContain(2000);

    const items = await scanAll(db);
    const occurrences = items.filter((item) => String(item.sk).startsWith('OCC#'));
    const findings = items
      .filter((item) => item.sk === 'FINDING')
      .map((item) => JSON.parse(String(item.body)));
    expect(occurrences).toHaveLength(5000);
    expect(findings).toHaveLength(20);
    expect(findings.reduce((sum, f) => sum + f.occurrences, 0)).toBe(5000);
    expect(findings.every((f) => f.slack !== undefined && f.delivery.state === 'delivered')).toBe(true);

    // Messages were updated in place at most every 30 s, threads got at most one summary a minute.
    const stormSeconds = (stormEndMs - Date.parse(START)) / 1000;
    expect(slack.successful('chat.update').length).toBeLessThanOrEqual(
      20 * (Math.floor(stormSeconds / 30) + 2),
    );
    const elapsedMinutes = (timers.nowMs() - Date.parse(START)) / 60_000;
    const repliesPerThread = new Map<string, number>();
    for (const reply of posts.filter((p) => p.thread_ts !== undefined)) {
      repliesPerThread.set(String(reply.thread_ts), (repliesPerThread.get(String(reply.thread_ts)) ?? 0) + 1);
    }
    for (const replies of repliesPerThread.values())
      expect(replies).toBeLessThanOrEqual(Math.floor(elapsedMinutes) + 1);
    expect(slack.successful('chat.update').length).toBeGreaterThanOrEqual(20);
  }, 180_000);
});
