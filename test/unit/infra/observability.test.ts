import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALARM_KINDS, parseAlarmName } from '#core/observability/alarms.ts';
import {
  type CfnResource,
  resourcesOf,
  type SynthesizedKubeguard,
  synthesizeKubeguard,
  TWO_CLUSTERS,
} from './synth.ts';

/** The two clusters of TWO_CLUSTERS, with an ops channel: the notifier exists. */
let synth: SynthesizedKubeguard;
beforeAll(() => {
  synth = synthesizeKubeguard({
    ...TWO_CLUSTERS,
    slack: { ...TWO_CLUSTERS.slack, opsChannel: '#kubeguard-ops' },
  });
});

const FUNCTIONS = [
  'guardduty-findings',
  'audit-logs',
  'delivery',
  'posture-audit',
  'image-findings',
  'slack-ingress',
  'action-worker',
  'digest',
  'alarm-notifier',
];

type Props = Record<string, unknown>;

function alarms(): Record<string, CfnResource> {
  return {
    ...resourcesOf(synth.statefulTemplate, 'AWS::CloudWatch::Alarm'),
    ...resourcesOf(synth.statelessTemplate, 'AWS::CloudWatch::Alarm'),
  };
}

function alarmNamed(name: string): Props {
  const found = Object.values(alarms()).filter((alarm) => alarm.Properties?.AlarmName === name);
  expect(found, `alarm ${name}`).toHaveLength(1);
  return found[0]?.Properties as Props;
}

/** The logical id of the function whose service is `kubeguard-<name>`. */
function functionId(name: string): string {
  const entry = Object.entries(resourcesOf(synth.statelessTemplate, 'AWS::Lambda::Function')).find(
    ([, fn]) => variablesOf(fn).POWERTOOLS_SERVICE_NAME === `kubeguard-${name}`,
  );
  if (entry === undefined) throw new Error(`no function kubeguard-${name}`);
  return entry[0];
}

function variablesOf(fn: CfnResource): Props {
  return (fn.Properties?.Environment as { Variables?: Props } | undefined)?.Variables ?? {};
}

function roleIdOf(functionName: string): string {
  const fn = resourcesOf(synth.statelessTemplate, 'AWS::Lambda::Function')[functionId(functionName)];
  const role = fn?.Properties?.Role as { 'Fn::GetAtt': [string, string] } | undefined;
  if (role === undefined) throw new Error(`kubeguard-${functionName} has no role`);
  return role['Fn::GetAtt'][0];
}

function topicId(): string {
  return Object.keys(resourcesOf(synth.statefulTemplate, 'AWS::SNS::Topic'))[0] as string;
}

describe('alarms', () => {
  it('watch errors of every function, and throttles of every function but delivery (which queues by throttling)', () => {
    for (const name of FUNCTIONS) {
      const errors = alarmNamed(`Kubeguard/errors/${name}`);
      expect(errors).toMatchObject({
        MetricName: 'Errors',
        Namespace: 'AWS/Lambda',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId(name) } }],
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
      if (name === 'delivery') continue;
      expect(alarmNamed(`Kubeguard/throttles/${name}`)).toMatchObject({
        MetricName: 'Throttles',
        Namespace: 'AWS/Lambda',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId(name) } }],
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    }
    expect(Object.values(alarms()).map((a) => a.Properties?.AlarmName)).not.toContain(
      'Kubeguard/throttles/delivery',
    );
  });

  it('watch the depth of both dead-letter queues', () => {
    const queues = resourcesOf(synth.statefulTemplate, 'AWS::SQS::Queue');
    for (const name of ['Kubeguard/dead-letters', 'Kubeguard/action-dead-letters']) {
      const alarm = alarmNamed(name);
      expect(alarm).toMatchObject({
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Namespace: 'AWS/SQS',
        Statistic: 'Maximum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
      const [dimension] = alarm.Dimensions as { Value: { 'Fn::GetAtt': [string, string] } }[];
      expect(Object.keys(queues)).toContain(dimension?.Value['Fn::GetAtt'][0]);
    }
    expect(
      (alarmNamed('Kubeguard/dead-letters').Dimensions as { Value: { 'Fn::GetAtt': string[] } }[])[0]?.Value[
        'Fn::GetAtt'
      ][0],
    ).toBe(synth.stateful.getLogicalId(synth.stateful.deadLetterQueue.node.defaultChild as never));
  });

  it('fire when the oldest pending delivery is older than 5 minutes, and when delivery stops reporting', () => {
    expect(alarmNamed('Kubeguard/oldest-pending-delivery')).toEqual(
      expect.objectContaining({
        Namespace: 'Kubeguard',
        MetricName: 'OldestPendingDeliveryAgeSeconds',
        Dimensions: [{ Name: 'service', Value: 'kubeguard-delivery' }],
        Statistic: 'Maximum',
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: 300,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'breaching',
      }),
    );
  });

  it('fire for each configured cluster without an audit-log event for 30 minutes, missing data breaching', () => {
    for (const cluster of ['prod-cluster', 'staging-cluster']) {
      expect(alarmNamed(`Kubeguard/audit-log-silence/${cluster}`)).toEqual(
        expect.objectContaining({
          Namespace: 'Kubeguard',
          MetricName: 'AuditLogEvents',
          Dimensions: [
            { Name: 'Cluster', Value: cluster },
            { Name: 'service', Value: 'kubeguard-audit-logs' },
          ],
          Statistic: 'Sum',
          Period: 300,
          EvaluationPeriods: 6,
          DatapointsToAlarm: 6,
          Threshold: 1,
          ComparisonOperator: 'LessThanThreshold',
          TreatMissingData: 'breaching',
        }),
      );
    }
  });

  it('name the Slack endpoint’s 5xx and the oldest Slack request alarms', () => {
    expect(alarmNamed('Kubeguard/slack-endpoint-5xx')).toMatchObject({ MetricName: '5xx' });
    expect(alarmNamed('Kubeguard/oldest-slack-request')).toMatchObject({
      MetricName: 'ApproximateAgeOfOldestMessage',
    });
  });

  it('all notify the alarm topic on ALARM and OK, and each has a runbook section in docs/operations.md', () => {
    const operations = readFileSync(
      join(import.meta.dirname, '..', '..', '..', 'docs', 'operations.md'),
      'utf8',
    );
    const anchors = new Set(
      [...operations.matchAll(/^#{2,4} (.+)$/gm)].map((m) =>
        (m[1] as string)
          .toLowerCase()
          .replace(/[^a-z0-9 -]/g, '')
          .replace(/ /g, '-'),
      ),
    );
    const stateful = resourcesOf(synth.statefulTemplate, 'AWS::CloudWatch::Alarm');
    const all = Object.values(alarms());
    // Errors of 9 functions, throttles of 8; 2 dead-letter queues, the oldest Slack request, the
    // endpoint's 5xx, the oldest pending delivery, 2 clusters' silence.
    expect(all.length).toBe(9 + 8 + 2 + 1 + 1 + 1 + 2);
    const kinds = new Set<string>();
    for (const alarm of all) {
      const name = String(alarm.Properties?.AlarmName);
      const parsed = parseAlarmName(name);
      expect(parsed, name).toBeDefined();
      kinds.add(parsed?.kind ?? '');
      expect(anchors, name).toContain(parsed?.runbook.split('#')[1]);
      const actions = JSON.stringify([alarm.Properties?.AlarmActions, alarm.Properties?.OKActions]);
      if (Object.values(stateful).includes(alarm)) {
        expect(actions).toBe(JSON.stringify([[{ Ref: topicId() }], [{ Ref: topicId() }]]));
      } else {
        expect(actions).toMatch(
          /^\[\[\{"Fn::ImportValue":"[^"]*AlarmsTopic[^"]*"\}\],\[\{"Fn::ImportValue":"[^"]*AlarmsTopic[^"]*"\}\]\]$/,
        );
      }
    }
    expect([...kinds].sort()).toEqual(Object.keys(ALARM_KINDS).sort());
  });
});

describe('the ops notifier', () => {
  it('is a function subscribed to the alarm topic that reads the bot token and knows the ops channel', () => {
    const id = functionId('alarm-notifier');
    const fn = resourcesOf(synth.statelessTemplate, 'AWS::Lambda::Function')[id] as CfnResource;
    const variables = variablesOf(fn);
    expect(JSON.parse(String(variables.KUBEGUARD_CONFIG)).slack.opsChannel).toBe('#kubeguard-ops');
    expect(JSON.stringify(variables.SLACK_SECRET_ARN)).toMatch(/Fn::ImportValue.*SlackCredentials/);
    synth.statelessTemplate.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      Endpoint: { 'Fn::GetAtt': [id, 'Arn'] },
      TopicArn: { 'Fn::ImportValue': Match.stringLikeRegexp('AlarmsTopic') },
    });
    const permissions = Object.values(resourcesOf(synth.statelessTemplate, 'AWS::Lambda::Permission')).filter(
      (p) => p.Properties?.Principal === 'sns.amazonaws.com',
    );
    expect(permissions).toHaveLength(1);
    expect(permissions[0]?.Properties).toMatchObject({
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [id, 'Arn'] },
    });
    expect(JSON.stringify(permissions[0]?.Properties?.SourceArn)).toMatch(/AlarmsTopic/);
    const policies = Object.values(resourcesOf(synth.statelessTemplate, 'AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p.Properties?.Roles).includes(roleIdOf('alarm-notifier')),
    );
    const statements = JSON.stringify(policies.map((p) => p.Properties?.PolicyDocument));
    expect(statements).toContain('secretsmanager:GetSecretValue');
    expect(statements).not.toMatch(/dynamodb|SlackSigningSecret/);
  });
});

describe('the dashboard', () => {
  it('shows per-function invocations, errors, throttles and duration, delivery, detections, Slack 429s, actions, audit-log events and dead letters', () => {
    const dashboards = Object.values(resourcesOf(synth.statelessTemplate, 'AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    expect(dashboards[0]?.Properties?.DashboardName).toBe('Kubeguard');
    const body = JSON.stringify(dashboards[0]?.Properties?.DashboardBody);
    for (const name of FUNCTIONS) {
      const ref = `{"Ref":"${functionId(name)}"}`;
      for (const metric of ['Invocations', 'Errors', 'Throttles', 'Duration']) {
        expect(body).toContain(`[\\"AWS/Lambda\\",\\"${metric}\\",\\"FunctionName\\",\\"",${ref}`);
      }
    }
    expect(body).toContain('[\\"Kubeguard\\",\\"DeliveriesPending\\",\\"service\\",\\"kubeguard-delivery\\"');
    expect(body).toContain(
      '[\\"Kubeguard\\",\\"OldestPendingDeliveryAgeSeconds\\",\\"service\\",\\"kubeguard-delivery\\"',
    );
    for (const cluster of ['prod-cluster', 'staging-cluster']) {
      expect(body).toContain(
        `[\\"Kubeguard\\",\\"AuditLogEvents\\",\\"Cluster\\",\\"${cluster}\\",\\"service\\",\\"kubeguard-audit-logs\\"`,
      );
    }
    for (const search of [
      `SEARCH('{Kubeguard,service,Rule} MetricName=\\\\\\"Detections\\\\\\"', 'Sum', 300)`,
      `SEARCH('{Kubeguard,service} MetricName=\\\\\\"SlackRateLimited\\\\\\"', 'Sum', 300)`,
      `SEARCH('{Kubeguard,service,Action} MetricName=\\\\\\"ActionsRun\\\\\\"', 'Sum', 300)`,
      `SEARCH('{Kubeguard,service,Action} MetricName=\\\\\\"ActionsDenied\\\\\\"', 'Sum', 300)`,
    ]) {
      expect(body).toContain(search);
    }
    expect(body.match(/ApproximateNumberOfMessagesVisible/g)).toHaveLength(2);
  });
});

describe('stack outputs', () => {
  it('have stable names, exported as Kubeguard-<name>', () => {
    const stateless = synth.statelessTemplate.toJSON().Outputs as Record<
      string,
      { Export?: { Name: string } }
    >;
    const stateful = synth.statefulTemplate.toJSON().Outputs as Record<string, { Export?: { Name: string } }>;
    const named = (outputs: Record<string, { Export?: { Name: string } }>) =>
      Object.keys(outputs).filter((key) => !key.startsWith('ExportsOutput'));
    expect(named(stateless).sort()).toEqual(
      [
        'ActionWorkerFunctionName',
        'AlarmNotifierFunctionName',
        'AuditLogsFunctionName',
        'DashboardUrl',
        'DeliveryFunctionName',
        'DigestFunctionName',
        'GuardDutyFindingsFunctionName',
        'ImageFindingsFunctionName',
        'PostureAuditFunctionName',
        'PostureAuditRoleArn',
        'RemediationRoleArn',
        'SlackAccessLogGroupName',
        'SlackIngressFunctionName',
        'SlackRequestUrl',
      ].sort(),
    );
    expect(named(stateful).sort()).toEqual(
      [
        'ActionDeadLetterQueueUrl',
        'AlarmTopicArn',
        'DeadLetterQueueUrl',
        'EvidenceBucketName',
        'FindingsTableName',
        'SlackSecretArn',
        'SlackSigningSecretArn',
      ].sort(),
    );
    for (const outputs of [stateless, stateful]) {
      for (const name of named(outputs)) expect(outputs[name]?.Export?.Name).toBe(`Kubeguard-${name}`);
    }
  });

  it('reference the right resources', () => {
    const out = (template: typeof synth.statelessTemplate, name: string) =>
      (template.toJSON().Outputs as Record<string, { Value: unknown }>)[name]?.Value;
    const outputs: Record<string, string> = {
      GuardDutyFindingsFunctionName: 'guardduty-findings',
      AuditLogsFunctionName: 'audit-logs',
      DeliveryFunctionName: 'delivery',
      PostureAuditFunctionName: 'posture-audit',
      ImageFindingsFunctionName: 'image-findings',
      SlackIngressFunctionName: 'slack-ingress',
      ActionWorkerFunctionName: 'action-worker',
      DigestFunctionName: 'digest',
      AlarmNotifierFunctionName: 'alarm-notifier',
    };
    for (const [output, fn] of Object.entries(outputs)) {
      expect(out(synth.statelessTemplate, output), output).toEqual({ Ref: functionId(fn) });
    }
    expect(out(synth.statelessTemplate, 'RemediationRoleArn')).toEqual({
      'Fn::GetAtt': [roleIdOf('action-worker'), 'Arn'],
    });
    expect(out(synth.statelessTemplate, 'PostureAuditRoleArn')).toEqual({
      'Fn::GetAtt': [roleIdOf('posture-audit'), 'Arn'],
    });
    const api = Object.keys(resourcesOf(synth.statelessTemplate, 'AWS::ApiGatewayV2::Api'))[0];
    expect(out(synth.statelessTemplate, 'SlackRequestUrl')).toEqual({
      'Fn::Join': ['', [{ 'Fn::GetAtt': [api, 'ApiEndpoint'] }, '/slack/events']],
    });
    const dashboard = Object.keys(resourcesOf(synth.statelessTemplate, 'AWS::CloudWatch::Dashboard'))[0];
    expect(out(synth.statelessTemplate, 'DashboardUrl')).toEqual({
      'Fn::Join': [
        '',
        [
          'https://',
          { Ref: 'AWS::Region' },
          '.console.aws.amazon.com/cloudwatch/home?region=',
          { Ref: 'AWS::Region' },
          '#dashboards/dashboard/',
          { Ref: dashboard },
        ],
      ],
    });
    const bucket = Object.entries(resourcesOf(synth.statefulTemplate, 'AWS::S3::Bucket')).find(([, b]) =>
      JSON.stringify(b.Properties?.BucketName ?? '').includes('evidence'),
    )?.[0];
    expect(out(synth.statefulTemplate, 'EvidenceBucketName')).toEqual({ Ref: bucket });
    expect(out(synth.statefulTemplate, 'AlarmTopicArn')).toEqual({ Ref: topicId() });
  });
});
