import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDenialCounter } from '../../adapters/aws/denial-counter.ts';
import { DynamoFindingStore } from '../../adapters/aws/findings-store.ts';
import { findingsTableDefinition } from '../../adapters/aws/findings-table.ts';
import { createWebApiMessenger } from '../../adapters/slack/web-api-messenger.ts';
import { parseConfig } from '../../core/config/schema.ts';
import type { DeliveryRunReport } from '../../core/delivery/outbox.ts';
import { alertDeliveryFor, findingRecorderFor } from '../../core/findings/compose.ts';
import { createAuditLogsHandler } from '../../lambdas/audit-logs/handler.ts';
import { createDeliveryHandler } from '../../lambdas/delivery/handler.ts';
import { auditStorm } from '../support/audit-storm.ts';
import { type Dynalite, startDynalite } from '../support/dynalite.ts';
import { ManualTimers } from '../support/fake-timers.ts';
import { type SlackApiDouble, startSlackApiDouble } from '../support/slack-api-double.ts';

const TOKEN = 'xoxb-scale';
const TABLE = 'scale';
const START = '2026-11-28T10:01:00.000Z';
const CONFIG = parseConfig({
  clusters: [{ name: 'prod-cluster', region: 'us-east-1' }],
  slack: { defaultChannel: 'C0ALERTS' },
});
const silent = { info: () => {}, warn: () => {}, error: () => {} };
/** The delivery function's timeout (infra/stacks/stateless-stack.ts). */
const FUNCTION_TIMEOUT_MS = 60_000;

describe('1,000 new incidents in one batch to one channel (audit-logs and delivery handlers, dynalite, Slack double)', () => {
  let db: Dynalite;
  let slack: SlackApiDouble;
  const timers = new ManualTimers(START);

  beforeAll(async () => {
    db = await startDynalite();
    slack = await startSlackApiDouble({ token: TOKEN, clock: () => timers.nowMs() });
    await db.createTable(findingsTableDefinition(TABLE));
  });
  afterAll(async () => {
    await slack.stop();
    await db.stop();
  });

  it('records all of them in one ingest invocation, then delivers each exactly once over budgeted runs', async () => {
    const store = new DynamoFindingStore({
      client: db.documentClient,
      tableName: TABLE,
      nowSeconds: () => 1_800_000_000,
    });
    const ingest = createAuditLogsHandler({
      config: CONFIG,
      sink: findingRecorderFor({ config: CONFIG, store, clock: timers.nowIso }),
      counter: new DynamoDenialCounter({ client: db.documentClient, tableName: TABLE }),
      logger: silent,
      clock: timers.nowIso,
    });
    const deliver = createDeliveryHandler({
      logger: silent,
      timers,
      delivery: alertDeliveryFor({
        config: CONFIG,
        store,
        messenger: createWebApiMessenger({ token: TOKEN, slackApiUrl: slack.url }),
        timers,
      }),
    });
    const [batch] = auditStorm({ events: 1000, fingerprints: 1000, batchSize: 1000, seconds: 50 });

    // One invocation records the whole batch and returns: nothing thrown, nothing for the DLQ.
    const summary = await ingest(batch);

    expect(summary).toMatchObject({ records: 1000, detections: 1000, malformed: 0 });
    expect(slack.calls).toEqual([]);
    expect(await store.listPendingDeliveries(timers.nowIso(), 2000)).toHaveLength(1000);

    // The delivery function, once a minute, each run stopping within its own time budget.
    const runs: DeliveryRunReport[] = [];
    for (let minute = 0; minute < 40; minute += 1) {
      const startedMs = timers.nowMs();
      const context = {
        awsRequestId: `run-${minute}`,
        getRemainingTimeInMillis: () => startedMs + FUNCTION_TIMEOUT_MS - timers.nowMs(),
      };
      const report = await deliver({ source: 'aws.events' }, context);
      runs.push(report);
      expect(timers.nowMs() - startedMs).toBeLessThanOrEqual(FUNCTION_TIMEOUT_MS);
      if (!report.outOfTime) break;
      timers.advance(Math.max(0, startedMs + 60_000 - timers.nowMs()));
    }

    const messages = slack.channelMessages();
    const fingerprints = new Set(
      messages.map((m) =>
        String((m.metadata?.event_payload as Record<string, unknown> | undefined)?.fingerprint),
      ),
    );
    expect(runs.length).toBeGreaterThan(10);
    expect(runs.slice(0, -1).every((r) => r.outOfTime && r.delivered > 0)).toBe(true);
    expect(runs.reduce((sum, r) => sum + r.delivered, 0)).toBe(1000);
    expect(messages).toHaveLength(1000);
    expect(fingerprints.size).toBe(1000);
    expect(slack.calls.filter((c) => c.method === 'chat.postMessage' && c.status !== 200)).toEqual([]);
    expect(await store.listPendingDeliveries('9999-12-31T00:00:00.000Z', 10)).toEqual([]);
  }, 300_000);
});
