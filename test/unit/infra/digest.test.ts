import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { resourcesOf, type SynthesizedKubeguard, synthesizeKubeguard } from './synth.ts';

let synth: SynthesizedKubeguard;

beforeAll(() => {
  synth = synthesizeKubeguard();
}, 120_000);

function digestFunctionId(): string {
  const functions = resourcesOf(synth.statelessTemplate, 'AWS::Lambda::Function');
  const found = Object.entries(functions).find(([, fn]) =>
    String((fn.Properties?.Description as string | undefined) ?? '').includes('posture digests'),
  );
  if (found === undefined) throw new Error('no digest function in the stateless stack');
  return found[0];
}

describe('the digest function and its schedule', () => {
  it('is invoked every 15 minutes by one EventBridge Scheduler schedule, without retries', () => {
    synth.statelessTemplate.resourceCountIs('AWS::Scheduler::Schedule', 1);
    synth.statelessTemplate.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(15 minutes)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: { 'Fn::GetAtt': [digestFunctionId(), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 900 },
      },
    });
  });

  it('lets the schedule invoke that function by name only, for this account', () => {
    synth.statelessTemplate.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Action: 'lambda:InvokeFunction',
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [digestFunctionId(), 'Arn'] },
          },
        ],
      },
    });
    synth.statelessTemplate.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ],
      },
    });
  });

  it('reads and claims on the table only, and reads the Slack secret', () => {
    synth.statelessTemplate.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:Scan'],
            Resource: Match.objectLike({ 'Fn::ImportValue': Match.anyValue() }),
          }),
        ]),
      },
    });
  });

  it('carries resvg’s WebAssembly and the chart font beside its code', () => {
    const fn = resourcesOf(synth.statelessTemplate, 'AWS::Lambda::Function')[digestFunctionId()];
    const assetPath = fn?.Metadata?.['aws:asset:path'];
    expect(typeof assetPath).toBe('string');
    const dir = join(synth.assembly.directory, String(assetPath));
    expect(existsSync(join(dir, 'index.mjs'))).toBe(true);
    expect(statSync(join(dir, 'resvg.wasm')).size).toBe(2_478_606);
    expect(statSync(join(dir, 'roboto-regular-ascii.ttf')).size).toBe(13_012);
  });
});
