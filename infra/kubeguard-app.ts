import { type App, Aspects, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { LoadedConfig } from './config.ts';
import { NotifyAlarmTopic } from './constructs/alarm-topic.ts';
import { StatefulStack } from './stacks/stateful-stack.ts';
import { StatelessStack } from './stacks/stateless-stack.ts';

export interface KubeguardStacksOptions {
  /**
   * Prefix of stack and physical resource names, so two deployments can share an account.
   * @default 'Kubeguard'
   */
  readonly prefix?: string;
  /**
   * Runs the cdk-nag AwsSolutions checks at synthesis; unacknowledged errors fail `cdk synth`.
   * @default true
   */
  readonly nag?: boolean;
}

export interface KubeguardStacks {
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
}

/**
 * Adds kubeguard's two stacks to an app. Both are deployed to the region of the configured clusters
 * (audit-log subscriptions must live in their log group's region) and to whatever account the CLI's
 * credentials name; nothing is looked up, so `cdk synth` works offline.
 */
export function addKubeguardStacks(
  app: App,
  loaded: LoadedConfig,
  options: KubeguardStacksOptions = {},
): KubeguardStacks {
  const prefix = options.prefix ?? 'Kubeguard';
  const env = { region: loaded.config.clusters[0]?.region };
  const guardDutyRuleName = `${prefix}-guardduty-eks-findings`;

  const stateful = new StatefulStack(app, `${prefix}-Stateful`, {
    env,
    description:
      'kubeguard data: findings table, Slack secrets, evidence bucket, action and dead-letter queues (retained)',
    deadLetterRuleNames: [guardDutyRuleName],
    resourcePrefix: prefix,
    terminationProtection: true,
  });
  const stateless = new StatelessStack(app, `${prefix}-Stateless`, {
    env,
    description:
      'kubeguard functions, the GuardDuty rule, the audit-log subscriptions, the schedules and the Slack endpoint',
    config: loaded.config,
    configJson: loaded.json,
    table: stateful.table,
    slackSecret: stateful.slackSecret,
    slackSigningSecret: stateful.slackSigningSecret,
    actionQueue: stateful.actionQueue.queue,
    deadLetterQueue: stateful.deadLetterQueue,
    resourcePrefix: prefix,
    guardDutyRuleName,
  });

  // Every alarm of both stacks, those added later included, reaches whoever subscribes to the topic.
  const notify = new NotifyAlarmTopic(stateful.alarmTopic.topic);
  Aspects.of(stateful).add(notify);
  Aspects.of(stateless).add(notify);

  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { stateful, stateless };
}
