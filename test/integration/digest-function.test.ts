import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAuditHistoryStore } from '#adapters/aws/audit-history-store.ts';
import { DynamoAuditTrailStore } from '#adapters/aws/audit-trail-store.ts';
import {
  DynamoDigestLedger,
  DynamoDigestSubscriptions,
  DynamoPostureFacts,
} from '#adapters/aws/digest-stores.ts';
import { DynamoFindingStore } from '#adapters/aws/findings-store.ts';
import { findingsTableDefinition } from '#adapters/aws/findings-table.ts';
import { createResvgRasterizer } from '#adapters/chart/png.ts';
import { createDigestSlack } from '#adapters/slack/digest-slack.ts';
import { digestSourcesOver } from '#core/digest/sources.ts';
import { DEFAULT_DIGEST_SETTINGS, subscriptionOf } from '#core/digest/subscriptions.ts';
import { createDigestHandler, type DigestHandler } from '#lambdas/digest/handler.ts';
import { dailyHistory } from '#test/support/digest-data.ts';
import { type Dynalite, startDynalite } from '#test/support/dynalite.ts';
import { pngSize } from '#test/support/png.ts';
import { type SlackApiDouble, startSlackApiDouble } from '#test/support/slack-api-double.ts';

/**
 * The digest function end to end on loopback: dynalite for the table, the Slack double for the Web
 * API (chat.postMessage with metadata, files.uploadV2's three steps), the real rasterizer. Two
 * invocations race on the same due digests; a retried invocation sends nothing again.
 */
const TOKEN = 'xoxb-digest-test';
const NOW = '2026-12-07T09:05:00.000Z';

let db: Dynalite;
let slack: SlackApiDouble;

beforeAll(async () => {
  db = await startDynalite();
  slack = await startSlackApiDouble({ token: TOKEN, clock: () => Date.parse(NOW) });
});
afterAll(async () => {
  await slack.stop();
  await db.stop();
});

async function world(tableName: string) {
  await db.createTable(findingsTableDefinition(tableName));
  const options = { client: db.documentClient, tableName };
  const history = new DynamoAuditHistoryStore(options);
  for (const entry of dailyHistory('prod', NOW, 84, (day) => 50 + Math.floor(day / 7)))
    await history.put(entry);
  const subscriptions = new DynamoDigestSubscriptions(options);
  const weekly = subscriptionOf(
    { frequency: 'weekly', target: { kind: 'channel', channel: 'C0SECURITY' } },
    'U0ADMIN',
    '2026-12-01T00:00:00.000Z',
  );
  const daily = subscriptionOf(
    { frequency: 'daily', cluster: 'prod', target: { kind: 'channel', channel: 'C0PLATFORM' } },
    'U0ADMIN',
    '2026-12-01T00:00:00.000Z',
  );
  await subscriptions.put(weekly);
  await subscriptions.put(daily);
  const facts = new DynamoPostureFacts(options);
  const handler = (): DigestHandler =>
    createDigestHandler({
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined } as never,
      run: {
        subscriptions,
        ledger: new DynamoDigestLedger(options),
        sources: digestSourcesOver({
          history,
          findings: new DynamoFindingStore({
            ...options,
            nowSeconds: () => Math.floor(Date.parse(NOW) / 1000),
          }),
          trail: new DynamoAuditTrailStore(options),
          facts,
        }),
        slack: createDigestSlack({ token: TOKEN, slackApiUrl: slack.url }),
        chart: createResvgRasterizer(),
        clusters: ['prod'],
        suppressions: [],
        settings: DEFAULT_DIGEST_SETTINGS,
        clock: () => NOW,
      },
    });
  return { handler, weekly, daily };
}

const context = (id: string) => ({ awsRequestId: id, getRemainingTimeInMillis: () => 120_000 });

describe('digest function', () => {
  it('sends each due digest once, with its chart, when two invocations race and one is retried', async () => {
    slack.reset();
    const { handler, weekly, daily } = await world('digest-race');

    const [a, b] = await Promise.all([handler()({}, context('run-a')), handler()({}, context('run-b'))]);
    const retry = await handler()({}, context('run-a'));

    expect([...a.sent, ...b.sent].sort()).toEqual([`${daily.id}:2026-12-07`, `${weekly.id}:2026-W50`].sort());
    expect([...a.failed, ...b.failed]).toEqual([]);
    expect(retry).toMatchObject({ sent: [], alreadySent: 2, failed: [] });
    const posts = slack.successful('chat.postMessage');
    expect(posts.map((post) => post.channel).sort()).toEqual(['C0PLATFORM', 'C0SECURITY']);
    expect(posts.map((post) => post.text).sort()).toEqual([
      'Daily posture digest: safer',
      'Weekly posture digest: safer',
    ]);
    const completed = slack.successful('files.completeUploadExternal');
    expect(completed.map((call) => call.channel_id).sort()).toEqual(['C0PLATFORM', 'C0SECURITY']);
    const files = [...slack.state.files.values()];
    expect(files).toHaveLength(2);
    for (const file of files)
      expect(pngSize(new Uint8Array(file.bytes))).toEqual({ width: 960, height: 540 });
  });
});
