import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { resourcesOf, type SynthesizedKubeguard, synthesizeKubeguard, TWO_CLUSTERS } from './synth.ts';

let plain: SynthesizedKubeguard;
let locked: SynthesizedKubeguard;

beforeAll(() => {
  plain = synthesizeKubeguard();
  locked = synthesizeKubeguard({
    ...TWO_CLUSTERS,
    evidence: { schedule: true, channel: '#compliance', objectLock: { mode: 'GOVERNANCE', days: 400 } },
  });
}, 240_000);

function workerId(synth: SynthesizedKubeguard): string {
  const functions = resourcesOf(synth.statelessTemplate, 'AWS::Lambda::Function');
  const found = Object.entries(functions).find(([, fn]) =>
    String(fn.Properties?.Description ?? '').includes('runs queued Slack requests'),
  );
  if (found === undefined) throw new Error('no action worker');
  return found[0];
}

const PACKS = {
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':s3:::kubeguard-evidence-',
      { Ref: 'AWS::AccountId' },
      '-',
      { Ref: 'AWS::Region' },
      '/evidence-packs/*',
    ],
  ],
};

describe('evidence packs in AWS', () => {
  it('lets the worker write packs with their retention and read them for the link, under evidence-packs/ only', () => {
    for (const synth of [plain, locked]) {
      synth.statelessTemplate.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: [
            {
              Sid: 'StoreEvidencePacks',
              Effect: 'Allow',
              Action: ['s3:PutObject', 's3:PutObjectRetention'],
              Resource: PACKS,
            },
            { Sid: 'LinkEvidencePacks', Effect: 'Allow', Action: 's3:GetObject', Resource: PACKS },
          ],
        },
      });
    }
    // Nothing lets it delete a pack or bypass a retention.
    const json = JSON.stringify(plain.statelessTemplate.toJSON());
    expect(json).not.toContain('s3:BypassGovernanceRetention');
    expect(json).not.toContain('s3:DeleteObject');
  });

  it('creates the bucket with Object Lock only when evidence.objectLock is configured, without a default retention', () => {
    locked.statefulTemplate.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
      ObjectLockEnabled: true,
      VersioningConfiguration: { Status: 'Enabled' },
      ObjectLockConfiguration: Match.absent(),
    });
    const buckets = Object.values(resourcesOf(plain.statefulTemplate, 'AWS::S3::Bucket'));
    expect(buckets.every((bucket) => bucket.Properties?.ObjectLockEnabled === undefined)).toBe(true);
  });

  it('runs the monthly pack on the 1st at 06:00 UTC through the action worker, only when the schedule is on', () => {
    locked.statelessTemplate.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0 6 1 * ? *)',
      State: 'ENABLED',
      Targets: [
        {
          Arn: { 'Fn::GetAtt': [workerId(locked), 'Arn'] },
          Input: JSON.stringify({ kubeguard: 'monthly-evidence-pack' }),
          RetryPolicy: { MaximumRetryAttempts: 2 },
        },
      ],
    });
    locked.statelessTemplate.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [workerId(locked), 'Arn'] },
      Principal: 'events.amazonaws.com',
    });
    const rules = Object.values(resourcesOf(plain.statelessTemplate, 'AWS::Events::Rule'));
    expect(
      rules.some((rule) => String(rule.Properties?.ScheduleExpression ?? '').startsWith('cron(0 6 1 ')),
    ).toBe(false);
  });
});
