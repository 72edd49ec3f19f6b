import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Duration, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnSchedule } from 'aws-cdk-lib/aws-scheduler';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { CHART_FONT_FILE, RESVG_WASM_FILE } from '../../adapters/chart/png.ts';
import { KubeguardFunction } from './kubeguard-function.ts';
import { type BundledFile, copyFilesHooks } from './lambda-bundle.ts';

/**
 * Posture digests: one EventBridge Scheduler schedule invokes the digest function every 15 minutes;
 * the function sends the digests that are due (Monday or daily 09:00 in each subscriber's zone),
 * each exactly once through the send ledger in the table (decision D46). The bundle carries resvg's
 * WebAssembly and the chart font beside its code.
 */
export const DIGEST_ENTRY = fileURLToPath(new URL('../../lambdas/digest/handler.ts', import.meta.url));
export const DIGEST_RATE = Duration.minutes(15);
const FONT_PATH = fileURLToPath(new URL(`../../adapters/chart/fonts/${CHART_FONT_FILE}`, import.meta.url));
const WASM_PATH = createRequire(import.meta.url).resolve('@resvg/resvg-wasm/index_bg.wasm');

/**
 * resvg's WebAssembly and the chart font, read beside the chart code (adapters/chart/png.ts) by the
 * digest function and the action worker (`/k8s digest preview` draws the same chart).
 */
export const CHART_FILES: readonly BundledFile[] = Object.freeze([
  { source: WASM_PATH, name: RESVG_WASM_FILE, readBy: 'adapters/chart/png.ts' },
  { source: FONT_PATH, name: CHART_FONT_FILE, readBy: 'adapters/chart/png.ts' },
]);

/** Bundling hooks copying `CHART_FILES` beside a one-file bundle's code. */
export const CHART_ASSET_HOOKS = Object.freeze(copyFilesHooks(CHART_FILES));

export interface DigestProps {
  readonly configJson: string;
  readonly table: ITable;
  readonly slackSecret: ISecret;
}

export class Digest extends Construct {
  readonly function: KubeguardFunction;
  readonly schedule: CfnSchedule;
  /** What EventBridge Scheduler assumes: invoke this one function, nothing else. */
  readonly scheduleRole: Role;

  constructor(scope: Construct, id: string, props: DigestProps) {
    super(scope, id);
    this.function = new KubeguardFunction(this, 'Function', {
      name: 'digest',
      entry: DIGEST_ENTRY,
      description: 'kubeguard: sends the posture digests that are due, once each, with their chart',
      configJson: props.configJson,
      environment: {
        KUBEGUARD_TABLE_NAME: props.table.tableName,
        SLACK_SECRET_ARN: props.slackSecret.secretArn,
      },
      // The chart's WebAssembly compiles in ~0.7 s at 512 MB; a run stops starting digests 40 s before its end.
      memorySize: 512,
      timeout: Duration.minutes(5),
      // The next scheduled run retries whatever failed; a retried invocation would only race it.
      retryAttempts: 0,
      maxEventAge: Duration.minutes(15),
      commandHooks: CHART_ASSET_HOOKS,
    });
    // Subscriptions and history (Query), the send ledger (GetItem, conditional UpdateItem), findings
    // listed by scanning the table (decision D37), audit-trail pages (Query) — the table only, no index.
    this.function.role.addToPolicy(
      new PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:Scan'],
        resources: [props.table.tableArn],
      }),
    );
    props.slackSecret.grantRead(this.function.role);
    // The L1 schedule with a role of our own: the L2 target grants `<function ARN>:*` (every version),
    // and this role may invoke the function by its name only.
    const stack = Stack.of(this);
    this.scheduleRole = new Role(this, 'ScheduleRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'kubeguard digest schedule: invokes the digest function',
    });
    this.scheduleRole.addToPolicy(
      new PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [this.function.function.functionArn],
      }),
    );
    this.schedule = new CfnSchedule(this, 'Schedule', {
      description: 'kubeguard: every 15 minutes, send the posture digests that are due',
      scheduleExpression: `rate(${DIGEST_RATE.toMinutes()} minutes)`,
      flexibleTimeWindow: { mode: 'OFF' },
      target: {
        arn: this.function.function.functionArn,
        roleArn: this.scheduleRole.roleArn,
        // The next run retries what failed; a retried invocation would only race it.
        retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 900 },
      },
    });
  }
}
