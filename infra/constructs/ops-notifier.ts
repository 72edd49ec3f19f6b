import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { KubeguardFunction } from './kubeguard-function.ts';

export const ALARM_NOTIFIER_ENTRY = fileURLToPath(
  new URL('../../lambdas/alarm-notifier/handler.ts', import.meta.url),
);

export interface OpsNotifierProps {
  readonly configJson: string;
  /** The topic every kubeguard alarm notifies (alarm-topic.ts). */
  readonly topic: ITopic;
  /** The bot token (`{"botToken": "xoxb-…"}`). */
  readonly slackSecret: ISecret;
  /** Its physical name: regional stacks subscribe it to their alarm topics by ARN (infra/names.ts). */
  readonly functionName: string;
  /** The regional stacks' alarm topics allowed to invoke it. @default none */
  readonly regionalTopicArns?: readonly string[];
}

/**
 * kubeguard's alarms in Slack: a small function subscribed to the alarm topic posts each alarm
 * state change (ALARM and OK) to `slack.opsChannel` with the bot token. Made only when the channel
 * is configured; the topic's other subscribers (e-mail, a pager) are unaffected either way.
 */
export class OpsNotifier extends Construct {
  readonly function: KubeguardFunction;

  constructor(scope: Construct, id: string, props: OpsNotifierProps) {
    super(scope, id);
    this.function = new KubeguardFunction(this, 'Function', {
      name: 'alarm-notifier',
      functionName: props.functionName,
      entry: ALARM_NOTIFIER_ENTRY,
      description: 'kubeguard: posts kubeguard’s own alarm state changes to the Slack ops channel',
      configJson: props.configJson,
      environment: { SLACK_SECRET_ARN: props.slackSecret.secretArn },
      timeout: Duration.seconds(30),
      // SNS invokes it asynchronously: Lambda retries a failed post twice, and an alarm state
      // change older than an hour is history (the topic's other subscribers have it).
      retryAttempts: 2,
      maxEventAge: Duration.hours(1),
    });
    props.slackSecret.grantRead(this.function.role);
    // The subscription lands in this stack (beside the function), so references flow stateful → stateless.
    props.topic.addSubscription(new LambdaSubscription(this.function.function));
    // Regional stacks' alarms reach the channel too: their topics (in other regions, same account)
    // subscribe this function by ARN, and SNS may invoke it for exactly those topics.
    (props.regionalTopicArns ?? []).forEach((topicArn, index) => {
      this.function.function.addPermission(`RegionalAlarmTopic${index}`, {
        principal: new ServicePrincipal('sns.amazonaws.com'),
        sourceArn: topicArn,
      });
    });
  }
}
