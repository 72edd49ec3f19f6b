import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { KubeguardConfigInput } from '#core/config/schema.ts';
import { CROSS_ACCOUNT_BATCH_SIZE } from '#infra/constructs/cross-account-audit-logs.ts';
import { GUARDDUTY_EKS_EVENT_PATTERN, INSPECTOR_ECR_EVENT_PATTERN } from '#infra/stacks/stateless-stack.ts';
import { type CfnResource, resourcesOf, type SynthesizedKubeguard, synthesizeKubeguard } from './synth.ts';

const HOME = '111122223333';
const PROD = '222233334444';
const STAGING = '333344445555';

/** Two member accounts and two regions: every kind of stack kubeguard-app.ts adds. */
const ORG: KubeguardConfigInput = {
  home: { account: HOME, region: 'us-east-1' },
  accounts: [
    { id: PROD, name: 'prod', externalId: 'kubeguard-prod-7f3a' },
    {
      id: STAGING,
      name: 'staging',
      roleArn: `arn:aws:iam::${STAGING}:role/platform/kubeguard-staging`,
      externalId: 'kubeguard-staging-91c2',
    },
  ],
  clusters: [
    { name: 'home-cluster', region: 'us-east-1' },
    { name: 'home-eu', region: 'eu-west-1' },
    { name: 'prod-us', region: 'us-east-1', account: PROD },
    { name: 'prod-eu', region: 'eu-west-1', account: PROD },
    { name: 'staging-eu', region: 'eu-west-1', account: STAGING, auditLogGroup: '/custom/staging/audit' },
  ],
  slack: { defaultChannel: '#kubeguard-alerts', opsChannel: '#kubeguard-ops' },
};

// One synthesis (cdk-nag included: an unacknowledged error would throw here) for every test below.
let synth: SynthesizedKubeguard;
beforeAll(() => {
  synth = synthesizeKubeguard(ORG);
});

/** A CloudFormation value with the pseudo parameters written out as in the deploying account. */
function plain(value: unknown, account = '<account>'): unknown {
  if (Array.isArray(value)) return value.map((item) => plain(item, account));
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  if (record.Ref === 'AWS::Partition') return 'aws';
  if (record.Ref === 'AWS::AccountId') return account;
  if (record.Ref === 'AWS::Region') return '<region>';
  if ('Fn::Join' in record) {
    const [separator, parts] = record['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => plain(part, account)).join(separator);
  }
  return Object.fromEntries(Object.entries(record).map(([key, item]) => [key, plain(item, account)]));
}

function only(template: Template, type: string): [string, CfnResource] {
  const entries = Object.entries(resourcesOf(template, type));
  expect(entries).toHaveLength(1);
  return entries[0] as [string, CfnResource];
}

function stackNamed(name: string) {
  const stack = [...synth.regional, ...synth.members, ...synth.memberRegions].find(
    (s) => s.stackName === name,
  );
  if (stack === undefined) throw new Error(`no stack ${name}`);
  return stack;
}

interface Statement {
  Sid?: string;
  Action: string | string[];
  Resource: unknown;
  Principal?: unknown;
  Condition?: unknown;
}

/** A resource's properties (every resource asserted on here has some). */
const propsOf = (resource: CfnResource) => resource.Properties as Record<string, unknown>;

function statements(resource: CfnResource, property = 'PolicyDocument'): Statement[] {
  return (propsOf(resource)[property] as { Statement: Statement[] }).Statement;
}

const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

describe('stacks of a configuration with two member accounts and two regions', () => {
  it('are the home pair, a regional stack, and a stack per member account and region with clusters', () => {
    const envs = [
      synth.stateful,
      synth.stateless,
      ...synth.regional,
      ...synth.members,
      ...synth.memberRegions,
    ].map((stack) => `${stack.stackName} ${stack.account} ${stack.region}`);

    expect(envs).toEqual([
      `Kubeguard-Stateful ${HOME} us-east-1`,
      `Kubeguard-Stateless ${HOME} us-east-1`,
      `Kubeguard-Regional-eu-west-1 ${HOME} eu-west-1`,
      `Kubeguard-Member-${PROD} ${PROD} us-east-1`,
      `Kubeguard-Member-${STAGING} ${STAGING} us-east-1`,
      `Kubeguard-Member-${PROD}-eu-west-1 ${PROD} eu-west-1`,
      `Kubeguard-Member-${STAGING}-eu-west-1 ${STAGING} eu-west-1`,
    ]);
  });

  it('give the roles member accounts trust fixed names, and let them assume the member roles', () => {
    const roleNames = Object.values(resourcesOf(synth.statelessTemplate, 'AWS::IAM::Role')).map(
      (role) => role.Properties?.RoleName,
    );
    expect(roleNames).toEqual(expect.arrayContaining(['Kubeguard-posture-audit', 'Kubeguard-action-worker']));

    const assume = Object.values(resourcesOf(synth.statelessTemplate, 'AWS::IAM::Policy')).flatMap((policy) =>
      statements(policy).filter((statement) => statement.Sid === 'AssumeMemberAccountRoles'),
    );
    expect(assume).toEqual([
      {
        Sid: 'AssumeMemberAccountRoles',
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Resource: [
          `arn:aws:iam::${PROD}:role/kubeguard-member`,
          `arn:aws:iam::${STAGING}:role/platform/kubeguard-staging`,
        ],
      },
    ]);
  });
});

describe('member-account stack', () => {
  it('is a plain template: no parameter, no rule, no asset (StackSet-ready)', () => {
    for (const stack of [...synth.members, ...synth.memberRegions]) {
      const template = Template.fromStack(stack).toJSON() as Record<string, unknown>;

      expect(template.Parameters).toBeUndefined();
      expect(template.Rules).toBeUndefined();
      expect(JSON.stringify(template)).not.toContain('aws:asset');
    }
  });

  it('creates the configured role, trusted only by the two home roles and with the external id', () => {
    const [, role] = only(Template.fromStack(stackNamed(`Kubeguard-Member-${STAGING}`)), 'AWS::IAM::Role');

    expect(role.Properties?.RoleName).toBe('kubeguard-staging');
    expect(role.Properties?.Path).toBe('/platform/');
    expect(plain(statements(role, 'AssumeRolePolicyDocument'))).toEqual(
      ['Kubeguard-posture-audit', 'Kubeguard-action-worker'].map((name) => ({
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': 'kubeguard-staging-91c2' } },
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${HOME}:role/${name}` },
      })),
    );
  });

  it('allows the audit’s reads and remediation on the account’s own clusters, no wildcard action', () => {
    const [, policy] = only(Template.fromStack(stackNamed(`Kubeguard-Member-${PROD}`)), 'AWS::IAM::Policy');
    const all = plain(statements(policy), PROD) as Statement[];

    const actions = all.flatMap((statement) => list(statement.Action));
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
    expect(actions.some((action) => action.startsWith('s3:'))).toBe(false);
    const unscoped = all.filter((statement) => list(statement.Resource as string).includes('*'));
    expect(unscoped.flatMap((statement) => list(statement.Action)).sort()).toEqual([
      'eks:DescribeClusterVersions',
      'guardduty:ListDetectors',
      'inspector2:ListFindings',
      'secretsmanager:GetRandomPassword',
    ]);
    const clusterArns = all
      .filter(
        (statement) =>
          statement.Sid === 'DescribeConfiguredClusters' || statement.Sid === 'ConnectToConfiguredClusters',
      )
      .map((statement) => statement.Resource);
    expect(clusterArns).toEqual([
      [`arn:aws:eks:us-east-1:${PROD}:cluster/prod-us`, `arn:aws:eks:eu-west-1:${PROD}:cluster/prod-eu`],
      [`arn:aws:eks:us-east-1:${PROD}:cluster/prod-us`, `arn:aws:eks:eu-west-1:${PROD}:cluster/prod-eu`],
    ]);
    const scoped = all
      .flatMap((statement) => list(statement.Resource as string))
      .filter((arn) => arn !== '*');
    for (const arn of scoped)
      expect(arn).toMatch(new RegExp(`^arn:aws:[a-z]+:(us-east-1|eu-west-1):${PROD}:`));
    expect(JSON.stringify(all)).not.toMatch(/home-cluster|home-eu|staging-eu/);
  });

  it('subscribes the account’s audit log groups to the home account’s destination of their region', () => {
    const filters = [PROD, STAGING].flatMap((account) =>
      Object.values(
        resourcesOf(
          Template.fromStack(stackNamed(`Kubeguard-Member-${account}-eu-west-1`)),
          'AWS::Logs::SubscriptionFilter',
        ),
      ).map((filter) => plain(filter.Properties)),
    );
    const us = Object.values(
      resourcesOf(
        Template.fromStack(stackNamed(`Kubeguard-Member-${PROD}`)),
        'AWS::Logs::SubscriptionFilter',
      ),
    ).map((filter) => plain(filter.Properties));

    const destination = (region: string) => `arn:aws:logs:${region}:${HOME}:destination:Kubeguard-audit-logs`;
    expect(us).toEqual([
      {
        LogGroupName: '/aws/eks/prod-us/cluster',
        DestinationArn: destination('us-east-1'),
        FilterPattern: '',
        FilterName: 'kubeguard-prod-us',
      },
    ]);
    expect(filters).toEqual([
      {
        LogGroupName: '/aws/eks/prod-eu/cluster',
        DestinationArn: destination('eu-west-1'),
        FilterPattern: '',
        FilterName: 'kubeguard-prod-eu',
      },
      {
        LogGroupName: '/custom/staging/audit',
        DestinationArn: destination('eu-west-1'),
        FilterPattern: '',
        FilterName: 'kubeguard-staging-eu',
      },
    ]);
  });
});

describe('cross-account audit logs in the home account', () => {
  it('let exactly the member accounts with clusters in the region subscribe to the destination', () => {
    const policyOf = (template: Template) => {
      const [, destination] = only(template, 'AWS::Logs::Destination');
      expect(destination.Properties?.DestinationName).toBe('Kubeguard-audit-logs');
      return JSON.parse(JSON.stringify(plain(destination.Properties?.DestinationPolicy, HOME))) as string;
    };

    const home = JSON.parse(policyOf(synth.statelessTemplate)) as { Statement: Statement[] };
    const eu = JSON.parse(policyOf(Template.fromStack(stackNamed('Kubeguard-Regional-eu-west-1')))) as {
      Statement: Statement[];
    };

    expect(home.Statement).toEqual([
      {
        Sid: 'MemberAccountsSubscribe',
        Action: 'logs:PutSubscriptionFilter',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${PROD}:root` },
        Resource: `arn:aws:logs:us-east-1:${HOME}:destination:Kubeguard-audit-logs`,
      },
    ]);
    expect(eu.Statement).toEqual([
      {
        Sid: 'MemberAccountsSubscribe',
        Action: 'logs:PutSubscriptionFilter',
        Effect: 'Allow',
        Principal: { AWS: [`arn:aws:iam::${PROD}:root`, `arn:aws:iam::${STAGING}:root`] },
        Resource: `arn:aws:logs:eu-west-1:${HOME}:destination:Kubeguard-audit-logs`,
      },
    ]);
  });

  it('put records on an encrypted on-demand stream through a role only CloudWatch Logs of these accounts assume', () => {
    const template = Template.fromStack(stackNamed('Kubeguard-Regional-eu-west-1'));
    const [streamId, stream] = only(template, 'AWS::Kinesis::Stream');
    expect(stream.Properties).toMatchObject({
      StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
      StreamModeDetails: { StreamMode: 'ON_DEMAND' },
    });
    const [, destination] = only(template, 'AWS::Logs::Destination');
    expect(destination.Properties?.TargetArn).toEqual({ 'Fn::GetAtt': [streamId, 'Arn'] });

    const roleId = (propsOf(destination).RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const role = resourcesOf(template, 'AWS::IAM::Role')[roleId] as CfnResource;
    expect(plain(statements(role, 'AssumeRolePolicyDocument'), HOME)).toEqual([
      {
        Action: 'sts:AssumeRole',
        Condition: {
          StringLike: {
            'aws:SourceArn': [HOME, PROD, STAGING].map((account) => `arn:aws:logs:eu-west-1:${account}:*`),
          },
        },
        Effect: 'Allow',
        Principal: { Service: 'logs.amazonaws.com' },
      },
    ]);
    const puts = Object.values(resourcesOf(template, 'AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties?.Roles).includes(roleId))
      .flatMap((policy) => statements(policy));
    expect(puts).toEqual([
      {
        Sid: 'PutAuditLogRecords',
        Action: 'kinesis:PutRecord',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [streamId, 'Arn'] },
      },
    ]);
  });

  it('feed the region’s audit-logs function in batches, bisecting failures, dead-lettering what is given up', () => {
    const template = Template.fromStack(stackNamed('Kubeguard-Regional-eu-west-1'));
    const [streamId] = only(template, 'AWS::Kinesis::Stream');
    const [queueId] = only(template, 'AWS::SQS::Queue');
    const [functionId] = only(template, 'AWS::Lambda::Function');
    const [, mapping] = only(template, 'AWS::Lambda::EventSourceMapping');

    expect(mapping.Properties).toEqual({
      EventSourceArn: { 'Fn::GetAtt': [streamId, 'Arn'] },
      FunctionName: { Ref: functionId },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: CROSS_ACCOUNT_BATCH_SIZE,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 3,
      MaximumRecordAgeInSeconds: 3600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
    // In the home region the stateless stack's audit-logs function reads the home stream.
    const [homeStreamId] = only(synth.statelessTemplate, 'AWS::Kinesis::Stream');
    const homeMappings = Object.values(
      resourcesOf(synth.statelessTemplate, 'AWS::Lambda::EventSourceMapping'),
    ).filter((candidate) => JSON.stringify(candidate.Properties?.EventSourceArn).includes(homeStreamId));
    expect(homeMappings.map((candidate) => candidate.Properties?.BisectBatchOnFunctionError)).toEqual([true]);
  });
});

describe('regional stack', () => {
  const template = () => Template.fromStack(stackNamed('Kubeguard-Regional-eu-west-1'));

  it.each([
    ['GuardDuty’s EKS findings', GUARDDUTY_EKS_EVENT_PATTERN],
    ['Inspector’s ECR image findings', INSPECTOR_ECR_EVENT_PATTERN],
  ] as const)('forwards %s to the home region’s default bus with a role of its own', (_, pattern) => {
    const rules = Object.values(resourcesOf(template(), 'AWS::Events::Rule'));
    expect(rules).toHaveLength(2);
    const rule = rules.find(
      (candidate) =>
        JSON.stringify(candidate.Properties?.EventPattern) ===
        JSON.stringify({
          source: pattern.source,
          'detail-type': pattern.detailType,
          detail: pattern.detail,
        }),
    ) as CfnResource;
    const [target] = propsOf(rule).Targets as {
      Arn: unknown;
      RoleArn: { 'Fn::GetAtt': [string] };
      DeadLetterConfig: unknown;
    }[];

    expect(rule).toBeDefined();
    expect(target?.DeadLetterConfig).toEqual({
      Arn: { 'Fn::GetAtt': [only(template(), 'AWS::SQS::Queue')[0], 'Arn'] },
    });
    expect(plain(target?.Arn, HOME)).toBe(`arn:aws:events:us-east-1:${HOME}:event-bus/default`);
    const roleId = target?.RoleArn['Fn::GetAtt'][0] as string;
    const role = resourcesOf(template(), 'AWS::IAM::Role')[roleId] as CfnResource;
    expect(statements(role, 'AssumeRolePolicyDocument')).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' } },
    ]);
    const granted = Object.values(resourcesOf(template(), 'AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties?.Roles).includes(roleId))
      .flatMap((policy) => plain(statements(policy), HOME) as Statement[]);
    expect(granted).toEqual([
      {
        Action: 'events:PutEvents',
        Effect: 'Allow',
        Resource: `arn:aws:events:us-east-1:${HOME}:event-bus/default`,
      },
    ]);
  });

  it('runs an audit-logs function that writes to the home table and nudges the home delivery function', () => {
    const [, fn] = only(template(), 'AWS::Lambda::Function');
    const variables = (propsOf(fn).Environment as { Variables: Record<string, unknown> }).Variables;

    expect(plain(variables, HOME)).toMatchObject({
      KUBEGUARD_TABLE_NAME: 'Kubeguard-findings',
      KUBEGUARD_TABLE_REGION: 'us-east-1',
      DELIVERY_FUNCTION_NAME: `arn:aws:lambda:us-east-1:${HOME}:function:Kubeguard-delivery`,
      POWERTOOLS_SERVICE_NAME: 'kubeguard-audit-logs',
    });
    const granted = Object.values(resourcesOf(template(), 'AWS::IAM::Policy')).flatMap(
      (policy) => plain(statements(policy), HOME) as Statement[],
    );
    expect(granted).toEqual(
      expect.arrayContaining([
        {
          Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
          Effect: 'Allow',
          Resource: `arn:aws:dynamodb:us-east-1:${HOME}:table/Kubeguard-findings`,
        },
        {
          Action: 'lambda:InvokeFunction',
          Effect: 'Allow',
          Resource: `arn:aws:lambda:us-east-1:${HOME}:function:Kubeguard-delivery`,
        },
      ]),
    );
  });

  it('subscribes and admits only the home account’s clusters of its region', () => {
    const filters = Object.values(resourcesOf(template(), 'AWS::Logs::SubscriptionFilter'));
    const entries = Object.values(resourcesOf(template(), 'AWS::EKS::AccessEntry'));

    expect(filters.map((filter) => filter.Properties?.LogGroupName)).toEqual(['/aws/eks/home-eu/cluster']);
    expect(entries.map((entry) => plain(entry.Properties, HOME))).toEqual([
      {
        ClusterName: 'home-eu',
        PrincipalArn: `arn:aws:iam::${HOME}:role/Kubeguard-action-worker`,
        Type: 'STANDARD',
        KubernetesGroups: ['kubeguard-remediation'],
      },
    ]);
    // The home stacks keep to the home region's home-account clusters.
    const homeFilters = Object.values(resourcesOf(synth.statelessTemplate, 'AWS::Logs::SubscriptionFilter'));
    expect(homeFilters.map((filter) => filter.Properties?.LogGroupName)).toEqual([
      '/aws/eks/home-cluster/cluster',
    ]);
  });
});

describe('alarms of a regional stack', () => {
  const template = () => Template.fromStack(stackNamed('Kubeguard-Regional-eu-west-1'));

  it('watch every cluster whose audit logs the region ingests, home and member accounts, silence breaching', () => {
    const alarms = Object.values(resourcesOf(template(), 'AWS::CloudWatch::Alarm')).map(propsOf);
    const silence = alarms.filter((alarm) =>
      String(alarm.AlarmName).startsWith('Kubeguard/audit-log-silence/'),
    );

    expect(silence.map((alarm) => [alarm.AlarmName, alarm.TreatMissingData, alarm.Dimensions])).toEqual(
      ['home-eu', 'prod-eu', 'staging-eu'].map((cluster) => [
        `Kubeguard/audit-log-silence/${cluster}`,
        'breaching',
        [
          { Name: 'Cluster', Value: cluster },
          { Name: 'service', Value: 'kubeguard-audit-logs' },
        ],
      ]),
    );
    expect(alarms.map((alarm) => alarm.AlarmName)).toEqual(
      expect.arrayContaining(['Kubeguard/dead-letters', 'Kubeguard/errors/audit-logs']),
    );
  });

  it('notify the region’s own topic, which the home region’s ops notifier is subscribed to', () => {
    const [topicId, topic] = only(template(), 'AWS::SNS::Topic');
    expect(propsOf(topic).TopicName).toBe('Kubeguard-alarms');
    expect(template().findOutputs('AlarmTopicArn')).toEqual({
      AlarmTopicArn: {
        Description: 'The topic this region’s kubeguard alarms notify: subscribe e-mail or a pager to it',
        Value: { Ref: topicId },
        Export: { Name: 'Kubeguard-AlarmTopicArn' },
      },
    });
    for (const alarm of Object.values(resourcesOf(template(), 'AWS::CloudWatch::Alarm'))) {
      expect(propsOf(alarm).AlarmActions).toEqual([{ Ref: topicId }]);
    }
    const [, subscription] = only(template(), 'AWS::SNS::Subscription');
    expect(plain(propsOf(subscription), HOME)).toEqual({
      Protocol: 'lambda',
      TopicArn: { Ref: topicId },
      Endpoint: `arn:aws:lambda:us-east-1:${HOME}:function:Kubeguard-alarm-notifier`,
    });
    // The home notifier has that name and lets SNS invoke it for exactly the regional topic.
    const notifier = Object.values(resourcesOf(synth.statelessTemplate, 'AWS::Lambda::Function')).find(
      (fn) => propsOf(fn).FunctionName === 'Kubeguard-alarm-notifier',
    );
    expect(notifier).toBeDefined();
    const permissions = Object.values(resourcesOf(synth.statelessTemplate, 'AWS::Lambda::Permission'))
      .map((permission) => plain(propsOf(permission), HOME) as Record<string, unknown>)
      .filter((permission) => permission.Principal === 'sns.amazonaws.com');
    expect(permissions.map((permission) => permission.SourceArn)).toEqual(
      expect.arrayContaining([`arn:aws:sns:eu-west-1:${HOME}:Kubeguard-alarms`]),
    );
  });
});
