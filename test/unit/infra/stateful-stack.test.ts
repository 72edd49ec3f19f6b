import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { FINDINGS_TABLE } from '#adapters/aws/findings-table.ts';
import { type SynthesizedKubeguard, synthesizeKubeguard } from './synth.ts';

let synth: SynthesizedKubeguard;
beforeAll(() => {
  synth = synthesizeKubeguard();
});

describe('stateful stack: findings table', () => {
  it('keys items by pk/sk strings and bills on demand', () => {
    synth.statefulTemplate.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ]),
      BillingMode: 'PAY_PER_REQUEST',
    });
  });

  it('has point-in-time recovery, deletion protection, encryption and TTL on expiresAt', () => {
    synth.statefulTemplate.hasResourceProperties('AWS::DynamoDB::Table', {
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
      SSESpecification: { SSEEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('is retained when the stack is deleted or the table replaced', () => {
    synth.statefulTemplate.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });
});

describe('stateful stack: Slack credentials', () => {
  it('keeps the bot token and the signing secret in two retained secrets (slack-bot.test.ts)', () => {
    synth.statefulTemplate.resourceCountIs('AWS::SecretsManager::Secret', 2);
    synth.statefulTemplate.hasResource('AWS::SecretsManager::Secret', {
      Properties: { Description: Match.stringLikeRegexp('bot token: JSON \\{"botToken"') },
      DeletionPolicy: 'Retain',
    });
    synth.statefulTemplate.hasResource('AWS::SecretsManager::Secret', {
      Properties: { Description: Match.stringLikeRegexp('^kubeguard Slack signing secret') },
      DeletionPolicy: 'Retain',
    });
  });
});

describe('stateful stack: dead-letter queue', () => {
  it('is encrypted, keeps messages 14 days and is retained', () => {
    synth.statefulTemplate.hasResource('AWS::SQS::Queue', {
      Properties: { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 },
      DeletionPolicy: 'Retain',
    });
  });

  it('refuses requests without TLS', () => {
    synth.statefulTemplate.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('lets only the named GuardDuty and Inspector rules of this account and region dead-letter events', () => {
    synth.statefulTemplate.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Condition: {
              ArnEquals: {
                'aws:SourceArn': [
                  {
                    'Fn::Join': [
                      '',
                      Match.arrayWith([Match.stringLikeRegexp(':rule/Kubeguard-guardduty-eks-findings$')]),
                    ],
                  },
                  {
                    'Fn::Join': [
                      '',
                      Match.arrayWith([Match.stringLikeRegexp(':rule/Kubeguard-inspector-ecr-findings$')]),
                    ],
                  },
                ],
              },
            },
          }),
        ]),
      },
    });
  });

  it('raises an alarm as soon as one message waits in it', () => {
    synth.statefulTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });
});

describe('stateful and stateless stacks', () => {
  it('reference each other one way only: functions import data, data never imports functions', () => {
    const statefulText = JSON.stringify(synth.statefulTemplate.toJSON());
    const statelessText = JSON.stringify(synth.statelessTemplate.toJSON());

    expect(statefulText).not.toContain('Fn::ImportValue');
    expect(statelessText).toContain('Fn::ImportValue');
    expect(synth.stateless.dependencies).toContain(synth.stateful);
    expect(synth.stateful.dependencies).toHaveLength(0);
  });

  it('protects the stateful stack from deletion', () => {
    expect(synth.stateful.terminationProtection).toBe(true);
  });

  it('deploys both stacks to the clusters’ region without looking anything up', () => {
    expect(synth.stateful.region).toBe('us-east-1');
    expect(synth.stateless.region).toBe('us-east-1');
    expect(synth.assembly.manifest.missing ?? []).toEqual([]);
  });
});

describe('stateful stack: pending-deliveries index', () => {
  it('indexes findings with a pending Slack delivery by due time, keys only, as the store queries it', () => {
    synth.statefulTemplate.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: [
        {
          IndexName: FINDINGS_TABLE.pendingIndex.name,
          KeySchema: [
            { AttributeName: FINDINGS_TABLE.pendingIndex.partitionKey, KeyType: 'HASH' },
            { AttributeName: FINDINGS_TABLE.pendingIndex.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
    });
  });
});

describe('stateful stack: evidence bucket', () => {
  function evidenceBucket() {
    const found = Object.entries(synth.statefulTemplate.findResources('AWS::S3::Bucket')).find(
      ([id]) => id.startsWith('Evidence') && !id.startsWith('EvidenceAccessLogs'),
    );
    if (found === undefined) throw new Error('no evidence bucket');
    return found[1] as { Properties: Record<string, unknown>; DeletionPolicy?: string };
  }

  it('is encrypted, versioned, private and named after the stack prefix, account and region', () => {
    expect(evidenceBucket().Properties).toMatchObject({
      BucketName: {
        'Fn::Join': ['', ['kubeguard-evidence-', { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }]],
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
  });

  it('logs every access to its own access-log bucket and is retained, as that bucket is', () => {
    const logging = evidenceBucket().Properties.LoggingConfiguration as Record<string, unknown>;

    expect(logging).toMatchObject({
      DestinationBucketName: { Ref: expect.stringMatching(/^EvidenceAccessLogs/) },
      LogFilePrefix: 'evidence/',
    });
    expect(evidenceBucket().DeletionPolicy).toBe('Retain');
    synth.statefulTemplate.allResources('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
  });

  it('refuses requests without TLS, on both buckets', () => {
    const policies = Object.values(synth.statefulTemplate.findResources('AWS::S3::BucketPolicy'));

    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      expect(JSON.stringify(policy)).toContain('"aws:SecureTransport":"false"');
    }
  });

  it('lets S3 log delivery write only the evidence bucket’s logs, by bucket policy rather than ACL', () => {
    const accessLogs = Object.entries(synth.statefulTemplate.findResources('AWS::S3::Bucket')).find(([id]) =>
      id.startsWith('EvidenceAccessLogs'),
    )?.[1] as { Properties: Record<string, unknown> };

    expect(accessLogs.Properties.AccessControl).toBeUndefined();
    synth.statefulTemplate.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Action: 's3:PutObject',
            Condition: Match.objectLike({
              ArnLike: {
                'aws:SourceArn': { 'Fn::GetAtt': [Match.stringLikeRegexp('^EvidenceBucket'), 'Arn'] },
              },
            }),
          }),
        ]),
      },
    });
  });
});
