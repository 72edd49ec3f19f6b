import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '#core/errors.ts';
import { CREATE_REQUIRE_BANNER, esbuildBuildOptions } from '#infra/constructs/lambda-bundle.ts';
import {
  FUNCTION_ENTRIES,
  GUARDDUTY_EKS_EVENT_PATTERN,
  INSPECTOR_ECR_EVENT_PATTERN,
} from '#infra/stacks/stateless-stack.ts';
import { FIXTURES_DIR, fixtureWith, loadFixture } from '#test/support/fixtures.ts';
import { inspectorEvent } from '#test/support/inspector-double.ts';
import {
  type CfnResource,
  resourcesOf,
  type SynthesizedKubeguard,
  synthesizeKubeguard,
  TWO_CLUSTERS,
} from './synth.ts';

let synth: SynthesizedKubeguard;
beforeAll(() => {
  synth = synthesizeKubeguard();
});

const GUARDDUTY_FIXTURES = readdirSync(FIXTURES_DIR).filter((f) => /^guardduty-.*\.json$/.test(f));

interface GuardDutyEvent {
  source: string;
  'detail-type': string;
  detail: { resource: { resourceType: string } };
}

/** EventBridge's matching for the pattern's shape: every listed field must equal one of its values. */
function ruleMatches(event: GuardDutyEvent): boolean {
  const pattern = GUARDDUTY_EKS_EVENT_PATTERN;
  return (
    pattern.source.includes(event.source) &&
    pattern.detailType.includes(event['detail-type']) &&
    pattern.detail.resource.resourceType.includes(event.detail.resource.resourceType)
  );
}

function environmentOf(fn: CfnResource): Record<string, unknown> {
  const environment = fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined;
  return environment?.Variables ?? {};
}

function functionsByService(): Map<string, CfnResource> {
  const functions = Object.values(resourcesOf(synth.statelessTemplate, 'AWS::Lambda::Function'));
  return new Map(
    functions.map((fn) => {
      const env = environmentOf(fn);
      return [String(env.POWERTOOLS_SERVICE_NAME), fn];
    }),
  );
}

function logicalIdOf(type: string, service: string): string {
  const entry = Object.entries(resourcesOf(synth.statelessTemplate, type)).find(([, fn]) =>
    JSON.stringify(fn.Properties?.Environment ?? {}).includes(`"${service}"`),
  );
  if (entry === undefined) throw new Error(`no ${type} for ${service}`);
  return entry[0];
}

describe('GuardDuty EKS findings rule', () => {
  it('matches GuardDuty findings about EKS clusters', () => {
    synth.statelessTemplate.hasResourceProperties('AWS::Events::Rule', {
      Name: 'Kubeguard-guardduty-eks-findings',
      EventPattern: {
        source: ['aws.guardduty'],
        'detail-type': ['GuardDuty Finding'],
        detail: { resource: { resourceType: ['EKSCluster'] } },
      },
    });
  });

  it.each(GUARDDUTY_FIXTURES)('routes the fixture %s (audit-log and runtime findings alike)', (name) => {
    expect(ruleMatches(loadFixture<GuardDutyEvent>(name))).toBe(true);
  });

  it('leaves out the same runtime finding on an ECS cluster', () => {
    const ecs = fixtureWith<GuardDutyEvent>('guardduty-eks-runtime-new-binary-executed.json', {
      detail: { resource: { resourceType: 'ECSCluster' } },
    });

    expect(ruleMatches(ecs)).toBe(false);
  });

  it('delivers to the guardduty-findings function with retries and a dead-letter queue', () => {
    const fnId = logicalIdOf('AWS::Lambda::Function', 'kubeguard-guardduty-findings');

    synth.statelessTemplate.hasResourceProperties('AWS::Events::Rule', {
      Targets: [
        {
          Arn: { 'Fn::GetAtt': [fnId, 'Arn'] },
          Id: Match.anyValue(),
          RetryPolicy: { MaximumRetryAttempts: 24, MaximumEventAgeInSeconds: 24 * 3600 },
          DeadLetterConfig: { Arn: { 'Fn::ImportValue': Match.stringLikeRegexp('DeadLetters') } },
        },
      ],
    });
    synth.statelessTemplate.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] },
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('GuardDutyEksFindings'), 'Arn'] },
    });
  });
});

describe('audit-log subscriptions', () => {
  it('subscribes the audit-logs function to every configured cluster’s log group, passing all events', () => {
    const fnId = logicalIdOf('AWS::Lambda::Function', 'kubeguard-audit-logs');
    const filters = Object.values(resourcesOf(synth.statelessTemplate, 'AWS::Logs::SubscriptionFilter'));

    expect(filters.map((f) => f.Properties?.LogGroupName).sort()).toEqual([
      '/aws/eks/prod-cluster/cluster',
      '/custom/staging/audit',
    ]);
    for (const filter of filters) {
      expect(filter.Properties).toMatchObject({
        FilterPattern: '',
        DestinationArn: { 'Fn::GetAtt': [fnId, 'Arn'] },
      });
    }
  });

  it('lets CloudWatch Logs invoke the function from exactly those log groups', () => {
    const permissions = Object.values(resourcesOf(synth.statelessTemplate, 'AWS::Lambda::Permission')).filter(
      (p) => p.Properties?.Principal === 'logs.amazonaws.com',
    );

    const sources = permissions.map((p) => JSON.stringify(p.Properties?.SourceArn));
    expect(sources).toHaveLength(2);
    expect(sources.some((s) => s.includes(':log-group:/aws/eks/prod-cluster/cluster:*'))).toBe(true);
    expect(sources.some((s) => s.includes(':log-group:/custom/staging/audit:*'))).toBe(true);
  });
});

describe('kubeguard functions', () => {
  it.each([
    'kubeguard-guardduty-findings',
    'kubeguard-audit-logs',
    'kubeguard-delivery',
    'kubeguard-posture-audit',
    'kubeguard-image-findings',
  ])('%s runs the ESM handler on nodejs24.x, arm64, traced, with JSON logs', (service) => {
    const fn = functionsByService().get(service);

    expect(fn?.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: expect.any(String) } },
    });
  });

  it('gives every function the validated configuration and where the table is', () => {
    for (const [service, fn] of functionsByService()) {
      const env = environmentOf(fn);

      expect(env.KUBEGUARD_CONFIG).toBe(synth.loaded.json);
      expect(JSON.parse(String(env.KUBEGUARD_CONFIG))).toEqual(TWO_CLUSTERS);
      expect(env.POWERTOOLS_SERVICE_NAME).toBe(service);
      expect(env.KUBEGUARD_TABLE_NAME).toEqual({ 'Fn::ImportValue': expect.stringMatching(/Findings/) });
      expect(env.NODE_OPTIONS).toBe('--enable-source-maps');
      expect(env).not.toHaveProperty('SLACK_BOT_TOKEN');
    }
  });

  it('tells only the functions that post to Slack where the Slack secret is; ingest gets the delivery function instead', () => {
    const deliveryId = logicalIdOf('AWS::Lambda::Function', 'kubeguard-delivery');
    for (const [service, fn] of functionsByService()) {
      const env = environmentOf(fn);
      const ingest = [
        'kubeguard-audit-logs',
        'kubeguard-guardduty-findings',
        'kubeguard-image-findings',
      ].includes(service);
      // The action worker answers in Slack and nudges delivery after a status change.
      const nudges = ingest || service === 'kubeguard-action-worker';

      if (ingest) expect(env).not.toHaveProperty('SLACK_SECRET_ARN');
      else expect(JSON.stringify(env.SLACK_SECRET_ARN)).toContain('SlackCredentials');
      if (nudges) expect(env.DELIVERY_FUNCTION_NAME).toEqual({ Ref: deliveryId });
      else expect(env).not.toHaveProperty('DELIVERY_FUNCTION_NAME');
    }
  });

  it('gives the GuardDuty function 15 s: it records, and no Slack wait runs inside it', () => {
    expect(functionsByService().get('kubeguard-guardduty-findings')?.Properties?.Timeout).toBe(15);
  });

  it('sends failed asynchronous invocations to the dead-letter queue, after two retries but for the audit', () => {
    // Delivery and the digest keep nothing (the next scheduled run is their retry); the Slack bot's
    // functions are only invoked synchronously (slack-bot.test.ts).
    const others = [
      'kubeguard-delivery',
      'kubeguard-digest',
      'kubeguard-slack-ingress',
      'kubeguard-action-worker',
    ].map((service) => logicalIdOf('AWS::Lambda::Function', service));
    const configs = Object.values(
      resourcesOf(synth.statelessTemplate, 'AWS::Lambda::EventInvokeConfig'),
    ).filter((config) => !others.some((id) => JSON.stringify(config.Properties?.FunctionName).includes(id)));
    const auditId = logicalIdOf('AWS::Lambda::Function', 'kubeguard-posture-audit');

    // GuardDuty findings, audit logs, image findings, the audit.
    expect(configs).toHaveLength(4);
    for (const config of configs) {
      const isAudit = JSON.stringify(config.Properties?.FunctionName).includes(auditId);
      expect(config.Properties).toMatchObject({
        // A retried audit would post the clusters that succeeded a second time.
        MaximumRetryAttempts: isAudit ? 0 : 2,
        DestinationConfig: {
          OnFailure: { Destination: { 'Fn::ImportValue': expect.stringMatching(/DeadLetters/) } },
        },
      });
    }
  });

  it('logs to its own log group, kept 90 days and retained', () => {
    // Eight functions, and the Slack endpoint's access logs.
    synth.statelessTemplate.resourceCountIs('AWS::Logs::LogGroup', 9);
    synth.statelessTemplate.allResources('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 90 },
      DeletionPolicy: 'Retain',
    });
  });

  it('raises an alarm on any function error', () => {
    // Throttles, delivery and audit-log silence alarms: observability.test.ts; the Slack endpoint's 5xx: slack-bot.test.ts.
    const alarms = Object.values(resourcesOf(synth.statelessTemplate, 'AWS::CloudWatch::Alarm')).filter(
      (alarm) => alarm.Properties?.Namespace === 'AWS/Lambda' && alarm.Properties?.MetricName === 'Errors',
    );

    expect(alarms).toHaveLength(functionsByService().size);
    expect(alarms).toHaveLength(8);
    for (const alarm of alarms) {
      expect(alarm.Properties).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Errors', Threshold: 1 });
    }
  });

  it('refuses a configuration too large for the Lambda environment, saying by how much', () => {
    const huge = {
      ...TWO_CLUSTERS,
      detection: { principalAllowList: Array.from({ length: 200 }, (_, i) => `user-${i}@example.com`) },
    };

    expect(() => synthesizeKubeguard(huge)).toThrow(ConfigError);
    expect(() => synthesizeKubeguard(huge)).toThrow(/bytes as minified JSON.*4096 bytes/);
  });
});

describe('function bundles', () => {
  function bundleOf(service: string): string {
    const fn = functionsByService().get(service);
    const assetPath = fn?.Metadata?.['aws:asset:path'];
    if (typeof assetPath !== 'string') throw new Error(`${service} has no asset metadata`);
    return readFileSync(join(synth.assembly.directory, assetPath, 'index.mjs'), 'utf8');
  }

  it.each([
    'kubeguard-guardduty-findings',
    'kubeguard-audit-logs',
    'kubeguard-delivery',
    'kubeguard-posture-audit',
    'kubeguard-image-findings',
  ])('%s is an uploaded asset: an ESM bundle that opens with the createRequire banner', (service) => {
    const fn = functionsByService().get(service);

    expect(fn?.Properties?.Code).toEqual({
      S3Bucket: expect.anything(),
      S3Key: expect.stringMatching(/\.zip$/),
    });
    expect(bundleOf(service).startsWith(CREATE_REQUIRE_BANNER)).toBe(true);
  });

  it('is byte for byte what esbuild builds from the shared options (what the bench measures)', async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'kubeguard-bundle-'));

    await build({ ...esbuildBuildOptions(FUNCTION_ENTRIES.auditLogs, outdir), logLevel: 'silent' });

    expect(readFileSync(join(outdir, 'index.mjs'), 'utf8')).toBe(bundleOf('kubeguard-audit-logs'));
  });
});

interface Statement {
  Effect: string;
  Condition?: unknown;
  Action: string | string[];
  Resource: unknown;
}

function statements(): Statement[] {
  return Object.values(resourcesOf(synth.statelessTemplate, 'AWS::IAM::Policy')).flatMap(
    (policy) =>
      (policy.Properties?.PolicyDocument as { Statement?: Statement[] } | undefined)?.Statement ?? [],
  );
}

const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const resourcesOfStatement = (s: Statement) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);

describe('IAM', () => {
  it('uses no wildcard actions', () => {
    const wildcards = statements()
      .flatMap(actionsOf)
      .filter((action) => action.includes('*'));

    expect(wildcards).toEqual([]);
  });

  it('allows "Resource": "*" only for the read calls that have no resource-level permissions', () => {
    const onEverything = statements()
      .filter((s) => resourcesOfStatement(s).includes('*'))
      .flatMap(actionsOf);

    expect(new Set(onEverything)).toEqual(
      new Set([
        'xray:PutTraceSegments',
        'xray:PutTelemetryRecords',
        'eks:DescribeClusterVersions',
        'guardduty:ListDetectors',
        'inspector2:ListFindings',
        'secretsmanager:GetRandomPassword',
      ]),
    );
  });

  it('lets the functions use the findings table items by its ARN and read only the Slack secret', () => {
    const writes = statements().filter((s) => actionsOf(s).includes('dynamodb:PutItem'));
    const secretReads = statements().filter((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'));

    const full = 'dynamodb:GetItem dynamodb:PutItem dynamodb:Query dynamodb:UpdateItem';
    // Ingest records (the three functions: image findings on the audit's role); delivery reads and conditionally replaces findings; the audit
    // only adds history entries and reads the latest ones; the Slack ingress claims and records
    // (its own partitions only) and the action worker lists and changes findings (slack-bot.test.ts).
    expect(writes.map((s) => actionsOf(s).sort().join(' ')).sort()).toEqual(
      [
        full,
        full,
        full,
        'dynamodb:GetItem dynamodb:PutItem',
        'dynamodb:PutItem dynamodb:Query',
        'dynamodb:DeleteItem dynamodb:GetItem dynamodb:PutItem',
        'dynamodb:GetItem dynamodb:PutItem dynamodb:Query dynamodb:Scan dynamodb:UpdateItem',
      ].sort(),
    );
    for (const s of writes) {
      expect(JSON.stringify(s.Resource)).toMatch(/ImportValue.*Findings/);
      expect(JSON.stringify(s.Resource)).not.toContain('index');
    }
    // Delivery, the posture audit, the digest, the Slack ingress and the action worker call Slack;
    // ingest never does. The signing secret is the ingress's alone (slack-bot.test.ts).
    const tokenReads = secretReads.filter((s) => !JSON.stringify(s.Resource).includes('SlackSigningSecret'));
    expect(tokenReads).toHaveLength(5);
    for (const s of tokenReads) expect(JSON.stringify(s.Resource)).toMatch(/ImportValue.*SlackCredentials/);
    expect(secretReads).toHaveLength(6);
  });

  it('lets only the delivery function and the action worker (`/k8s status`) query the pending-deliveries index, by its name', () => {
    const indexQueries = statements().filter((s) => JSON.stringify(s.Resource).includes('/index/'));

    expect(indexQueries).toHaveLength(2);
    for (const query of indexQueries) {
      expect(actionsOf(query)).toEqual(['dynamodb:Query']);
      expect(JSON.stringify(query.Resource)).toContain('/index/gsi1');
    }
  });

  it('delivers pending Slack alerts every minute, one instance at a time, for at most 60 s a run', () => {
    const deliveryId = logicalIdOf('AWS::Lambda::Function', 'kubeguard-delivery');
    const delivery = functionsByService().get('kubeguard-delivery');

    expect(delivery?.Properties).toMatchObject({ ReservedConcurrentExecutions: 1, Timeout: 60 });
    synth.statelessTemplate.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [deliveryId, 'Arn'] } })],
    });
  });

  it('drops a delivery event after a minute without retries or a dead-letter queue: the schedule runs it anyway', () => {
    const deliveryId = logicalIdOf('AWS::Lambda::Function', 'kubeguard-delivery');
    const config = Object.values(resourcesOf(synth.statelessTemplate, 'AWS::Lambda::EventInvokeConfig')).find(
      (c) => JSON.stringify(c.Properties?.FunctionName).includes(deliveryId),
    );

    expect(config?.Properties).toMatchObject({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 });
    expect(config?.Properties?.DestinationConfig).toBeUndefined();
  });

  it('lets the ingest functions and the action worker invoke the delivery function, and nothing else', () => {
    const deliveryId = logicalIdOf('AWS::Lambda::Function', 'kubeguard-delivery');
    const invokes = statements().filter((s) => actionsOf(s).includes('lambda:InvokeFunction'));
    const nudges = invokes.filter((s) => JSON.stringify(s.Resource).includes(deliveryId));

    expect(nudges).toHaveLength(4);
    for (const s of nudges) expect(s.Resource).toEqual({ 'Fn::GetAtt': [deliveryId, 'Arn'] });
  });

  it('lets each function write only its own log group', () => {
    const logWrites = statements().filter((s) => actionsOf(s).includes('logs:PutLogEvents'));

    expect(logWrites).toHaveLength(8);
    for (const s of logWrites)
      expect(s.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/Logs/), 'Arn'] });
  });

  it('uses no AWS managed policies', () => {
    for (const role of Object.values(resourcesOf(synth.statelessTemplate, 'AWS::IAM::Role'))) {
      expect(role.Properties?.ManagedPolicyArns).toBeUndefined();
    }
  });
});

describe('Inspector image findings', () => {
  /** EventBridge's matching for the pattern's shape (every field equals one of its values; arrays: any element). */
  function inspectorRuleMatches(event: {
    source: string;
    'detail-type': string;
    detail: { resources: { type: string }[] };
  }): boolean {
    const pattern = INSPECTOR_ECR_EVENT_PATTERN;
    return (
      pattern.source.includes(event.source) &&
      pattern.detailType.includes(event['detail-type']) &&
      event.detail.resources.some((r) => pattern.detail.resources.type.includes(r.type))
    );
  }

  it.each([
    'inspector2-finding-ecr-package-vulnerability',
    'inspector2-finding-ecr-enhanced-scanning',
  ] as const)('routes the real %s event to the function; not a finding on an EC2 instance', (fixture) => {
    const event = inspectorEvent(fixture) as unknown as Parameters<typeof inspectorRuleMatches>[0];
    const ec2 = structuredClone(event);
    (ec2.detail.resources[0] as { type: string }).type = 'AWS_EC2_INSTANCE';

    expect(inspectorRuleMatches(event)).toBe(true);
    expect(inspectorRuleMatches(ec2)).toBe(false);
    synth.statelessTemplate.hasResourceProperties('AWS::Events::Rule', {
      Name: 'Kubeguard-inspector-ecr-findings',
      EventPattern: {
        source: ['aws.inspector2'],
        'detail-type': ['Inspector2 Finding'],
        detail: { resources: { type: ['AWS_ECR_CONTAINER_IMAGE'] } },
      },
    });
  });

  it('delivers to the image-findings function with retries and the dead-letter queue', () => {
    const fnId = logicalIdOf('AWS::Lambda::Function', 'kubeguard-image-findings');

    synth.statelessTemplate.hasResourceProperties('AWS::Events::Rule', {
      Name: 'Kubeguard-inspector-ecr-findings',
      Targets: [
        {
          Arn: { 'Fn::GetAtt': [fnId, 'Arn'] },
          Id: Match.anyValue(),
          RetryPolicy: { MaximumRetryAttempts: 24, MaximumEventAgeInSeconds: 24 * 3600 },
          DeadLetterConfig: { Arn: { 'Fn::ImportValue': Match.stringLikeRegexp('DeadLetters') } },
        },
      ],
    });
    expect(functionsByService().get('kubeguard-image-findings')?.Properties).toMatchObject({
      FunctionName: 'Kubeguard-image-findings',
      Timeout: 60,
      MemorySize: 512,
    });
  });

  it('runs as the posture audit’s role, so member roles and access entries need no third role', () => {
    const functions = functionsByService();
    const role = functions.get('kubeguard-image-findings')?.Properties?.Role;

    expect(role).toEqual(functions.get('kubeguard-posture-audit')?.Properties?.Role);
    const roles = Object.values(resourcesOf(synth.statelessTemplate, 'AWS::IAM::Role'));
    expect(roles.filter((r) => r.Properties?.RoleName === 'Kubeguard-posture-audit')).toHaveLength(1);
    expect(JSON.stringify(role)).toMatch(/PostureAudit/);
  });

  it('may call inspector2:ListFindings, record findings, nudge delivery and delete only its not-running items', () => {
    const auditRole = functionsByService().get('kubeguard-posture-audit')?.Properties?.Role as {
      'Fn::GetAtt': [string, string];
    };
    const roleId = auditRole['Fn::GetAtt'][0];
    const onRole = Object.values(resourcesOf(synth.statelessTemplate, 'AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties?.Roles).includes(roleId))
      .flatMap(
        (policy) =>
          (policy.Properties?.PolicyDocument as { Statement?: Statement[] } | undefined)?.Statement ?? [],
      );
    const deliveryId = logicalIdOf('AWS::Lambda::Function', 'kubeguard-delivery');

    expect(onRole.filter((s) => actionsOf(s).includes('inspector2:ListFindings'))).toEqual([
      expect.objectContaining({ Effect: 'Allow', Resource: '*' }),
    ]);
    expect(onRole.filter((s) => actionsOf(s).includes('dynamodb:DeleteItem'))).toEqual([
      expect.objectContaining({
        Action: 'dynamodb:DeleteItem',
        Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['IMAGES#NOT_RUNNING'] } },
      }),
    ]);
    expect(
      onRole.filter((s) => actionsOf(s).includes('lambda:InvokeFunction')).map((s) => s.Resource),
    ).toEqual([{ 'Fn::GetAtt': [deliveryId, 'Arn'] }]);
  });
});

describe('posture audit', () => {
  interface Statement {
    Sid?: string;
    Effect: string;
    Action: string | string[];
    Resource: unknown;
  }

  function auditStatements(): Statement[] {
    const policies = Object.entries(resourcesOf(synth.statelessTemplate, 'AWS::IAM::Policy')).filter(([id]) =>
      id.startsWith('PostureAuditReads'),
    );
    expect(policies).toHaveLength(1);
    const document = policies[0]?.[1].Properties?.PolicyDocument as { Statement: Statement[] } | undefined;
    return document?.Statement ?? [];
  }

  function statement(sid: string): Statement {
    const found = auditStatements().find((s) => s.Sid === sid);
    if (found === undefined) throw new Error(`no statement ${sid}`);
    return found;
  }

  /** A resource written with pseudo parameters, as the template holds it. */
  function joined(...parts: unknown[]): unknown {
    return { 'Fn::Join': ['', parts] };
  }
  const partition = { Ref: 'AWS::Partition' };
  const account = { Ref: 'AWS::AccountId' };

  it('gets 5 minutes, 1 GB and one run at a time, and knows the evidence bucket', () => {
    const fn = functionsByService().get('kubeguard-posture-audit');

    expect(fn?.Properties).toMatchObject({ MemorySize: 1024, Timeout: 300, ReservedConcurrentExecutions: 1 });
    expect(environmentOf(fn as CfnResource).KUBEGUARD_EVIDENCE_BUCKET).toEqual(
      joined('kubeguard-evidence-', account, '-', { Ref: 'AWS::Region' }),
    );
  });

  it('runs every day at 06:00 UTC', () => {
    const fnId = logicalIdOf('AWS::Lambda::Function', 'kubeguard-posture-audit');

    synth.statelessTemplate.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0 6 * * ? *)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [fnId, 'Arn'] } })],
    });
  });

  it('describes exactly the configured clusters, and their parts within each cluster', () => {
    const cluster = (name: string) =>
      joined('arn:', partition, `:eks:us-east-1:`, account, `:cluster/${name}`);

    expect(statement('DescribeConfiguredClusters').Resource).toEqual([
      cluster('prod-cluster'),
      cluster('staging-cluster'),
    ]);
    expect(JSON.stringify(statement('DescribeClusterParts').Resource)).toContain(':addon/prod-cluster/*');
    expect(JSON.stringify(statement('DescribeClusterParts').Resource)).toContain(
      ':access-entry/staging-cluster/*',
    );
  });

  it('reads GuardDuty detectors and secret metadata of the clusters’ region, never secret values', () => {
    const actions = auditStatements().flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));

    expect(statement('ReadGuardDutyDetectors').Resource).toEqual(
      joined('arn:', partition, ':guardduty:us-east-1:', account, ':detector/*'),
    );
    expect(statement('DescribeReferencedSecrets').Action).toBe('secretsmanager:DescribeSecret');
    expect(actions).not.toContain('secretsmanager:GetSecretValue');
  });

  it('may only put objects under audits/ of the evidence bucket the stateful stack names', () => {
    const bucket = Object.values(resourcesOf(synth.statefulTemplate, 'AWS::S3::Bucket')).find((b) =>
      JSON.stringify(b.Properties?.BucketName ?? '').includes('-evidence-'),
    );

    expect(statement('StoreAuditExports')).toMatchObject({ Action: 's3:PutObject' });
    expect(JSON.stringify(statement('StoreAuditExports').Resource)).toBe(
      JSON.stringify(
        joined(
          'arn:',
          partition,
          ':s3:::kubeguard-evidence-',
          account,
          '-',
          { Ref: 'AWS::Region' },
          '/audits/*',
        ),
      ),
    );
    expect(bucket?.Properties?.BucketName).toEqual(
      joined('kubeguard-evidence-', account, '-', { Ref: 'AWS::Region' }),
    );
  });
});

describe('remediation access', () => {
  it('puts the remediation worker role in the kubeguard-remediation group of every configured cluster', () => {
    const entries = Object.values(resourcesOf(synth.statelessTemplate, 'AWS::EKS::AccessEntry'));

    expect(entries.map((e) => e.Properties?.ClusterName).sort()).toEqual(['prod-cluster', 'staging-cluster']);
    for (const entry of entries) {
      expect(entry.Properties).toMatchObject({
        Type: 'STANDARD',
        KubernetesGroups: ['kubeguard-remediation'],
        PrincipalArn: { 'Fn::GetAtt': [expect.stringMatching(/RemediationWorkerRole/), 'Arn'] },
      });
      expect(entry.Properties?.AccessPolicies).toBeUndefined();
    }
  });

  it('binds exactly the group that deploy/kubernetes/rbac.yaml grants the remediation verbs to', () => {
    const rbac = readFileSync(
      join(import.meta.dirname, '..', '..', '..', 'deploy', 'kubernetes', 'rbac.yaml'),
      'utf8',
    );
    expect(rbac).toMatch(/kind: Group\s+name: kubeguard-remediation/);
  });

  it('lets the worker rotate only secrets tagged kubeguard.io/rotation=rotate (test/unit/infra/remediation-access.test.ts has every statement)', () => {
    const rotate = statements().find((s) => actionsOf(s).includes('secretsmanager:RotateSecret'));
    expect(rotate?.Condition).toEqual({
      StringEquals: { 'secretsmanager:ResourceTag/kubeguard.io/rotation': 'rotate' },
    });
    expect(actionsOf(rotate as Statement)).toEqual(['secretsmanager:RotateSecret']);
  });
});
