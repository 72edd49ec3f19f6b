import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ALARM_PERIOD, anyOccurrenceAlarm } from './alarms.ts';

/** The one path Slack calls: slash commands, interactivity (buttons, modals) and App Home events. */
export const SLACK_EVENTS_PATH = '/slack/events';

/**
 * The endpoint's throttle. Slack sends what people type and click, a few requests a second at most;
 * anything beyond this is refused with 429 by API Gateway before it can invoke (and bill) the ingress
 * function — the endpoint is public, so forged requests are only rejected once they reach the code.
 */
export const SLACK_ENDPOINT_THROTTLE = Object.freeze({ rateLimit: 25, burstLimit: 50 });

/**
 * API Gateway gives up on the ingress function after this long. Slack has given up after 3 s; the
 * function keeps its 10 s to finish recording and queueing a request whose answer came too late.
 */
export const SLACK_INTEGRATION_TIMEOUT = Duration.seconds(10);

/**
 * One access-log line per request, as JSON: who called (address, user agent), which route, the
 * status, and where time went. API Gateway never logs bodies or headers here, so no Slack payload,
 * signature or token reaches these logs.
 */
const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  httpMethod: '$context.httpMethod',
  routeKey: '$context.routeKey',
  path: '$context.path',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationStatus: '$context.integration.status',
  integrationLatency: '$context.integration.latency',
  integrationError: '$context.integrationErrorMessage',
  error: '$context.error.message',
});

export interface SlackEndpointProps {
  /** The Slack ingress function (Bolt's AwsLambdaReceiver reads the payload format 2.0 event). */
  readonly handler: IFunction;
  /** @default RetentionDays.THREE_MONTHS */
  readonly accessLogRetention?: RetentionDays;
}

/**
 * The HTTPS endpoint Slack calls (decision D33): an API Gateway HTTP API whose only route is
 * `POST /slack/events`, proxied to the ingress function; every other path or method gets 404 from
 * API Gateway without invoking anything. The `$default` stage is throttled and writes access logs,
 * and an alarm watches its 5xx answers (the function failed, timed out or was throttled).
 */
export class SlackEndpoint extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly route: HttpRoute;
  readonly accessLogs: LogGroup;
  readonly serverErrorsAlarm: Alarm;
  /** `https://<api id>.execute-api.<region>.amazonaws.com/slack/events`: Slack's Request URL. */
  readonly requestUrl: string;

  constructor(scope: Construct, id: string, props: SlackEndpointProps) {
    super(scope, id);

    this.api = new HttpApi(this, 'Api', {
      description: 'kubeguard: the Slack app’s Request URL (slash commands, interactivity, App Home)',
      createDefaultStage: false,
    });
    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { ...SLACK_ENDPOINT_THROTTLE },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(ACCESS_LOG_FORMAT),
      },
    });

    this.route = new HttpRoute(this, 'SlackEvents', {
      httpApi: this.api,
      routeKey: HttpRouteKey.with(SLACK_EVENTS_PATH, HttpMethod.POST),
      integration: new HttpLambdaIntegration('SlackIngress', props.handler, {
        timeout: SLACK_INTEGRATION_TIMEOUT,
      }),
    });
    Validations.of(this.route).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Slack cannot sign requests with AWS credentials or present a token to an authorizer: it signs ' +
        'each request with the app’s signing secret (HMAC-SHA256 of v0:timestamp:body). The ingress ' +
        'function verifies that signature in constant time, refuses requests older than 5 minutes and ' +
        'replays, and does nothing else for an unsigned request; the stage throttle bounds a flood.',
    });

    this.requestUrl = `${this.api.apiEndpoint}${SLACK_EVENTS_PATH}`;
    this.serverErrorsAlarm = anyOccurrenceAlarm(this, 'ServerErrorsAlarm', {
      description:
        'kubeguard: the Slack endpoint answered 5xx (the ingress function failed, timed out or was ' +
        'throttled); Slack showed the person an error (see the access logs and the ingress function logs)',
      metric: this.api.metricServerError({ period: ALARM_PERIOD, statistic: 'Sum' }),
    });
  }
}
