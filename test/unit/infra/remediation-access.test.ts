import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { type ClusterConfig, parseConfig } from '#core/config/schema.ts';
import { ConfigError } from '#core/errors.ts';
import { RemediationAccess } from '#infra/constructs/remediation-access.ts';

/**
 * The remediation worker's IAM, statement by statement: each says exactly what it allows, and each
 * cdk-nag acknowledgment says the same.
 */

const CLUSTERS: ClusterConfig[] = [
  { name: 'prod-cluster', region: 'us-east-1', auditLogGroup: '/aws/eks/prod-cluster/cluster' },
];
const ROTATE_DB = 'arn:aws:lambda:us-east-1:111122223333:function:rotate-orders-db';
const ROTATE_CACHE = 'arn:aws:lambda:us-east-1:111122223333:function:rotate-cache-token';

interface Statement {
  Sid: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

interface Synthesized {
  statements: Map<string, Statement>;
  acknowledgments: Record<string, string>;
  nagErrors: string[];
}

function synthesize(rotationFunctionArns?: readonly string[]): Synthesized {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'kubeguard-remediation-')) });
  const stack = new Stack(app, 'Remediation', { env: { account: '111122223333', region: 'us-east-1' } });
  new RemediationAccess(stack, 'Remediation', {
    clusters: CLUSTERS,
    resourcePrefix: 'kubeguard',
    ...(rotationFunctionArns === undefined ? {} : { rotationFunctionArns }),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const assembly = app.synth();
  const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
  const statements = Object.values(policies).flatMap(
    (p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
  );
  const acknowledgments = Object.assign(
    {},
    ...stack.node
      .findAll()
      .flatMap((c) => c.node.metadata)
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      // aws-cdk-lib records bare rule ids under the Annotation namespace; cdk-nag matches the bare id.
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
      .map(([id, reason]) => ({ [id.replace(/^Annotation::/, '')]: reason })),
  ) as Record<string, string>;
  return {
    statements: new Map(statements.map((s) => [s.Sid, s])),
    acknowledgments,
    nagErrors: nagErrors(assembly.directory),
  };
}

function nagErrors(directory: string): string[] {
  const report = JSON.parse(readFileSync(join(directory, 'validation-report.json'), 'utf8')) as {
    pluginReports: { violations: { ruleName: string; severity: string }[] }[];
  };
  return report.pluginReports
    .flatMap((plugin) => plugin.violations)
    .filter((violation) => violation.severity === 'error')
    .map((violation) => violation.ruleName);
}

const SECRETS = {
  'Fn::Join': [
    '',
    ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:us-east-1:', { Ref: 'AWS::AccountId' }, ':secret:*'],
  ],
};
const TAG = 'secretsmanager:ResourceTag/kubeguard.io/rotation';

describe('remediation worker IAM', () => {
  const synth = synthesize([ROTATE_DB, ROTATE_CACHE]);

  it('describes only secrets opted in with kubeguard.io/rotation=rotate or generate', () => {
    expect(synth.statements.get('DescribeOptedInSecrets')).toEqual({
      Sid: 'DescribeOptedInSecrets',
      Effect: 'Allow',
      Action: 'secretsmanager:DescribeSecret',
      Resource: SECRETS,
      Condition: { StringEquals: { [TAG]: ['rotate', 'generate'] } },
    });
  });

  it('starts a rotation only on secrets tagged kubeguard.io/rotation=rotate', () => {
    expect(synth.statements.get('RotateSecretsTaggedRotate')).toEqual({
      Sid: 'RotateSecretsTaggedRotate',
      Effect: 'Allow',
      Action: 'secretsmanager:RotateSecret',
      Resource: SECRETS,
      Condition: { StringEquals: { [TAG]: 'rotate' } },
    });
  });

  it('writes a generated value only into secrets tagged kubeguard.io/rotation=generate', () => {
    expect(synth.statements.get('WriteGeneratedValuesTaggedGenerate')).toEqual({
      Sid: 'WriteGeneratedValuesTaggedGenerate',
      Effect: 'Allow',
      Action: 'secretsmanager:PutSecretValue',
      Resource: SECRETS,
      Condition: { StringEquals: { [TAG]: 'generate' } },
    });
  });

  it('lets no statement change or read a secret on the mere presence of the tag key', () => {
    const secretStatements = [...synth.statements.values()].filter((s) =>
      [s.Action]
        .flat()
        .some((a) => a.startsWith('secretsmanager:') && a !== 'secretsmanager:GetRandomPassword'),
    );

    expect(secretStatements.map((s) => s.Sid).sort()).toEqual([
      'DescribeOptedInSecrets',
      'RotateSecretsTaggedRotate',
      'WriteGeneratedValuesTaggedGenerate',
    ]);
    for (const s of secretStatements) expect(JSON.stringify(s.Condition)).not.toContain('Null');
    expect(JSON.stringify([...synth.statements.values()])).not.toContain('GetSecretValue');
  });

  it('invokes exactly the configured rotation functions, by ARN', () => {
    expect(synth.statements.get('StartConfiguredRotationFunctions')).toEqual({
      Sid: 'StartConfiguredRotationFunctions',
      Effect: 'Allow',
      Action: 'lambda:InvokeFunction',
      Resource: [ROTATE_DB, ROTATE_CACHE],
    });
    const invokes = [...synth.statements.values()].filter((s) =>
      [s.Action].flat().includes('lambda:InvokeFunction'),
    );
    expect(invokes).toHaveLength(1);
  });

  it('invokes no function at all when none is configured (managed rotation needs none)', () => {
    const none = synthesize();

    expect(JSON.stringify([...none.statements.values()])).not.toContain('lambda:');
    expect(Object.keys(none.acknowledgments).filter((id) => id.includes(':lambda:'))).toEqual([]);
  });

  it('acknowledges each wildcard to cdk-nag with what the statements on it really allow', () => {
    const secretWildcard =
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:us-east-1:<AWS::AccountId>:secret:*]';

    expect(Object.keys(synth.acknowledgments).sort()).toEqual(
      [
        'AwsSolutions-IAM5[Resource::*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::kubeguard-evidence-<AWS::AccountId>-<AWS::Region>/forensics/*]',
        secretWildcard,
      ].sort(),
    );
    const reason = synth.acknowledgments[secretWildcard] ?? '';
    expect(reason).toMatch(/DescribeSecret .*rotate or generate/);
    expect(reason).toMatch(/RotateSecret only where it is rotate/);
    expect(reason).toMatch(/PutSecretValue only where it is generate/);
    expect(synth.nagErrors).toEqual([]);
  });

  it('refuses a rotation function outside the clusters’ regions, naming it', () => {
    const elsewhere = 'arn:aws:lambda:eu-west-1:111122223333:function:rotate-orders-db';

    expect(() => synthesize([elsewhere])).toThrow(ConfigError);
    expect(() => synthesize([elsewhere])).toThrow(
      /remediation\.rotationFunctionArns: arn:aws:lambda:eu-west-1:111122223333:function:rotate-orders-db is in eu-west-1, but the clusters are in us-east-1/,
    );
  });
});

describe('remediation.rotationFunctionArns in kubeguard.config.json', () => {
  const base = {
    clusters: [{ name: 'prod-cluster', region: 'us-east-1' }],
    slack: { defaultChannel: '#sec' },
  };

  it('defaults to no function', () => {
    expect(parseConfig(base).remediation).toMatchObject({ rotationFunctionArns: [] });
  });

  it('keeps each configured ARN once', () => {
    const config = parseConfig({ ...base, remediation: { rotationFunctionArns: [ROTATE_DB, ROTATE_DB] } });

    expect(config.remediation.rotationFunctionArns).toEqual([ROTATE_DB]);
  });

  it('refuses a wildcard or a non-function ARN, naming the field and the expected form', () => {
    for (const arn of ['arn:aws:lambda:us-east-1:111122223333:function:*', 'rotate-orders-db']) {
      expect(() => parseConfig({ ...base, remediation: { rotationFunctionArns: [arn] } })).toThrow(
        'invalid configuration: remediation.rotationFunctionArns.0: must be a Lambda function ARN such as arn:aws:lambda:us-east-1:111122223333:function:rotate-db',
      );
    }
  });
});
