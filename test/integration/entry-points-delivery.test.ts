import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findingsTableDefinition } from '../../adapters/aws/findings-table.ts';
import { type Dynalite, startDynalite } from '../support/dynalite.ts';
import { loadFixture } from '../support/fixtures.ts';
import { type SlackApiDouble, startSlackApiDouble } from '../support/slack-api-double.ts';

const TOKEN = 'xoxb-entry-points';
const TABLE = 'kubeguard-findings';

/**
 * The delivery function as Lambda runs it: logger, configuration, store and Slack client built from
 * the environment on first use, its budget from the invocation context.
 */
describe('delivery entry point built from the environment (dynalite, loopback Slack)', () => {
  let slack: SlackApiDouble;
  let db: Dynalite;
  const saved = { ...process.env };

  beforeAll(async () => {
    slack = await startSlackApiDouble({ token: TOKEN, clock: () => Date.now() });
    db = await startDynalite();
    await db.createTable(findingsTableDefinition(TABLE));
    process.env.KUBEGUARD_TABLE_NAME = TABLE;
    process.env.DYNAMODB_ENDPOINT = db.endpoint;
    process.env.KUBEGUARD_CONFIG = JSON.stringify({
      clusters: [{ name: 'prod-cluster', region: 'us-east-1' }],
      slack: { defaultChannel: 'C0ALERTS' },
    });
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    process.env.SLACK_BOT_TOKEN = TOKEN;
    process.env.SLACK_API_URL = slack.url;
    delete process.env.SLACK_SECRET_ARN;
    delete process.env.DELIVERY_FUNCTION_NAME;
  });
  afterAll(async () => {
    process.env = saved;
    await slack.stop();
    await db.stop();
  });

  it('posts what the ingest functions recorded, all of it within one run', async () => {
    const guardDuty = await import('../../lambdas/guardduty-findings/handler.ts');
    const auditLogs = await import('../../lambdas/audit-logs/handler.ts');

    const recorded = await guardDuty.handler(loadFixture('guardduty-eks-exec-in-kube-system-pod.json'));
    const batch = await auditLogs.handler(loadFixture('cwlogs-eks-audit-lambda-event.json', 'lambdaEvent'));

    expect(recorded).toMatchObject({ status: 'stored', newOccurrence: true, toDeliver: true });
    expect(batch.detections).toBeGreaterThan(0);
    expect(slack.calls).toEqual([]);

    const delivery = await import('../../lambdas/delivery/handler.ts');
    const report = await delivery.handler(
      { source: 'aws.events', 'detail-type': 'Scheduled Event' },
      { awsRequestId: 'request-1', getRemainingTimeInMillis: () => 60_000 },
    );

    expect(report.outOfTime).toBe(false);
    expect(report.delivered).toBe(report.listed);
    expect(report.listed).toBeGreaterThan(1);
    expect(slack.channelMessages()).toHaveLength(report.listed);
    expect(
      slack
        .channelMessages()
        .every((m) => (m.metadata as { event_type?: string }).event_type === 'kubeguard_finding'),
    ).toBe(true);
  });
});
