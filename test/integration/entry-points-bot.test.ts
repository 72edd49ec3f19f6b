import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAuditTrailStore } from '../../adapters/aws/audit-trail-store.ts';
import { DynamoFindingStore } from '../../adapters/aws/findings-store.ts';
import { findingsTableDefinition } from '../../adapters/aws/findings-table.ts';
import { parseConfig } from '../../core/config/schema.ts';
import { findingRecorderFor } from '../../core/findings/compose.ts';
import { guardDutyDetection } from '../support/detections.ts';
import { type Dynalite, startDynalite } from '../support/dynalite.ts';
import { type SlackApiDouble, startSlackApiDouble } from '../support/slack-api-double.ts';
import { FIXTURE_SIGNING_SECRET, signed, slashCommandBody } from '../support/slack-requests.ts';

const TOKEN = 'xoxb-entry-points-bot';
const TABLE = 'kubeguard-bot';
const CONFIG = {
  clusters: [{ name: 'prod-cluster', region: 'us-east-1' }],
  slack: { defaultChannel: 'C0ALERTS' },
  authorization: { grants: [{ role: 'admin', users: ['U0ADMIN'] }] },
};

/** SQS's JSON protocol on loopback: SendMessage calls are recorded with their target and body. */
async function startSqsDouble(): Promise<{
  url: string;
  sent: { target: string; body: Record<string, unknown> }[];
  stop(): Promise<void>;
}> {
  const sent: { target: string; body: Record<string, unknown> }[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      sent.push({
        target: String(request.headers['x-amz-target']),
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
      });
      response.writeHead(200, { 'Content-Type': 'application/x-amz-json-1.0' });
      response.end(JSON.stringify({ MessageId: `m-${sent.length}`, MD5OfMessageBody: 'x' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/111122223333/kubeguard-actions`,
    sent,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * The Slack ingress and the action worker as Lambda runs them: built from the environment on first
 * use (plain secrets, the table on dynalite, SQS and Slack on loopback), fed an API Gateway HTTP API
 * event and then the SQS event carrying what the ingress queued.
 */
describe('Slack bot entry points built from the environment (dynalite, loopback SQS and Slack)', () => {
  let slack: SlackApiDouble;
  let db: Dynalite;
  let sqs: Awaited<ReturnType<typeof startSqsDouble>>;
  const saved = { ...process.env };

  beforeAll(async () => {
    slack = await startSlackApiDouble({ token: TOKEN, channels: ['C0ALERTS'] });
    db = await startDynalite();
    sqs = await startSqsDouble();
    await db.createTable(findingsTableDefinition(TABLE));
    Object.assign(process.env, {
      KUBEGUARD_TABLE_NAME: TABLE,
      DYNAMODB_ENDPOINT: db.endpoint,
      KUBEGUARD_CONFIG: JSON.stringify(CONFIG),
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      SLACK_BOT_TOKEN: TOKEN,
      SLACK_API_URL: slack.url,
      SLACK_SIGNING_SECRET: FIXTURE_SIGNING_SECRET,
      KUBEGUARD_ACTION_QUEUE_URL: sqs.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
    });
    for (const name of [
      'SLACK_SECRET_ARN',
      'SLACK_SIGNING_SECRET_ARN',
      'DELIVERY_FUNCTION_NAME',
      'AWS_SESSION_TOKEN',
    ]) {
      delete process.env[name];
    }
  });
  afterAll(async () => {
    process.env = saved;
    await sqs.stop();
    await slack.stop();
    await db.stop();
  });

  it('acknowledges a finding: the ingress verifies and queues, the worker changes it and answers', async () => {
    const store = new DynamoFindingStore({
      client: db.documentClient,
      tableName: TABLE,
      nowSeconds: () => Math.floor(Date.now() / 1000),
    });
    const recorder = findingRecorderFor({
      config: parseConfig(CONFIG),
      store,
      clock: () => new Date().toISOString(),
    });
    const report = await recorder.record([guardDutyDetection('guardduty-eks-exec-in-kube-system-pod.json')]);
    const fingerprint = report.fingerprints[0] ?? '';
    const request = signed(
      slashCommandBody({
        user_id: 'U0ADMIN',
        team_id: 'T111',
        channel_id: 'C0ALERTS',
        text: `ack ${fingerprint.slice(0, 12)}`,
        trigger_id: '77.77.entry',
        response_url: slack.responseUrl('commands/T111/77/entry'),
      }),
    );
    const ingress = await import('../../bot/lambda.ts');

    const answer = await ingress.handler({
      headers: Object.fromEntries(
        Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), value]),
      ),
      body: Buffer.from(request.body, 'utf8').toString('base64'),
      isBase64Encoded: true,
      rawPath: '/slack/events',
    });

    expect(answer.statusCode).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringContaining('Acknowledging finding'),
    });
    expect(sqs.sent.map((s) => [s.target, s.body.QueueUrl])).toEqual([['AmazonSQS.SendMessage', sqs.url]]);

    const worker = await import('../../lambdas/action-worker/handler.ts');
    const result = await worker.handler({
      Records: [
        {
          messageId: 'm-1',
          body: String(sqs.sent[0]?.body.MessageBody),
          attributes: { ApproximateReceiveCount: '1' },
        },
      ],
    });

    expect(result).toEqual({ batchItemFailures: [] });
    expect((await store.get(fingerprint))?.status).toBe('acknowledged');
    expect(slack.ephemerals.map((e) => [e.via, e.text.split(':')[1]])).toEqual([
      ['/hooks/commands/T111/77/entry', 'white_check_mark'],
    ]);
    const trail = new DynamoAuditTrailStore({ client: db.documentClient, tableName: TABLE });
    expect((await trail.byFinding(fingerprint)).map((r) => [r.type, r.result])).toEqual([
      ['action', undefined],
      ['outcome', 'done'],
    ]);
  });
});
