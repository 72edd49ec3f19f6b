import { performance } from 'node:perf_hooks';
import { DynamoDenialCounter } from '../../adapters/aws/denial-counter.ts';
import { DynamoFindingStore } from '../../adapters/aws/findings-store.ts';
import { findingsTableDefinition } from '../../adapters/aws/findings-table.ts';
import { createWebApiMessenger } from '../../adapters/slack/web-api-messenger.ts';
import { parseConfig } from '../../core/config/schema.ts';
import { alertDeliveryFor, findingRecorderFor } from '../../core/findings/compose.ts';
import { createAuditLogsHandler } from '../../lambdas/audit-logs/handler.ts';
import { createDeliveryHandler } from '../../lambdas/delivery/handler.ts';
import { auditStorm } from '../../test/support/audit-storm.ts';
import { startDynalite } from '../../test/support/dynalite.ts';
import { ManualTimers } from '../../test/support/fake-timers.ts';
import { startSlackApiDouble } from '../../test/support/slack-api-double.ts';
import type { BenchSuite, Figure } from '../figure.ts';

/**
 * Record, then deliver: 1,000 new incidents in one CloudWatch Logs batch to one channel, through the
 * real audit-logs handler (DynamoDB store on dynalite), then the real delivery handler run once a
 * virtual minute with a 60 s budget against the loopback Slack double. Recording is wall time (what
 * one ingest invocation spends); delivery pacing (1 message/s/channel) runs on the virtual clock.
 */
const INCIDENTS = 1000;
const TABLE = 'outbox-bench';
/** One audit-logs invocation may run 60 s; recording must leave most of it unused. */
const RECORD_TARGET_SECONDS = 30;

const mark = (ok: boolean) => (ok ? '✓' : '✗');

export const suite: BenchSuite = {
  name: 'outbox',
  run: async () => {
    const db = await startDynalite();
    const timers = new ManualTimers('2026-11-28T10:01:00.000Z');
    const slack = await startSlackApiDouble({ token: 'xoxb-bench', clock: () => timers.nowMs() });
    try {
      await db.createTable(findingsTableDefinition(TABLE));
      const config = parseConfig({
        clusters: [{ name: 'prod-cluster', region: 'us-east-1' }],
        slack: { defaultChannel: 'C0ALERTS' },
      });
      const silent = { info: () => {}, warn: () => {}, error: () => {} };
      const store = new DynamoFindingStore({
        client: db.documentClient,
        tableName: TABLE,
        nowSeconds: () => 1_800_000_000,
      });
      const ingest = createAuditLogsHandler({
        config,
        sink: findingRecorderFor({ config, store, clock: timers.nowIso }),
        counter: new DynamoDenialCounter({ client: db.documentClient, tableName: TABLE }),
        logger: silent,
        clock: timers.nowIso,
      });
      const deliver = createDeliveryHandler({
        logger: silent,
        timers,
        delivery: alertDeliveryFor({
          config,
          store,
          messenger: createWebApiMessenger({ token: 'xoxb-bench', slackApiUrl: slack.url }),
          timers,
        }),
      });
      const [batch] = auditStorm({
        events: INCIDENTS,
        fingerprints: INCIDENTS,
        batchSize: INCIDENTS,
        seconds: 50,
      });

      const started = performance.now();
      const summary = await ingest(batch);
      const recordSeconds = (performance.now() - started) / 1000;
      const recorded = (await store.listPendingDeliveries(timers.nowIso(), 2 * INCIDENTS)).length;

      const deliveryStart = timers.nowMs();
      let runs = 0;
      for (; runs < 60; ) {
        runs += 1;
        const startedMs = timers.nowMs();
        const report = await deliver(
          { source: 'aws.events' },
          {
            awsRequestId: `run-${runs}`,
            getRemainingTimeInMillis: () => startedMs + 60_000 - timers.nowMs(),
          },
        );
        if (!report.outOfTime) break;
        timers.advance(Math.max(0, startedMs + 60_000 - timers.nowMs()));
      }
      const messages = slack.channelMessages();
      const distinct = new Set(
        messages.map((m) =>
          String((m.metadata?.event_payload as Record<string, unknown> | undefined)?.fingerprint),
        ),
      ).size;
      const duplicates = messages.length - distinct;
      const figures: Figure[] = [
        {
          name: 'outbox: record a 1,000-incident batch (one ingest invocation)',
          value: recordSeconds,
          unit: 's',
          target: `< ${RECORD_TARGET_SECONDS} s ${mark(recordSeconds < RECORD_TARGET_SECONDS && summary.detections === INCIDENTS)}`,
        },
        {
          name: 'outbox: incidents recorded in that invocation',
          value: recorded,
          unit: 'incidents',
          target: `= ${INCIDENTS} ${mark(recorded === INCIDENTS)}`,
        },
        {
          name: 'outbox: messages posted',
          value: messages.length,
          unit: 'messages',
          target: `= ${INCIDENTS} ${mark(messages.length === INCIDENTS)}`,
        },
        {
          name: 'outbox: duplicate messages',
          value: duplicates,
          unit: 'messages',
          target: `= 0 ${mark(duplicates === 0)}`,
        },
        { name: 'outbox: delivery runs (60 s budget each)', value: runs, unit: 'runs', target: '' },
        {
          name: 'outbox: virtual time to deliver all (1 message/s/channel)',
          value: (timers.nowMs() - deliveryStart) / 1000,
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
