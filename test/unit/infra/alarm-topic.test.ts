import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { type SynthesizedKubeguard, synthesizeKubeguard } from './synth.ts';

let synth: SynthesizedKubeguard;
beforeAll(() => {
  synth = synthesizeKubeguard();
});

/** `{Ref: <logical id of the alarm topic>}` as both stacks see it. */
function topicLogicalId(): string {
  const topics = synth.statefulTemplate.findResources('AWS::SNS::Topic');
  const ids = Object.keys(topics);
  expect(ids).toHaveLength(1);
  return ids[0] as string;
}

describe('the alarm topic', () => {
  it('is encrypted with a rotated key of its own that CloudWatch may use', () => {
    const keys = synth.statefulTemplate.findResources('AWS::KMS::Key');
    const [keyId] = Object.keys(keys);
    synth.statefulTemplate.hasResourceProperties('AWS::SNS::Topic', {
      DisplayName: 'kubeguard alarms',
      KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
    synth.statefulTemplate.hasResource('AWS::KMS::Key', {
      Properties: {
        EnableKeyRotation: true,
        KeyPolicy: {
          Statement: Match.arrayWith([
            {
              Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Resource: '*',
            },
          ]),
        },
      },
      DeletionPolicy: 'Retain',
    });
  });

  it('refuses publishing without TLS and lets only this account’s CloudWatch alarms publish', () => {
    const topic = topicLogicalId();
    synth.statefulTemplate.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topic }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          Match.objectLike({
            Sid: 'CloudWatchAlarmsOfThisAccount',
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Condition: {
              ArnLike: { 'aws:SourceArn': Match.anyValue() },
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            },
          }),
        ]),
      },
    });
  });

  it('is what every alarm of both stacks notifies, when it fires and when it recovers', () => {
    const topic = topicLogicalId();
    const stateful = Object.values(synth.statefulTemplate.findResources('AWS::CloudWatch::Alarm'));
    const stateless = Object.values(synth.statelessTemplate.findResources('AWS::CloudWatch::Alarm'));
    expect(stateful.length).toBeGreaterThanOrEqual(3);
    expect(stateless.length).toBeGreaterThanOrEqual(5);
    for (const alarm of stateful) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topic }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: topic }]);
    }
    const imported = stateless.map((alarm) => JSON.stringify(alarm.Properties.AlarmActions));
    for (const actions of imported)
      expect(actions).toMatch(/^\[\{"Fn::ImportValue":"[^"]*AlarmsTopic[^"]*"\}\]$/);
  });

  it('has no ops notifier subscribed without slack.opsChannel', () => {
    expect(synth.stateless.opsNotifier).toBeUndefined();
    synth.statelessTemplate.resourceCountIs('AWS::SNS::Subscription', 0);
    const services = Object.values(synth.statelessTemplate.findResources('AWS::Lambda::Function')).map(
      (fn) => fn.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME,
    );
    expect(services).toHaveLength(8);
    expect(services).not.toContain('kubeguard-alarm-notifier');
  });

  it('is a stack output', () => {
    synth.statefulTemplate.hasOutput('AlarmTopicArn', { Value: { Ref: topicLogicalId() } });
  });
});
