import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { KubeConfig } from '@kubernetes/client-node';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoAuditHistoryStore } from '#adapters/aws/audit-history-store.ts';
import { findingsTableDefinition } from '#adapters/aws/findings-table.ts';
import { createS3ReportExportStore } from '#adapters/evidence/report-exports.ts';
import type { EksClusterAccess } from '#adapters/kubernetes/eks-access.ts';
import { collectEksClusterSnapshot } from '#adapters/kubernetes/eks-cluster-snapshot.ts';
import { createWebApiMessenger } from '#adapters/slack/web-api-messenger.ts';
import { type ClusterConfig, type KubeguardConfig, parseConfig } from '#core/config/schema.ts';
import { parseAuditDetailsPage } from '#core/slack-views/audit-report.ts';
import { createPostureAuditHandler, type PostureAuditResult } from '#lambdas/posture-audit/handler.ts';
import type { FunctionLogger } from '#lambdas/shared/logger.ts';
import { type Dynalite, startDynalite } from '#test/support/dynalite.ts';
import { KubeApiDouble } from '#test/support/kube-api-double.ts';
import {
  awsError,
  eksMock,
  mockPostureAws,
  POSTURE_EXTRA_RESOURCES,
  postureClusterObjects,
  secretsMock,
} from '#test/support/posture-cluster.ts';
import { type SlackApiDouble, startSlackApiDouble } from '#test/support/slack-api-double.ts';

/**
 * The scheduled posture audit end to end, with doubles at every boundary: EKS, GuardDuty and Secrets
 * Manager answer with the test/fixtures/aws responses (aws-sdk-client-mock), the Kubernetes API is
 * the double on loopback (seeded with corpus manifests and the secret-consumers cluster), history
 * is on dynalite, exports go to a mocked S3, and the summary to the Slack API double.
 */

const SLACK_TOKEN = 'xoxb-posture-audit-test';
const KUBE_TOKEN = 'k8s-aws-v1.posture-audit-test';
const BUCKET = 'kubeguard-evidence-123456789012';
const CONFIG = parseConfig({
  clusters: [
    { name: 'prod-eu', region: 'eu-west-1' },
    { name: 'staging', region: 'eu-west-1' },
  ],
  slack: {
    defaultChannel: 'C0DEFAULT',
    routes: [
      { cluster: 'prod-eu', namespace: 'payments', channel: 'C0PAYMENTS' },
      { cluster: 'prod-eu', channel: 'C0PRODSEC' },
    ],
  },
});

interface LogLine {
  level: 'info' | 'warn' | 'error';
  message: string;
  attributes: Record<string, unknown>;
}

function recordingLogger(lines: LogLine[]): FunctionLogger {
  const record = (level: LogLine['level']) => (message: string, attributes?: Record<string, unknown>) => {
    lines.push({ level, message, attributes: attributes ?? {} });
  };
  return { info: record('info'), warn: record('warn'), error: record('error') };
}

const s3Mock = mockClient(S3Client);

/** The AWS answers of test/support/posture-cluster.ts, and S3 taking every export. */
function mockAws(): void {
  mockPostureAws();
  s3Mock.reset();
  s3Mock.on(PutObjectCommand).callsFake((input: { ChecksumSHA256: string }) => ({
    ChecksumSHA256: input.ChecksumSHA256,
  }));
}

describe('posture-audit handler', () => {
  const api = new KubeApiDouble({
    token: KUBE_TOKEN,
    extraResources: POSTURE_EXTRA_RESOURCES,
    objects: postureClusterObjects(),
  });
  let db: Dynalite;
  let slack: SlackApiDouble;
  let tables = 0;
  let logs: LogLine[];
  let reached: EksClusterAccess[];
  let handle: (event: unknown) => Promise<PostureAuditResult>;
  let handlerFor: (config: KubeguardConfig) => (event: unknown) => Promise<PostureAuditResult>;
  let history: DynamoAuditHistoryStore;
  let minutes = 0;

  beforeAll(async () => {
    await api.start();
    db = await startDynalite();
    slack = await startSlackApiDouble({ token: SLACK_TOKEN });
  });
  afterAll(async () => {
    await api.stop();
    await slack.stop();
    await db.stop();
  });

  beforeEach(async () => {
    mockAws();
    api.allowAll();
    slack.reset();
    logs = [];
    reached = [];
    minutes = 0;
    tables += 1;
    const tableName = `kubeguard-${tables}`;
    await db.createTable(findingsTableDefinition(tableName));
    history = new DynamoAuditHistoryStore({ client: db.documentClient, tableName });
    const eks = new EKSClient({ region: 'eu-west-1' });
    const guardDuty = new GuardDutyClient({ region: 'eu-west-1' });
    const secretsManager = new SecretsManagerClient({ region: 'eu-west-1' });
    handlerFor = (config) =>
      createPostureAuditHandler({
        config,
        logger: recordingLogger(logs),
        messenger: createWebApiMessenger({ token: SLACK_TOKEN, slackApiUrl: slack.url }),
        history,
        exports: createS3ReportExportStore({
          client: new S3Client({ region: 'eu-west-1' }),
          bucket: BUCKET,
          region: 'eu-west-1',
        }),
        collect: (cluster: ClusterConfig) =>
          collectEksClusterSnapshot({
            clusterName: cluster.name,
            eks,
            guardDuty,
            secretsManager,
            tokens: { getToken: async () => KUBE_TOKEN },
            // A new minute per collection: each audit has its own takenAt.
            clock: () => new Date(Date.UTC(2026, 2, 2, 6, minutes++)).toISOString(),
            readKubeletConfig: false,
            // The double speaks plain http on loopback; the endpoint DescribeCluster gave is recorded.
            kubeConfigFor: async (access, tokens) => {
              reached.push(access);
              const kubeConfig = new KubeConfig();
              kubeConfig.loadFromOptions(api.kubeConfigOptions(await tokens.getToken()));
              return kubeConfig;
            },
          }),
      });
    handle = handlerFor(CONFIG);
  });

  function posts(): Record<string, unknown>[] {
    return slack.successful('chat.postMessage');
  }

  function textOf(post: Record<string, unknown>): string {
    return JSON.stringify(post.blocks);
  }

  it('audits every configured cluster and posts each summary to the cluster’s channel', async () => {
    const result = await handle({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} });

    expect(result.failed).toEqual([]);
    expect(posts().map((post) => post.channel)).toEqual(['C0PRODSEC', 'C0DEFAULT']);
    expect(textOf(posts()[0] as Record<string, unknown>)).toContain('Posture audit: prod-eu');
    expect(textOf(posts()[0] as Record<string, unknown>)).toContain('first audit');
    expect(reached.map((access) => access.endpoint)).toEqual([
      'https://DALSJ343KE23J3RN45653DSKJTT647TYD.yl4.us-east-2.eks.amazonaws.com',
      'https://DALSJ343KE23J3RN45653DSKJTT647TYD.yl4.us-east-2.eks.amazonaws.com',
    ]);
    expect(api.requests.every((request) => request.authorization === `Bearer ${KUBE_TOKEN}`)).toBe(true);
  });

  it('audits the AWS side from the SDK responses: EKS, GuardDuty and the referenced secrets', async () => {
    const [outcome] = (await handle({ cluster: 'prod-eu' })).audited;

    expect(outcome?.unavailable).not.toHaveProperty('eks:cluster');
    expect(outcome?.unavailable).not.toHaveProperty('guardduty:detectors');
    expect(outcome?.unavailable).not.toHaveProperty('secretsmanager:secrets');
    expect(outcome?.unavailable['eks:addons']).toMatch(/^eks:ListAddons\/DescribeAddon failed/);
    const described = secretsMock
      .commandCalls(DescribeSecretCommand)
      .map((call) => call.args[0].input.SecretId);
    expect(described).toContain('MyTestSecret');
  });

  it('stores the exports and the history entry, and links them from the summary', async () => {
    const [outcome] = (await handle({ cluster: 'prod-eu' })).audited;

    const keys = s3Mock.commandCalls(PutObjectCommand).map((call) => call.args[0].input.Key);
    expect(keys).toEqual([
      'audits/prod-eu/20260302T060000.000Z/report.json',
      'audits/prod-eu/20260302T060000.000Z/report.md',
      'audits/prod-eu/20260302T060000.000Z/report.csv',
      // The configuration behind the report, redacted, for evidence packs (docs/evidence-packs.md).
      'audits/prod-eu/20260302T060000.000Z/snapshot.json',
      'audits/prod-eu/20260302T060000.000Z/manifest.json',
    ]);
    expect(await history.latest('prod-eu', 5)).toEqual([
      expect.objectContaining({
        takenAt: outcome?.takenAt,
        score: outcome?.score,
        summary: outcome?.summary,
        reportId: 'audits/prod-eu/20260302T060000.000Z',
      }),
    ]);
    const post = posts()[0] as Record<string, unknown>;
    expect(textOf(post)).toContain(
      `<https://eu-west-1.console.aws.amazon.com/s3/object/${BUCKET}?region=eu-west-1&bucketType=general&prefix=audits%2Fprod-eu%2F20260302T060000.000Z%2Freport.json|JSON>`,
    );
    const button = (post.blocks as { block_id?: string; elements?: { value?: string }[] }[]).find(
      (block) => block.block_id === 'audit_actions',
    )?.elements?.[0];
    expect(parseAuditDetailsPage(button?.value ?? '')).toEqual({
      ref: 'prod-eu/2026-03-02T06:00:00.000Z',
      page: 1,
    });
    // The cluster's pods fail Pod Security checks the policy generator expresses: the bot offers policies.
    const policies = (post.blocks as { block_id?: string; elements?: Record<string, unknown>[] }[]).find(
      (block) => block.block_id === 'audit_actions',
    )?.elements?.[1];
    expect(policies).toMatchObject({
      action_id: 'audit_generate_policies',
      value: '{"r":"prod-eu/2026-03-02T06:00:00.000Z"}',
    });
  });

  it('runs KP-086 with the registry allow-list of detection.allowedRegistries', async () => {
    const withRegistries = handlerFor(
      parseConfig({
        clusters: [{ name: 'prod-eu', region: 'eu-west-1' }],
        slack: { defaultChannel: 'C0DEFAULT' },
        detection: { allowedRegistries: ['docker.io/library'] },
        posture: { criticalImageFindingMaxAgeDays: 30 },
      }),
    );

    await withRegistries({ cluster: 'prod-eu' });

    const put = s3Mock
      .commandCalls(PutObjectCommand)
      .find((call) => String(call.args[0].input.Key).endsWith('/report.json'));
    const report = JSON.parse(String(put?.args[0].input.Body)) as {
      results: { checkId: string; status: string; message: string }[];
    };
    const kp086 = report.results.filter((r) => r.checkId === 'KP-086');
    expect(kp086.length).toBeGreaterThan(0);
    expect(kp086.filter((r) => r.status === 'skip')).toEqual([]);
    expect(kp086.find((r) => r.status === 'fail')?.message).toContain('not from docker.io/library');
  });

  it('shows the change since the previous audit of the same cluster', async () => {
    await handle({ cluster: 'prod-eu' });
    api.forbid({ verb: 'list', resource: 'clusterrolebindings' });

    const [second] = (await handle({ cluster: 'prod-eu' })).audited;

    expect(second?.previousScore).toBeDefined();
    const change = (second?.score ?? 0) - (second?.previousScore ?? 0);
    const expected =
      change === 0 ? 'no change since the last audit' : `${change > 0 ? '▲' : '▼'} ${Math.abs(change)}`;
    expect(textOf(posts()[1] as Record<string, unknown>)).toContain(expected);
    expect(second?.unavailable.rolebindings).toBe('no permission to list clusterrolebindings');
    expect((await history.latest('prod-eu', 5)).map((entry) => entry.takenAt)).toEqual([
      second?.takenAt,
      '2026-03-02T06:00:00.000Z',
    ]);
  });

  it('logs a cluster that fails, audits the others, then fails the invocation naming it', async () => {
    eksMock
      .on(DescribeClusterCommand, { name: 'prod-eu' })
      .rejects(awsError('AccessDeniedException', 'not authorized to perform: eks:DescribeCluster', 403));

    await expect(handle({})).rejects.toThrow(/posture audit failed for prod-eu \(1 of 2 clusters audited\)/);

    expect(posts().map((post) => post.channel)).toEqual(['C0DEFAULT']);
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 'error',
        message: 'posture audit failed',
        attributes: expect.objectContaining({
          cluster: 'prod-eu',
          code: 'FORBIDDEN',
          error: expect.stringContaining('collecting the snapshot failed: cannot reach cluster prod-eu'),
        }),
      }),
    );
  });

  it('stores the report before posting: a Slack failure leaves the exports and history in place', async () => {
    slack.failNext({ status: 200, error: 'channel_not_found' });

    await expect(handle({ cluster: 'prod-eu' })).rejects.toThrow(/prod-eu/);

    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(5);
    expect(await history.latest('prod-eu', 1)).toHaveLength(1);
    expect(logs.find((line) => line.level === 'error')?.attributes.details).toMatchObject({
      step: 'posting the summary to Slack',
    });
  });

  it('rejects a cluster that is not configured, naming the configured ones, and audits nothing', async () => {
    await expect(handle({ cluster: 'prod-us' })).rejects.toThrow(
      'unknown cluster "prod-us"; configured clusters: prod-eu, staging',
    );

    expect(posts()).toEqual([]);
    expect(eksMock.commandCalls(DescribeClusterCommand)).toEqual([]);
  });

  it.each([['"prod-eu"'], [{ cluster: 42 }]])(
    'rejects a malformed event %j with the value received',
    async (event) => {
      await expect(handle(event)).rejects.toMatchObject({ code: 'INVALID_EVENT' });

      expect(logs).toContainEqual(
        expect.objectContaining({ level: 'error', message: 'posture audit event rejected' }),
      );
    },
  );
});

describe('posture-audit Lambda entry point', () => {
  const saved = { ...process.env };
  let db: Dynalite;
  let slack: SlackApiDouble;

  beforeAll(async () => {
    db = await startDynalite();
    await db.createTable(findingsTableDefinition('kubeguard-entry'));
    slack = await startSlackApiDouble({ token: SLACK_TOKEN });
    Object.assign(process.env, {
      KUBEGUARD_CONFIG: JSON.stringify({
        clusters: [{ name: 'prod-eu', region: 'eu-west-1' }],
        slack: { defaultChannel: 'C0DEFAULT' },
      }),
      SLACK_BOT_TOKEN: SLACK_TOKEN,
      SLACK_API_URL: slack.url,
      KUBEGUARD_TABLE_NAME: 'kubeguard-entry',
      DYNAMODB_ENDPOINT: db.endpoint,
      KUBEGUARD_EVIDENCE_BUCKET: BUCKET,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    });
  });
  afterAll(async () => {
    process.env = saved;
    await slack.stop();
    await db.stop();
  });

  it('builds its clients from the environment and reports a cluster it cannot describe', async () => {
    mockAws();
    eksMock
      .on(DescribeClusterCommand)
      .rejects(awsError('AccessDeniedException', 'not authorized to perform: eks:DescribeCluster', 403));
    const { handler } = await import('#lambdas/posture-audit/handler.ts');

    await expect(handler({})).rejects.toThrow(/posture audit failed for prod-eu/);

    expect(eksMock.commandCalls(DescribeClusterCommand).map((call) => call.args[0].input)).toEqual([
      { name: 'prod-eu' },
    ]);
    expect(slack.successful('chat.postMessage')).toEqual([]);
  });
});
