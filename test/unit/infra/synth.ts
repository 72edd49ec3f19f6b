import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { KubeguardConfigInput } from '#core/config/schema.ts';
import { type LoadedConfig, loadConfig } from '#infra/config.ts';
import { addKubeguardStacks, type KubeguardStacks } from '#infra/kubeguard-app.ts';

/** Two clusters in one region, one with its audit log group named explicitly. */
export const TWO_CLUSTERS: KubeguardConfigInput = {
  clusters: [
    { name: 'prod-cluster', region: 'us-east-1' },
    { name: 'staging-cluster', region: 'us-east-1', auditLogGroup: '/custom/staging/audit' },
  ],
  slack: { defaultChannel: '#kubeguard-alerts' },
};

export interface SynthesizedKubeguard extends KubeguardStacks {
  readonly app: App;
  readonly loaded: LoadedConfig;
  readonly assembly: CloudAssembly;
  readonly statefulTemplate: Template;
  readonly statelessTemplate: Template;
}

/**
 * Synthesizes the real app (cdk-nag included, local esbuild bundling of the real handlers) into a
 * temporary directory. A synthesis takes a few seconds, so test files build it once in `beforeAll`.
 */
export function synthesizeKubeguard(raw: KubeguardConfigInput = TWO_CLUSTERS): SynthesizedKubeguard {
  const app = new App({
    outdir: mkdtempSync(join(tmpdir(), 'kubeguard-cdk-')),
    // As under the CDK CLI: resources name their asset directory in Metadata.
    context: { 'aws:cdk:enable-asset-metadata': true },
  });
  const loaded = loadConfig(raw);
  const stacks = addKubeguardStacks(app, loaded);
  const assembly = app.synth();
  return {
    app,
    loaded,
    assembly,
    ...stacks,
    statefulTemplate: Template.fromStack(stacks.stateful),
    statelessTemplate: Template.fromStack(stacks.stateless),
  };
}

export type CfnResource = {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
};

/** The resources of one type in a template, by logical id. */
export function resourcesOf(template: Template, type: string): Record<string, CfnResource> {
  return template.findResources(type) as Record<string, CfnResource>;
}
