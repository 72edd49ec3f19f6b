import { Aws, type IAspect, RemovalPolicy } from 'aws-cdk-lib';
import { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { Construct, type IConstruct } from 'constructs';

/**
 * Where every kubeguard alarm goes: one SNS topic, so an alarm reaches a person (an e-mail, a pager,
 * AWS Chatbot) instead of only turning red in the console. Subscriptions are added to the topic after
 * deployment (docs/deploy.md §6); the topic lives in the stateful stack, so redeploying the functions
 * never drops them.
 *
 * Encrypted with a key of its own: CloudWatch can only publish to a topic whose key policy lets it
 * use the key, which the AWS-managed `alias/aws/sns` key does not. Publishing needs TLS, and only
 * CloudWatch alarms of this account may publish.
 */
export class AlarmTopic extends Construct {
  readonly topic: Topic;
  readonly key: Key;

  /** `topicName`: a fixed name, for a topic another stack names (a regional stack's, infra/names.ts). */
  constructor(scope: Construct, id: string, props: { topicName?: string } = {}) {
    super(scope, id);
    this.key = new Key(this, 'Key', {
      description: 'kubeguard alarm topic: lets CloudWatch alarms publish encrypted notifications',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const cloudWatch = new ServicePrincipal('cloudwatch.amazonaws.com');
    this.key.addToResourcePolicy(
      new PolicyStatement({
        principals: [cloudWatch],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.topic = new Topic(this, 'Topic', {
      displayName: 'kubeguard alarms',
      ...(props.topicName === undefined ? {} : { topicName: props.topicName }),
      masterKey: this.key,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsOfThisAccount',
        principals: [cloudWatch],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          ArnLike: {
            'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*`,
          },
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        },
      }),
    );
  }
}

/**
 * Sends every CloudWatch alarm in the scope it is added to (`Aspects.of(stack).add(…)`) to the topic,
 * when it fires and when it recovers — so an alarm added later is wired without anyone remembering.
 */
export class NotifyAlarmTopic implements IAspect {
  readonly #action: SnsAction;

  constructor(topic: ITopic) {
    this.#action = new SnsAction(topic);
  }

  visit(node: IConstruct): void {
    if (!(node instanceof Alarm)) return;
    node.addAlarmAction(this.#action);
    node.addOkAction(this.#action);
  }
}
