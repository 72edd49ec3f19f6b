import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { BUNDLING_STACKS } from 'aws-cdk-lib/cx-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { type KubeguardConfigInput, parseConfig } from '#core/config/schema.ts';
import { loadConfig } from '#infra/config.ts';
import { addKubeguardStacks } from '#infra/kubeguard-app.ts';
import { type CfnResource, TWO_CLUSTERS } from './synth.ts';

/**
 * `remediation.workerVpc`: the action worker in the clusters' VPC, for clusters whose API endpoint is
 * private. Synthesized without bundling (the bundles are those of the default app).
 */

const SUBNETS = ['subnet-0a1b2c3d4e5f60718', 'subnet-0f1e2d3c4b5a69788'];
const SECURITY_GROUP = 'sg-0123456789abcdef0';
const WITH_VPC: KubeguardConfigInput = {
  ...TWO_CLUSTERS,
  remediation: { workerVpc: { subnetIds: SUBNETS, securityGroupIds: [SECURITY_GROUP] } },
};

interface Statement {
  Sid?: string;
  Action: string | string[];
  Resource: unknown;
}

let template: Template;
let nagErrors: string[];
beforeAll(() => {
  const app = new App({
    outdir: mkdtempSync(join(tmpdir(), 'kubeguard-vpc-')),
    context: { [BUNDLING_STACKS]: [] },
  });
  const { stateless } = addKubeguardStacks(app, loadConfig(WITH_VPC));
  const assembly = app.synth();
  template = Template.fromStack(stateless);
  const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as {
    pluginReports: { violations: { ruleName: string; severity: string }[] }[];
  };
  nagErrors = report.pluginReports
    .flatMap((plugin) => plugin.violations)
    .filter((v) => v.severity === 'error')
    .map((v) => v.ruleName);
});

function functions(): [string, CfnResource][] {
  return Object.entries(template.findResources('AWS::Lambda::Function') as Record<string, CfnResource>);
}

function workerStatements(): Statement[] {
  const policies = Object.entries(template.findResources('AWS::IAM::Policy') as Record<string, CfnResource>);
  return policies
    .filter(([id]) => id.includes('WorkerNetworkInterfaces'))
    .flatMap(
      ([, p]) => (p.Properties?.PolicyDocument as { Statement?: Statement[] } | undefined)?.Statement ?? [],
    );
}

const ec2 = (resource: string) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':ec2:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      `:${resource}`,
    ],
  ],
});

describe('the action worker in a VPC', () => {
  it('puts the worker, and only the worker, in the configured subnets and security group', () => {
    const inVpc = functions().filter(([, fn]) => fn.Properties?.VpcConfig !== undefined);

    expect(inVpc).toHaveLength(1);
    expect(JSON.stringify(inVpc[0]?.[1].Properties?.Environment)).toContain('"kubeguard-action-worker"');
    expect(inVpc[0]?.[1].Properties?.VpcConfig).toEqual({
      SubnetIds: SUBNETS,
      SecurityGroupIds: [SECURITY_GROUP],
    });
  });

  it('lets the worker role create network interfaces only in those subnets, behind that group', () => {
    const create = workerStatements().find((s) => s.Sid === 'CreateInterfacesInConfiguredSubnets');

    expect(create?.Action).toBe('ec2:CreateNetworkInterface');
    expect(create?.Resource).toEqual([
      ec2('network-interface/*'),
      ec2(`subnet/${SUBNETS[0]}`),
      ec2(`subnet/${SUBNETS[1]}`),
      ec2(`security-group/${SECURITY_GROUP}`),
    ]);
    expect(workerStatements().find((s) => s.Sid === 'ManageWorkerInterfaces')).toMatchObject({
      Action: [
        'ec2:DeleteNetworkInterface',
        'ec2:AssignPrivateIpAddresses',
        'ec2:UnassignPrivateIpAddresses',
      ],
      Resource: ec2('network-interface/*'),
    });
    expect(workerStatements().find((s) => s.Sid === 'DescribeNetworkInterfaces')).toMatchObject({
      Action: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'],
      Resource: '*',
    });
  });

  it('attaches those grants to the worker (remediation) role alone', () => {
    const policies = Object.entries(
      template.findResources('AWS::IAM::Policy') as Record<string, CfnResource>,
    );
    const withEc2 = policies.filter(([, p]) =>
      JSON.stringify(p.Properties?.PolicyDocument).includes('"ec2:'),
    );

    expect(withEc2.map(([, p]) => p.Properties?.Roles)).toEqual([
      [{ Ref: expect.stringMatching(/^RemediationWorkerRole/) }],
    ]);
  });

  it('leaves no unacknowledged cdk-nag error', () => {
    expect(nagErrors).toEqual([]);
  });
});

describe('remediation.workerVpc in kubeguard.config.json', () => {
  const base = {
    clusters: [{ name: 'prod-cluster', region: 'us-east-1' }],
    slack: { defaultChannel: '#sec' },
  };
  const withVpc = (workerVpc: unknown) => ({ ...base, remediation: { workerVpc } });

  it('is absent by default: the worker runs outside any VPC', () => {
    expect(parseConfig(base).remediation.workerVpc).toBeUndefined();
  });

  it('keeps the subnets and security groups given', () => {
    const config = parseConfig(withVpc({ subnetIds: SUBNETS, securityGroupIds: [SECURITY_GROUP] }));

    expect(config.remediation.workerVpc).toEqual({ subnetIds: SUBNETS, securityGroupIds: [SECURITY_GROUP] });
  });

  it.each([
    [
      { subnetIds: ['subnet-xyz'], securityGroupIds: [SECURITY_GROUP] },
      'remediation.workerVpc.subnetIds.0: must be a subnet id such as subnet-0123456789abcdef0',
    ],
    [
      { subnetIds: SUBNETS, securityGroupIds: ['default'] },
      'remediation.workerVpc.securityGroupIds.0: must be a security group id such as sg-0123456789abcdef0',
    ],
    [
      { subnetIds: [], securityGroupIds: [SECURITY_GROUP] },
      'remediation.workerVpc.subnetIds: list at least one subnet',
    ],
    [
      { subnetIds: SUBNETS, securityGroupIds: [] },
      'remediation.workerVpc.securityGroupIds: list at least one security group',
    ],
    [
      {
        subnetIds: SUBNETS,
        securityGroupIds: Array.from({ length: 6 }, (_, i) => `sg-0123456789abcdef${i}`),
      },
      'remediation.workerVpc.securityGroupIds: Lambda allows at most 5 security groups',
    ],
  ])('refuses %o, naming the field and the fix', (workerVpc, message) => {
    expect(() => parseConfig(withVpc(workerVpc), 'kubeguard.config.json')).toThrow(message);
  });
});
