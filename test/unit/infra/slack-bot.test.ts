import { beforeAll, describe, expect, it } from 'vitest';
import type { SecretsManagerClient } from '#adapters/aws/secrets-manager-lite.ts';
import { fetchSigningSecret } from '#adapters/aws/slack-signing-secret.ts';
import { ACTION_MAX_ATTEMPTS } from '#core/chatops/worker.ts';
import { ConfigError } from '#core/errors.ts';
import {
  ACTION_MAX_RECEIVE_COUNT,
  ACTION_QUEUE_VISIBILITY_TIMEOUT,
  ACTION_WORKER_TIMEOUT,
} from '#infra/constructs/action-queue.ts';
import { SLACK_BOT_OUTPUTS } from '#infra/constructs/slack-bot.ts';
import { SLACK_ENDPOINT_THROTTLE } from '#infra/constructs/slack-endpoint.ts';
import { type CfnResource, resourcesOf, type SynthesizedKubeguard, synthesizeKubeguard } from './synth.ts';

/**
 * The Slack bot as deployed (issue 11, "Deployable"): the endpoint Slack calls, the ingress function
 * behind it, the action queue and its dead-letter queue, and the worker that runs as the remediation
 * role — asserted on the synthesized templates of the real app.
 */

let synth: SynthesizedKubeguard;
beforeAll(() => {
  synth = synthesizeKubeguard();
});

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

/** The statements of an `AWS::IAM::Policy`. */
function statementsOf(policy: CfnResource): Statement[] {
  return (policy.Properties?.PolicyDocument as { Statement?: Statement[] } | undefined)?.Statement ?? [];
}

const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

function only<T>(items: T[], what: string): T {
  expect(items, what).toHaveLength(1);
  return items[0] as T;
}

function stateless(type: string): [string, CfnResource][] {
  return Object.entries(resourcesOf(synth.statelessTemplate, type));
}

function stateful(type: string): [string, CfnResource][] {
  return Object.entries(resourcesOf(synth.statefulTemplate, type));
}

/** The logical id of the function whose Powertools service is `kubeguard-<name>`. */
function functionId(name: string): string {
  return only(
    stateless('AWS::Lambda::Function').filter(([, fn]) =>
      JSON.stringify(fn.Properties?.Environment).includes(`"kubeguard-${name}"`),
    ),
    `function ${name}`,
  )[0];
}

function functionOf(name: string): CfnResource {
  return resourcesOf(synth.statelessTemplate, 'AWS::Lambda::Function')[functionId(name)] as CfnResource;
}

function environmentOf(name: string): Record<string, unknown> {
  return (
    (functionOf(name).Properties?.Environment as { Variables: Record<string, unknown> } | undefined)
      ?.Variables ?? {}
  );
}

/** The role a function runs as, by logical id. */
function roleIdOf(name: string): string {
  const role = functionOf(name).Properties?.Role as { 'Fn::GetAtt': [string, string] };
  return role['Fn::GetAtt'][0];
}

/** Every statement of every policy attached to a role. */
function statementsOfRole(roleId: string): Statement[] {
  return stateless('AWS::IAM::Policy')
    .filter(([, policy]) => JSON.stringify(policy.Properties?.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap(([, policy]) => statementsOf(policy));
}

const STATEFUL_TYPES = {
  Findings: 'AWS::DynamoDB::Table',
  SlackCredentials: 'AWS::SecretsManager::Secret',
  SlackSigningSecret: 'AWS::SecretsManager::Secret',
  ActionsQueue: 'AWS::SQS::Queue',
} as const;

/** What a stateless value imports from the stateful stack: `{ "Fn::ImportValue": <its export> }`. */
function importOf(resource: keyof typeof STATEFUL_TYPES, attribute: 'Ref' | 'Arn'): unknown {
  const [id] = only(
    stateful(STATEFUL_TYPES[resource]).filter(([key]) => key.startsWith(resource)),
    `stateful ${resource}`,
  );
  const exported = attribute === 'Ref' ? `ExportsOutputRef${id}` : `ExportsOutputFnGetAtt${id}Arn`;
  return {
    'Fn::ImportValue': expect.stringMatching(new RegExp(`^Kubeguard-Stateful:${exported}[0-9A-F]{8}$`)),
  };
}

describe('the endpoint Slack calls', () => {
  it('is an HTTP API whose one route, POST /slack/events, proxies to the ingress function', () => {
    const ingress = functionId('slack-ingress');
    const [integrationId, integration] = only(stateless('AWS::ApiGatewayV2::Integration'), 'integration');
    const route = only(stateless('AWS::ApiGatewayV2::Route'), 'route')[1];

    expect(only(stateless('AWS::ApiGatewayV2::Api'), 'api')[1].Properties).toMatchObject({
      ProtocolType: 'HTTP',
    });
    expect(route.Properties).toMatchObject({
      RouteKey: 'POST /slack/events',
      Target: { 'Fn::Join': ['', ['integrations/', { Ref: integrationId }]] },
    });
    expect(integration.Properties).toMatchObject({
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: { 'Fn::GetAtt': [ingress, 'Arn'] },
      PayloadFormatVersion: '2.0',
      TimeoutInMillis: 10_000,
    });
  });

  it('lets API Gateway invoke the ingress function only for that route of that API', () => {
    const ingress = functionId('slack-ingress');
    const apiId = only(stateless('AWS::ApiGatewayV2::Api'), 'api')[0];
    const permissions = stateless('AWS::Lambda::Permission').filter(
      ([, p]) =>
        JSON.stringify(p.Properties?.FunctionName) === JSON.stringify({ 'Fn::GetAtt': [ingress, 'Arn'] }),
    );

    const permission = only(permissions, 'ingress invoke permission')[1];
    expect(permission.Properties).toMatchObject({
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
    });
    const source = JSON.stringify(permission.Properties?.SourceArn);
    expect(source).toContain(`{"Ref":"${apiId}"}`);
    expect(source).toMatch(/"\/\*\/\*\/slack\/events"\]/);
  });

  it('asks no IAM authorization of Slack, and says to cdk-nag why: Slack signs each request', () => {
    const route = only(stateless('AWS::ApiGatewayV2::Route'), 'route')[1];
    const acknowledgment = synth.stateless.slackBot.endpoint.route.node.metadata.find((entry) =>
      JSON.stringify(entry.data).includes('AwsSolutions-APIG4'),
    );

    expect(route.Properties?.AuthorizationType).toBe('NONE');
    expect(JSON.stringify(acknowledgment?.data)).toMatch(/signs each request with the app’s signing secret/);
  });

  it('throttles the default stage and writes a JSON access log line per request, kept 90 days', () => {
    const stage = only(stateless('AWS::ApiGatewayV2::Stage'), 'stage')[1];
    const accessLogs = stage.Properties?.AccessLogSettings as
      | { DestinationArn: { 'Fn::GetAtt': string[] } }
      | undefined;
    const logGroupId = String(accessLogs?.DestinationArn['Fn::GetAtt'][0]);

    expect(stage.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingRateLimit: SLACK_ENDPOINT_THROTTLE.rateLimit,
        ThrottlingBurstLimit: SLACK_ENDPOINT_THROTTLE.burstLimit,
      },
    });
    const format = JSON.parse(
      String((stage.Properties?.AccessLogSettings as { Format?: string } | undefined)?.Format),
    ) as Record<string, string>;
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      sourceIp: '$context.identity.sourceIp',
      routeKey: '$context.routeKey',
      status: '$context.status',
      integrationError: '$context.integrationErrorMessage',
    });
    synth.statelessTemplate.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 90 },
      DeletionPolicy: 'Retain',
    });
    expect(resourcesOf(synth.statelessTemplate, 'AWS::Logs::LogGroup')[logGroupId]).toBeDefined();
  });
});

describe('the Slack ingress function', () => {
  it('has 1 GB for a cold start inside Slack’s 3 s, 10 s to finish, and no asynchronous retries', () => {
    expect(functionOf('slack-ingress').Properties).toMatchObject({
      MemorySize: 1024,
      Timeout: 10,
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
    });
    const config = only(
      stateless('AWS::Lambda::EventInvokeConfig').filter(([, c]) =>
        JSON.stringify(c.Properties?.FunctionName).includes(functionId('slack-ingress')),
      ),
      'ingress invoke config',
    )[1];
    expect(config.Properties).toMatchObject({ MaximumRetryAttempts: 0 });
  });

  it('knows the table, both Slack secrets and the action queue', () => {
    expect(environmentOf('slack-ingress')).toMatchObject({
      KUBEGUARD_TABLE_NAME: importOf('Findings', 'Ref'),
      SLACK_SECRET_ARN: importOf('SlackCredentials', 'Ref'),
      SLACK_SIGNING_SECRET_ARN: importOf('SlackSigningSecret', 'Ref'),
      KUBEGUARD_ACTION_QUEUE_URL: importOf('ActionsQueue', 'Ref'),
    });
  });
});

describe('the Slack ingress role', () => {
  it('may touch only the table items of its claims and of the audit trail', () => {
    const tableStatements = statementsOfRole(roleIdOf('slack-ingress')).filter((s) =>
      actionsOf(s).some((a) => a.startsWith('dynamodb:')),
    );

    expect(tableStatements).toEqual([
      {
        Sid: 'ClaimAndRecordSlackRequests',
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
        Resource: importOf('Findings', 'Arn'),
        Condition: {
          'ForAllValues:StringLike': {
            'dynamodb:LeadingKeys': ['CLAIM#*', 'AUDITREC#*', 'AUDIT#*', 'AUDITF#*'],
          },
        },
      },
    ]);
  });
});

describe('the Slack secrets', () => {
  it('keeps the signing secret in a retained secret of its own, apart from the bot token', () => {
    const secrets = stateful('AWS::SecretsManager::Secret');

    expect(secrets.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual([
      'SlackCredentials',
      'SlackSigningSecret',
    ]);
    for (const [, secret] of secrets) expect(secret).toMatchObject({ DeletionPolicy: 'Retain' });
    const signing = secrets.find(([id]) => id.startsWith('SlackSigningSecret'))?.[1];
    expect(signing?.Properties?.Description).toMatch(/read only by the Slack ingress function/);
  });

  it('holds a placeholder until the real value is written, which the ingress refuses and tries again', async () => {
    const signing = stateful('AWS::SecretsManager::Secret').find(([id]) =>
      id.startsWith('SlackSigningSecret'),
    )?.[1];
    const generate = signing?.Properties?.GenerateSecretString as
      | { SecretStringTemplate: string; GenerateStringKey: string }
      | undefined;
    // What Secrets Manager stores: the template with a random string under the key.
    const placeholder = JSON.stringify({
      ...(JSON.parse(String(generate?.SecretStringTemplate)) as object),
      [String(generate?.GenerateStringKey)]: 'Zq4!x9Lr#2mV7pT1',
    });
    const client = { send: async () => ({ SecretString: placeholder }) } as unknown as SecretsManagerClient;
    const arn = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:SlackSigningSecret-AbCdEf';

    await expect(fetchSigningSecret(client, arn)).rejects.toThrow(ConfigError);
    await expect(fetchSigningSecret(client, arn)).rejects.toThrow(/store the signing secret itself/);
  });

  it('lets the ingress role alone read the signing secret, and tells no other function where it is', () => {
    const readers = stateless('AWS::IAM::Policy').filter(([, policy]) =>
      statementsOf(policy).some(
        (s) =>
          actionsOf(s).includes('secretsmanager:GetSecretValue') &&
          JSON.stringify(s.Resource).includes('SlackSigningSecret'),
      ),
    );

    expect(only(readers, 'signing secret readers')[1].Properties?.Roles).toEqual([
      { Ref: roleIdOf('slack-ingress') },
    ]);
    const knowing = stateless('AWS::Lambda::Function').filter(([, fn]) =>
      JSON.stringify(fn.Properties?.Environment).includes('SlackSigningSecret'),
    );
    expect(knowing.map(([id]) => id)).toEqual([functionId('slack-ingress')]);
  });

  it('lets the ingress and the worker read the bot token', () => {
    for (const name of ['slack-ingress', 'action-worker']) {
      const reads = statementsOfRole(roleIdOf(name)).filter((s) =>
        actionsOf(s).includes('secretsmanager:GetSecretValue'),
      );
      expect(reads.map((s) => JSON.stringify(s.Resource)).join()).toContain('SlackCredentials');
    }
  });
});

describe('the action queue', () => {
  function queue(prefix: string): CfnResource {
    return only(
      stateful('AWS::SQS::Queue').filter(([id]) => id.startsWith(prefix)),
      prefix,
    )[1];
  }

  it('redrives a request to its dead-letter queue after the third receive', () => {
    const deadLetterId = only(
      stateful('AWS::SQS::Queue').filter(([id]) => id.startsWith('ActionsDeadLetters')),
      'action dead-letter queue',
    )[0];

    expect(queue('ActionsQueue').Properties).toMatchObject({
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [deadLetterId, 'Arn'] },
        maxReceiveCount: ACTION_MAX_RECEIVE_COUNT,
      },
    });
    // The worker answers a transient failure on its last attempt instead of asking for another.
    expect(ACTION_MAX_RECEIVE_COUNT).toBe(ACTION_MAX_ATTEMPTS);
  });

  it('hides a received request for longer than the worker may run, so no second worker takes it', () => {
    const visibility = queue('ActionsQueue').Properties?.VisibilityTimeout as number;

    expect(visibility).toBe(ACTION_QUEUE_VISIBILITY_TIMEOUT.toSeconds());
    expect(visibility).toBeGreaterThan(functionOf('action-worker').Properties?.Timeout as number);
  });

  it('encrypts both queues, keeps dead letters 14 days, and retains both', () => {
    expect(queue('ActionsQueue')).toMatchObject({
      Properties: { SqsManagedSseEnabled: true, MessageRetentionPeriod: 4 * 24 * 3600 },
      DeletionPolicy: 'Retain',
    });
    expect(queue('ActionsDeadLetters')).toMatchObject({
      Properties: { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 },
      DeletionPolicy: 'Retain',
    });
  });

  it('refuses requests without TLS on both queues', () => {
    for (const prefix of ['ActionsQueue', 'ActionsDeadLetters']) {
      const queueId = only(
        stateful('AWS::SQS::Queue').filter(([id]) => id.startsWith(prefix)),
        prefix,
      )[0];
      const policy = only(
        stateful('AWS::SQS::QueuePolicy').filter(
          ([, p]) => JSON.stringify(p.Properties?.Queues) === JSON.stringify([{ Ref: queueId }]),
        ),
        `${prefix} policy`,
      )[1];
      expect(JSON.stringify(policy.Properties?.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    }
  });

  it('lets the ingress send to it and the worker consume it, and no one else either', () => {
    const users = stateless('AWS::IAM::Policy').flatMap(([, policy]) =>
      statementsOf(policy)
        .filter((s) => JSON.stringify(s.Resource).includes('ActionsQueue'))
        .map((s) => ({ roles: policy.Properties?.Roles, actions: actionsOf(s).sort() })),
    );

    expect(users).toEqual(
      expect.arrayContaining([
        {
          roles: [{ Ref: roleIdOf('slack-ingress') }],
          actions: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
        },
        {
          roles: [{ Ref: roleIdOf('action-worker') }],
          actions: [
            'sqs:ChangeMessageVisibility',
            'sqs:DeleteMessage',
            'sqs:GetQueueAttributes',
            'sqs:GetQueueUrl',
            'sqs:ReceiveMessage',
          ],
        },
      ]),
    );
    expect(users).toHaveLength(2);
  });
});

describe('the action worker', () => {
  it('is fed by the action queue one request at a time, reporting failed requests one by one', () => {
    const mapping = only(stateless('AWS::Lambda::EventSourceMapping'), 'event source mapping')[1];

    expect(mapping.Properties).toEqual({
      EventSourceArn: importOf('ActionsQueue', 'Arn'),
      FunctionName: { Ref: functionId('action-worker') },
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 5 },
    });
  });

  it('may run for 15 minutes (a rotation waits for rollouts) with 1 GB, and 2 GB of /tmp to stage evidence packs', () => {
    expect(functionOf('action-worker').Properties).toMatchObject({
      Timeout: ACTION_WORKER_TIMEOUT.toSeconds(),
      MemorySize: 1024,
      EphemeralStorage: { Size: 2048 },
    });
    // Only the worker stages files: the other functions keep Lambda's default 512 MB.
    expect(functionOf('slack-ingress').Properties).not.toHaveProperty('EphemeralStorage');
    expect(ACTION_WORKER_TIMEOUT.toSeconds()).toBe(900);
  });

  it('runs as the remediation role the clusters’ access entries name; the ingress role is not it', () => {
    const workerRole = roleIdOf('action-worker');
    const entries = stateless('AWS::EKS::AccessEntry');

    expect(workerRole).toMatch(/^RemediationWorkerRole/);
    expect(entries).toHaveLength(2);
    for (const [, entry] of entries) {
      expect(entry.Properties?.PrincipalArn).toEqual({ 'Fn::GetAtt': [workerRole, 'Arn'] });
    }
    const remediationSids = statementsOfRole(workerRole).map((s) => s.Sid);
    expect(remediationSids).toEqual(
      expect.arrayContaining([
        'ConnectToConfiguredClusters',
        'RotateSecretsTaggedRotate',
        'StoreForensicBundles',
      ]),
    );
  });

  it('is the only function that may act on clusters or change a secret', () => {
    const clusterOrSecretWrites = stateless('AWS::IAM::Policy').filter(([, policy]) =>
      statementsOf(policy).some((s) =>
        actionsOf(s).some((a) =>
          ['eks:DescribeCluster', 'secretsmanager:RotateSecret', 'secretsmanager:PutSecretValue'].includes(a),
        ),
      ),
    );
    const ingressActions = statementsOfRole(roleIdOf('slack-ingress')).flatMap(actionsOf);

    // The posture audit describes clusters too (it reads); only the worker's policy rotates or writes.
    expect(
      clusterOrSecretWrites
        .filter(([, p]) => JSON.stringify(p).includes('secretsmanager:RotateSecret'))
        .map(([, p]) => p.Properties?.Roles),
    ).toEqual([[{ Ref: roleIdOf('action-worker') }]]);
    expect(ingressActions.filter((a) => /^(eks|s3|lambda|ec2):/.test(a))).toEqual([]);
    expect(ingressActions).not.toContain('secretsmanager:RotateSecret');
    expect(ingressActions).not.toContain('secretsmanager:PutSecretValue');
    expect(ingressActions).not.toContain('sqs:ReceiveMessage');
  });

  it('knows the table, the bot token, the evidence bucket and delivery, never the signing secret', () => {
    const env = environmentOf('action-worker');

    expect(env).toMatchObject({
      KUBEGUARD_TABLE_NAME: importOf('Findings', 'Ref'),
      SLACK_SECRET_ARN: importOf('SlackCredentials', 'Ref'),
      DELIVERY_FUNCTION_NAME: { Ref: functionId('delivery') },
      KUBEGUARD_EVIDENCE_BUCKET: {
        'Fn::Join': ['', ['kubeguard-evidence-', { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }]],
      },
    });
    expect(env).not.toHaveProperty('SLACK_SIGNING_SECRET_ARN');
    expect(functionOf('action-worker').Properties?.VpcConfig).toBeUndefined();
  });
});

describe('the action worker role', () => {
  it('lists, changes and records findings in the table, and lists pending deliveries by the index', () => {
    const tableStatements = statementsOfRole(roleIdOf('action-worker')).filter((s) =>
      actionsOf(s).some((a) => a.startsWith('dynamodb:')),
    );

    expect(tableStatements).toEqual([
      {
        Sid: 'UseFindingsAndAuditTrail',
        Effect: 'Allow',
        Action: [
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:Query',
          'dynamodb:Scan',
        ],
        Resource: importOf('Findings', 'Arn'),
      },
      {
        Sid: 'CancelDigestSubscriptions',
        Effect: 'Allow',
        Action: 'dynamodb:DeleteItem',
        Resource: importOf('Findings', 'Arn'),
        Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['DIGEST#SUBSCRIPTIONS'] } },
      },
      {
        Sid: 'ListPendingDeliveries',
        Effect: 'Allow',
        Action: 'dynamodb:Query',
        Resource: { 'Fn::Join': ['', [importOf('Findings', 'Arn'), '/index/gsi1']] },
      },
    ]);
  });

  it('may invoke the delivery function alone, to nudge it', () => {
    const invokes = statementsOfRole(roleIdOf('action-worker')).filter((s) =>
      actionsOf(s).includes('lambda:InvokeFunction'),
    );

    expect(invokes).toEqual([
      {
        Sid: 'NudgeAlertDelivery',
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: { 'Fn::GetAtt': [functionId('delivery'), 'Arn'] },
      },
    ]);
  });
});

describe('alarms', () => {
  function alarmsOf(template: 'stateful' | 'stateless'): CfnResource[] {
    const found =
      template === 'stateful' ? stateful('AWS::CloudWatch::Alarm') : stateless('AWS::CloudWatch::Alarm');
    return found.map(([, alarm]) => alarm);
  }

  it('fire on any ingress or worker error', () => {
    for (const name of ['slack-ingress', 'action-worker']) {
      const alarm = alarmsOf('stateless').find(
        (a) =>
          JSON.stringify(a.Properties?.Dimensions) ===
          JSON.stringify([{ Name: 'FunctionName', Value: { Ref: functionId(name) } }]),
      );
      expect(alarm?.Properties).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
  });

  it('fire on any 5xx answer of the endpoint', () => {
    const apiId = only(stateless('AWS::ApiGatewayV2::Api'), 'api')[0];

    expect(alarmsOf('stateless').find((a) => a.Properties?.MetricName === '5xx')?.Properties).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      Dimensions: [{ Name: 'ApiId', Value: { Ref: apiId } }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('fire as soon as one request waits in the action dead-letter queue', () => {
    const deadLetterId = only(
      stateful('AWS::SQS::Queue').filter(([id]) => id.startsWith('ActionsDeadLetters')),
      'action dead-letter queue',
    )[0];

    expect(
      alarmsOf('stateful').find(
        (a) =>
          JSON.stringify(a.Properties?.Dimensions) ===
          JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [deadLetterId, 'QueueName'] } }]),
      )?.Properties,
    ).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('fire when the oldest request has waited over 20 minutes', () => {
    expect(
      alarmsOf('stateful').find((a) => a.Properties?.MetricName === 'ApproximateAgeOfOldestMessage')
        ?.Properties,
    ).toMatchObject({
      Namespace: 'AWS/SQS',
      Statistic: 'Maximum',
      Threshold: 20 * 60,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });
});

describe('stack outputs', () => {
  it('name the Slack Request URL and the two functions with stable names', () => {
    const outputs = synth.statelessTemplate.toJSON().Outputs as Record<string, { Value: unknown }>;
    const apiId = only(stateless('AWS::ApiGatewayV2::Api'), 'api')[0];

    expect(outputs[SLACK_BOT_OUTPUTS.requestUrl]?.Value).toEqual({
      'Fn::Join': ['', [{ 'Fn::GetAtt': [apiId, 'ApiEndpoint'] }, '/slack/events']],
    });
    expect(outputs[SLACK_BOT_OUTPUTS.ingressFunctionName]?.Value).toEqual({
      Ref: functionId('slack-ingress'),
    });
    const stage = only(stateless('AWS::ApiGatewayV2::Stage'), 'stage')[1];
    const accessLogs = stage.Properties?.AccessLogSettings as
      | { DestinationArn: { 'Fn::GetAtt': string[] } }
      | undefined;
    expect(outputs[SLACK_BOT_OUTPUTS.accessLogGroupName]?.Value).toEqual({
      Ref: accessLogs?.DestinationArn['Fn::GetAtt'][0],
    });
    expect(outputs[SLACK_BOT_OUTPUTS.workerFunctionName]?.Value).toEqual({
      Ref: functionId('action-worker'),
    });
    expect(SLACK_BOT_OUTPUTS).toEqual({
      requestUrl: 'SlackRequestUrl',
      accessLogGroupName: 'SlackAccessLogGroupName',
      ingressFunctionName: 'SlackIngressFunctionName',
      workerFunctionName: 'ActionWorkerFunctionName',
    });
  });

  it('name the remediation (worker) role as docs/deploy.md does', () => {
    const outputs = synth.statelessTemplate.toJSON().Outputs as Record<string, { Value: unknown }>;

    expect(outputs.RemediationRoleArn?.Value).toEqual({ 'Fn::GetAtt': [roleIdOf('action-worker'), 'Arn'] });
  });

  it('name the signing secret and the action dead-letter queue in the stateful stack', () => {
    const outputs = synth.statefulTemplate.toJSON().Outputs as Record<string, { Value: unknown }>;

    expect(JSON.stringify(outputs.SlackSigningSecretArn?.Value)).toContain('SlackSigningSecret');
    expect(JSON.stringify(outputs.ActionDeadLetterQueueUrl?.Value)).toContain('ActionsDeadLetters');
  });
});
