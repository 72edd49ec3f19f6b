import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { BUNDLING_STACKS } from 'aws-cdk-lib/cx-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '#infra/config.ts';
import { addKubeguardStacks } from '#infra/kubeguard-app.ts';
import { type CfnResource, TWO_CLUSTERS } from './synth.ts';

/**
 * `/k8s audit` runs in the action worker: its role gets the posture audit function's own read and
 * export grants, and reads stored reports back for Show details — nothing more, cdk-nag clean.
 */

interface Statement {
  Sid?: string;
  Action: string | string[];
  Resource: unknown;
}

let template: Template;
let nagErrors: string[];
beforeAll(() => {
  const app = new App({
    outdir: mkdtempSync(join(tmpdir(), 'kubeguard-worker-audit-')),
    context: { [BUNDLING_STACKS]: [] },
  });
  const { stateless } = addKubeguardStacks(app, loadConfig(TWO_CLUSTERS));
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

function statementsOf(policyId: string): Statement[] {
  const policies = Object.entries(template.findResources('AWS::IAM::Policy') as Record<string, CfnResource>);
  return policies
    .filter(([id]) => id.includes(policyId))
    .flatMap(
      ([, p]) => (p.Properties?.PolicyDocument as { Statement?: Statement[] } | undefined)?.Statement ?? [],
    );
}

describe('the action worker’s on-demand audit access', () => {
  it('mirrors the posture audit function’s grants and adds reading reports under audits/', () => {
    const worker = statementsOf('WorkerPostureAudit');
    const scheduled = statementsOf('PostureAuditReads');

    expect(worker.map((s) => s.Sid)).toEqual([...scheduled.map((s) => s.Sid), 'ReadAuditReports']);
    expect(worker.slice(0, scheduled.length)).toEqual(scheduled);
    expect(worker.at(-1)?.Action).toBe('s3:GetObject');
    expect(JSON.stringify(worker.at(-1)?.Resource)).toContain('/audits/*');
  });

  it('leaves cdk-nag without errors', () => {
    expect(nagErrors).toEqual([]);
  });
});
