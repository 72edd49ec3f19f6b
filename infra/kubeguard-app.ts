import { type App, Aspects, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { configuredRegions } from '#core/config/accounts.ts';
import type { LoadedConfig } from './config.ts';
import { NotifyAlarmTopic } from './constructs/alarm-topic.ts';
import { CrossAccountAuditLogs } from './constructs/cross-account-audit-logs.ts';
import { memberAccountsIn, memberClusters, physicalNames } from './names.ts';
import {
  allowAssumingMemberRoles,
  MemberAccountStack,
  MemberRegionStack,
} from './stacks/member-account-stack.ts';
import { RegionalStack } from './stacks/regional-stack.ts';
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
  /** One per configured region other than the home region, in the home account. */
  readonly regional: readonly RegionalStack[];
  /** One per member account: its role, and its clusters of the home region. */
  readonly members: readonly MemberAccountStack[];
  /** One per member account and other region with clusters of that account. */
  readonly memberRegions: readonly MemberRegionStack[];
}

/**
 * Adds every stack of one configuration to an app (decision D57): the two home stacks in
 * `home.region` (and `home.account` when set, else whatever account the CLI's credentials name); a
 * regional stack in the home account for each other configured region; for each member account a
 * stack with its role (and its clusters of the home region), and one more for each other region with
 * clusters of that account. Nothing is looked up, so `cdk synth` works offline.
 */
export function addKubeguardStacks(
  app: App,
  loaded: LoadedConfig,
  options: KubeguardStacksOptions = {},
): KubeguardStacks {
  const prefix = options.prefix ?? 'Kubeguard';
  const { config } = loaded;
  const home = config.home;
  const env = { region: home.region, ...(home.account === undefined ? {} : { account: home.account }) };
  const guardDutyRuleName = `${prefix}-guardduty-eks-findings`;
  const inspectorRuleName = `${prefix}-inspector-ecr-findings`;

  const stateful = new StatefulStack(app, `${prefix}-Stateful`, {
    env,
    description:
      'kubeguard data: findings table, Slack secrets, evidence bucket, action and dead-letter queues (retained)',
    deadLetterRuleNames: [guardDutyRuleName, inspectorRuleName],
    resourcePrefix: prefix,
    evidenceObjectLock: loaded.config.evidence.objectLock !== undefined,
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
    inspectorRuleName,
    alarmTopic: stateful.alarmTopic.topic,
    actionDeadLetterQueue: stateful.actionQueue.deadLetterQueue,
  });

  addMemberAccountAccess(stateful, stateless, loaded, prefix);
  const regional = configuredRegions(config)
    .filter((region) => region !== home.region)
    .map(
      (region) =>
        new RegionalStack(app, `${prefix}-Regional-${region}`, {
          env: { ...env, region },
          description: `kubeguard in ${region}: GuardDuty findings forwarded to ${home.region}, audit-log ingest`,
          config,
          configJson: loaded.json,
          resourcePrefix: prefix,
        }),
    );
  const members: MemberAccountStack[] = [];
  const memberRegions: MemberRegionStack[] = [];
  for (const member of config.accounts) {
    // loadConfig refuses member accounts without a home account.
    const homeAccount = home.account as string;
    const shared = { config, member, homeAccount, resourcePrefix: prefix };
    members.push(
      new MemberAccountStack(app, `${prefix}-Member-${member.id}`, {
        ...shared,
        env: { account: member.id, region: home.region },
        description: `kubeguard member account ${member.name}: the role kubeguard assumes, audit-log subscriptions`,
      }),
    );
    const regions = new Set(memberClusters(config, member.id).map((cluster) => cluster.region));
    for (const region of regions) {
      if (region === home.region) continue;
      memberRegions.push(
        new MemberRegionStack(app, `${prefix}-Member-${member.id}-${region}`, {
          ...shared,
          env: { account: member.id, region },
          description: `kubeguard member account ${member.name} in ${region}: audit-log subscriptions, access entries`,
        }),
      );
    }
  }

  // Every alarm of both stacks, those added later included, reaches whoever subscribes to the topic.
  const notify = new NotifyAlarmTopic(stateful.alarmTopic.topic);
  Aspects.of(stateful).add(notify);
  Aspects.of(stateless).add(notify);

  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { stateful, stateless, regional, members, memberRegions };
}

/**
 * In the home stacks: the posture audit and the action worker may assume the member roles, and
 * member accounts' clusters of the home region send their audit logs to the home audit-logs function.
 */
function addMemberAccountAccess(
  stateful: StatefulStack,
  stateless: StatelessStack,
  loaded: LoadedConfig,
  prefix: string,
): void {
  const { config } = loaded;
  allowAssumingMemberRoles(
    stateless,
    'AssumeMemberRoles',
    [stateless.postureAudit.role, stateless.remediation.role],
    config.accounts,
  );
  const members = memberAccountsIn(config, config.home.region);
  if (members.length === 0) return;
  new CrossAccountAuditLogs(stateless, 'CrossAccountAuditLogs', {
    memberAccounts: members,
    destinationName: physicalNames(prefix).auditLogsDestination,
    auditLogs: stateless.auditLogs.function,
    deadLetterQueue: stateful.deadLetterQueue,
  });
}
