import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findingsTableDefinition } from '../../adapters/aws/findings-table.ts';
import { type Dynalite, startDynalite } from '../support/dynalite.ts';
import { loadFixture } from '../support/fixtures.ts';
import { type SlackApiDouble, startSlackApiDouble } from '../support/slack-api-double.ts';

const TOKEN = 'xoxb-entry-points';
const TABLE = 'kubeguard-findings';

/**
 * The ingest functions as Lambda runs them: each builds its logger, configuration and store from the
 * environment on first use — without Slack credentials, which the CDK app no longer gives them.
 */
describe('ingest entry points built from the environment (dynalite)', () => {
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
    delete process.env.SLACK_BOT_TOKEN;
    delete process.env.SLACK_SECRET_ARN;
    delete process.env.DELIVERY_FUNCTION_NAME;
  });
  afterAll(async () => {
    process.env = saved;
    await slack.stop();
    await db.stop();
  });

  it('records a GuardDuty finding and an audit-log batch without Slack credentials, posting nothing', async () => {
    const guardDuty = await import('../../lambdas/guardduty-findings/handler.ts');
    const auditLogs = await import('../../lambdas/audit-logs/handler.ts');

    const recorded = await guardDuty.handler(loadFixture('guardduty-eks-exec-in-kube-system-pod.json'));
    const batch = await auditLogs.handler(loadFixture('cwlogs-eks-audit-lambda-event.json', 'lambdaEvent'));

    expect(recorded).toMatchObject({ status: 'stored', newOccurrence: true, toDeliver: true });
    expect(batch.detections).toBeGreaterThan(0);
    expect(slack.calls).toEqual([]);

    const { DynamoFindingStore } = await import('../../adapters/aws/findings-store.ts');
    const store = new DynamoFindingStore({
      client: db.documentClient,
      tableName: TABLE,
      nowSeconds: () => 0,
    });
    const pending = await store.listPendingDeliveries('9999-12-31T00:00:00.000Z', 100);
    expect(pending.map((p) => p.fingerprint)).toContain(
      recorded.status === 'stored' ? recorded.fingerprint : '',
    );
  });

  it('builds the image-findings function from the environment: a non-image finding is ignored, a malformed event refused', async () => {
    const imageFindings = await import('../../lambdas/image-findings/handler.ts');
    const { inspectorEvent } = await import('../support/inspector-double.ts');
    const lambdaFinding = inspectorEvent('inspector2-finding-ecr-package-vulnerability');
    (lambdaFinding.detail.resources as { type: string }[])[0] = {
      ...(lambdaFinding.detail.resources as { type: string }[])[0],
      type: 'AWS_LAMBDA_FUNCTION',
    };

    await expect(imageFindings.handler(lambdaFinding)).resolves.toMatchObject({ status: 'ignored' });
    await expect(imageFindings.handler({ detail: 'not a finding' })).rejects.toMatchObject({
      code: 'INVALID_EVENT',
    });
    expect(slack.calls).toEqual([]);
  });
});
