import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type SynthesizedKubeguard, synthesizeKubeguard } from './synth.ts';

interface Violation {
  ruleName: string;
  severity: string;
  violatingConstructs: { constructPath: string }[];
}

interface ValidationReport {
  pluginReports: { pluginName: string; violations: Violation[] }[];
}

/** cdk-nag 3 is a policy-validation plugin: its findings land in the assembly's validation report. */
function nagErrors(assemblyDirectory: string): string[] {
  const report = JSON.parse(
    readFileSync(join(assemblyDirectory, 'validation-report.json'), 'utf8'),
  ) as ValidationReport;
  return report.pluginReports
    .filter((plugin) => plugin.pluginName === 'AwsSolutions')
    .flatMap((plugin) => plugin.violations)
    .filter((violation) => violation.severity === 'error')
    .flatMap((violation) =>
      violation.violatingConstructs.map((c) => `${violation.ruleName} at ${c.constructPath}`),
    );
}

function acknowledgments(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          // aws-cdk-lib records bare rule ids under the Annotation namespace; cdk-nag matches the bare id.
          id: id.replace(/^Annotation::/, ''),
          reason,
        })),
      ),
  );
}

let synth: SynthesizedKubeguard;
beforeAll(() => {
  synth = synthesizeKubeguard();
});

describe('cdk-nag AwsSolutions checks', () => {
  it('leave no unacknowledged error in the kubeguard app', () => {
    expect(nagErrors(synth.assembly.directory)).toEqual([]);
  });

  it('would fail synthesis on an unacknowledged error (the check above is live)', () => {
    const app = new App();
    new Queue(new Stack(app, 'Careless'), 'PlainQueue');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

    expect(() => app.synth()).toThrow(/AwsSolutions-SQS4/);
  });

  it('acknowledges only AwsSolutions rules, each on one construct with a specific reason', () => {
    const acks = acknowledgments(synth.app);

    const arn = (service: string, resource: string) =>
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:${service}:us-east-1:<AWS::AccountId>:${resource}]`;
    expect(acks.map((a) => a.id).sort()).toEqual(
      [
        // X-Ray, on each of the seven function roles.
        ...Array.from({ length: 7 }, () => 'AwsSolutions-IAM5[Resource::*]'),
        // The posture audit's reads: region-wide calls, then each wildcard ARN.
        'AwsSolutions-IAM5[Resource::*]',
        ...['prod-cluster', 'staging-cluster'].flatMap((cluster) => [
          arn('eks', `addon/${cluster}/*`),
          arn('eks', `access-entry/${cluster}/*`),
          arn('eks', `nodegroup/${cluster}/*`),
        ]),
        arn('guardduty', 'detector/*'),
        arn('secretsmanager', 'secret:*'),
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::kubeguard-evidence-<AWS::AccountId>-<AWS::Region>/audits/*]',
        // The remediation worker: forensic bundles, opted-in secrets (rotation functions by ARN).
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::kubeguard-evidence-<AWS::AccountId>-<AWS::Region>/forensics/*]',
        arn('secretsmanager', 'secret:*'),
        // The action worker's on-demand audit (/k8s audit): the posture audit's grants, and reading reports.
        'AwsSolutions-IAM5[Resource::*]',
        ...['prod-cluster', 'staging-cluster'].flatMap((cluster) => [
          arn('eks', `addon/${cluster}/*`),
          arn('eks', `access-entry/${cluster}/*`),
          arn('eks', `nodegroup/${cluster}/*`),
        ]),
        arn('guardduty', 'detector/*'),
        arn('secretsmanager', 'secret:*'),
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::kubeguard-evidence-<AWS::AccountId>-<AWS::Region>/audits/*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::kubeguard-evidence-<AWS::AccountId>-<AWS::Region>/audits/*]',
        'AwsSolutions-IAM5[Resource::*]',
        // The action worker's evidence packs (/k8s evidence, the monthly pack): write and link under evidence-packs/.
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::kubeguard-evidence-<AWS::AccountId>-<AWS::Region>/evidence-packs/*]',
        'AwsSolutions-S1',
        // The Slack endpoint: Slack signs its requests instead of an IAM or token authorizer.
        'AwsSolutions-APIG4',
        // The bot token and the signing secret are issued by Slack.
        'AwsSolutions-SMG4',
        'AwsSolutions-SMG4',
        // The event and action dead-letter queues.
        'AwsSolutions-SQS3',
        'AwsSolutions-SQS3',
      ].sort(),
    );
    for (const ack of acks) {
      expect(ack.path).not.toMatch(/^Kubeguard-(Stateful|Stateless)$/);
      expect(ack.reason.length).toBeGreaterThan(60);
    }
  });
});
