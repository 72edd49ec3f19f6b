import { performance } from 'node:perf_hooks';
import { DynamoDenialCounter } from '../../adapters/aws/denial-counter.ts';
import { ScanCommand } from '../../adapters/aws/dynamo-document.ts';
import { DynamoFindingStore } from '../../adapters/aws/findings-store.ts';
import { findingsTableDefinition } from '../../adapters/aws/findings-table.ts';
import { createWebApiMessenger } from '../../adapters/slack/web-api-messenger.ts';
import { parseConfig } from '../../core/config/schema.ts';
import { alertDeliveryFor, findingRecorderFor } from '../../core/findings/compose.ts';
import { createAuditLogsHandler } from '../../lambdas/audit-logs/handler.ts';
import { auditStorm } from '../../test/support/audit-storm.ts';
import { startDynalite } from '../../test/support/dynalite.ts';
import { ManualTimers } from '../../test/support/fake-timers.ts';
import { startSlackApiDouble } from '../../test/support/slack-api-double.ts';
import type { BenchSuite, Figure } from '../figure.ts';

/**
 * Alert storm: 5,000 KD-001 detections over 20 fingerprints within a minute, through the real
 * audit-log handler and the DynamoDB store on dynalite, each batch followed by a delivery run (the
 * nudge) with the Web API client against the loopback Slack double. Slack pacing
 * (1 message/s/channel) runs on a virtual clock and is reported apart from the wall time, which is
 * the cost of analysis, storage and delivery bookkeeping.
 */
const EVENTS = 5000;
const FINGERPRINTS = 20;
const TABLE = 'storm-bench';

export const suite: BenchSuite = {
  name: 'storm',
  run: async () => {
    const db = await startDynalite();
    const slack = await startSlackApiDouble({ token: 'xoxb-bench' });
    try {
      await db.createTable(findingsTableDefinition(TABLE));
      const config = parseConfig({
        clusters: [{ name: 'prod-cluster', region: 'us-east-1' }],
        slack: { defaultChannel: 'C0ALERTS' },
      });
      const timers = new ManualTimers('2026-11-28T10:00:30.000Z');
      const store = new DynamoFindingStore({
        client: db.documentClient,
        tableName: TABLE,
        nowSeconds: () => 1_800_000_000,
      });
      const delivery = alertDeliveryFor({
        config,
        store,
        messenger: createWebApiMessenger({ token: 'xoxb-bench', slackApiUrl: slack.url }),
        timers,
      });
      const handle = createAuditLogsHandler({
        config,
        sink: findingRecorderFor({ config, store, clock: timers.nowIso }),
        counter: new DynamoDenialCounter({ client: db.documentClient, tableName: TABLE }),
        logger: { info: () => {}, warn: () => {}, error: () => {} },
        clock: timers.nowIso,
      });
      const batches = auditStorm({ events: EVENTS, fingerprints: FINGERPRINTS, batchSize: 250, seconds: 50 });
      const started = performance.now();
      for (const batch of batches) {
        await handle(batch);
        await delivery.deliverPending({ owner: 'bench', deadlineMs: timers.nowMs() + 48_000 });
        timers.advance(2_500);
      }
      const seconds = (performance.now() - started) / 1000;

      const posts = slack.successful('chat.postMessage');
      const scan = await db.documentClient.send(
        new ScanCommand({
          TableName: TABLE,
          Select: 'COUNT',
          FilterExpression: 'begins_with(sk, :occurrence)',
          ExpressionAttributeValues: { ':occurrence': 'OCC#' },
        }),
      );
      const figures: Figure[] = [
        {
          name: 'storm detections',
          value: EVENTS,
          unit: 'detections',
          target: `${FINGERPRINTS} fingerprints`,
        },
        {
          name: 'storm channel messages posted',
          value: posts.filter((p) => p.thread_ts === undefined).length,
          unit: 'messages',
          target: `<= ${FINGERPRINTS}`,
        },
        {
          name: 'storm thread replies',
          value: posts.filter((p) => p.thread_ts !== undefined).length,
          unit: 'messages',
          target: '<= 1/finding/min',
        },
        {
          name: 'storm message updates',
          value: slack.successful('chat.update').length,
          unit: 'updates',
          target: '',
        },
        {
          name: 'storm occurrences stored',
          value: scan.Count ?? 0,
          unit: 'occurrences',
          target: `= ${EVENTS}`,
        },
        { name: 'storm wall time (analysis + store, dynalite)', value: seconds, unit: 's', target: '' },
        {
          name: 'storm virtual Slack pacing time',
          value: (timers.nowMs() - Date.parse('2026-11-28T10:00:30.000Z')) / 1000,
          unit: 's',
          target: '',
        },
      ];
      return figures;
    } finally {
      await slack.stop();
      await db.stop();
    }
  },
};
