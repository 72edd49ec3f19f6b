import { Duration, RemovalPolicy, Size, Validations } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  type FunctionProps,
  Function as LambdaFunction,
  LoggingFormat,
  Runtime,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { type ICommandHooks, NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ConfigError } from '#core/errors.ts';
import { functionErrorsAlarm, functionThrottlesAlarm } from './alarms.ts';
import {
  type BundledFile,
  CODE_SPLIT_FUNCTIONS,
  codeSplitBundle,
  copyFilesHooks,
  LAMBDA_BUNDLE,
  nodejsBundlingOptions,
} from './lambda-bundle.ts';

/** Lambda allows 4 KB of environment variables per function, keys and values together. */
export const LAMBDA_ENVIRONMENT_LIMIT_BYTES = 4096;

/** Room kept for the other variables (table name, secret ARN, service name, NODE_OPTIONS). */
const CONFIG_ENVIRONMENT_BUDGET_BYTES = 3072;

export interface KubeguardFunctionProps {
  /** The function's folder under lambdas/, e.g. `guardduty-findings`; also its Powertools service name. */
  readonly name: string;
  /** Absolute path of the handler module; it must export `handler`. */
  readonly entry: string;
  readonly description: string;
  /** The validated kubeguard.config.json, passed to the function as KUBEGUARD_CONFIG. */
  readonly configJson: string;
  /**
   * Where failed asynchronous invocations go once Lambda's retries are spent.
   * @default none — for a function whose events carry nothing to keep (a schedule, a nudge)
   */
  readonly onFailure?: IQueue;
  /** How long Lambda keeps an asynchronous event it could not yet run (throttled, retried). @default 6 hours */
  readonly maxEventAge?: Duration;
  /** Further environment variables (resource names and ARNs). @default {} */
  readonly environment?: Record<string, string>;
  /** @default 256 */
  readonly memorySize?: number;
  /** @default Duration.seconds(30) */
  readonly timeout?: Duration;
  /** `/tmp` size in MiB (512–10240), for a function that stages files there. @default 512 */
  readonly ephemeralStorageMiB?: number;
  /** @default RetentionDays.THREE_MONTHS */
  readonly logRetention?: RetentionDays;
  /** Lambda's own retries of a failed asynchronous invocation (0–2). @default 2 */
  readonly retryAttempts?: number;
  /** Reserved concurrency, where parallel runs would fight over the same work. @default unreserved */
  readonly reservedConcurrentExecutions?: number;
  /**
   * A role made elsewhere for this function (the remediation worker's, which clusters know by ARN);
   * it is given the same log and X-Ray grants. @default a new role with nothing but those grants
   */
  readonly role?: Role;
  /**
   * Files the function reads beside its code (the chart's WebAssembly and font), copied beside the
   * module reading them in a one-file or a split build alike. @default none
   */
  readonly files?: readonly BundledFile[];
  /** NodejsFunction's bundling hooks; a split function refuses them (use `files`). @default none */
  readonly commandHooks?: ICommandHooks;
  /** A fixed function name, for stacks in other regions to invoke it by ARN. @default generated */
  readonly functionName?: string;
  /** A fixed name for the role made here, for member accounts' roles to trust it. @default generated */
  readonly roleName?: string;
  /**
   * Why throttling is this function's normal way of queueing work (a reserved concurrency of 1 that
   * asynchronous nudges wait behind); such a function gets no throttles alarm, only this reason on
   * record. @default undefined — any throttle raises the throttles alarm
   */
  readonly throttlesExpected?: string;
}

/**
 * A kubeguard Lambda: Node.js 24 on Graviton, an ESM bundle built by local esbuild, JSON logs to its
 * own log group with a retention, X-Ray tracing, failed async invocations kept in a queue, alarms on
 * errors and throttles, and a role that starts with nothing but writing its own logs.
 */
export class KubeguardFunction extends Construct {
  /** A NodejsFunction (one file), or a Function whose asset is the split build (`CODE_SPLIT_FUNCTIONS`). */
  readonly function: LambdaFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  readonly errorsAlarm: Alarm;
  /** Undefined when `throttlesExpected` says why throttles are normal for it. */
  readonly throttlesAlarm: Alarm | undefined;
  /** The name given (`delivery`, …): its service name is `kubeguard-<name>`. */
  readonly name: string;

  constructor(scope: Construct, id: string, props: KubeguardFunctionProps) {
    super(scope, id);
    assertConfigFitsEnvironment(props.configJson);
    this.name = props.name;

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.THREE_MONTHS,
      // Function logs are the record of what kubeguard saw and did; they outlive the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // A role of our own instead of AWSLambdaBasicExecutionRole, which may write to every log group.
    this.role =
      props.role ??
      new Role(this, 'Role', {
        assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
        description: `kubeguard ${props.name} function`,
        ...(props.roleName === undefined ? {} : { roleName: props.roleName }),
      });
    this.logGroup.grantWrite(this.role);

    const common = {
      description: props.description,
      ...(props.functionName === undefined ? {} : { functionName: props.functionName }),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(30),
      ...(props.ephemeralStorageMiB === undefined
        ? {}
        : { ephemeralStorageSize: Size.mebibytes(props.ephemeralStorageMiB) }),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      tracing: Tracing.ACTIVE,
      ...(props.onFailure === undefined ? {} : { onFailure: new SqsDestination(props.onFailure) }),
      ...(props.maxEventAge === undefined ? {} : { maxEventAge: props.maxEventAge }),
      retryAttempts: props.retryAttempts ?? 2,
      ...(props.reservedConcurrentExecutions === undefined
        ? {}
        : { reservedConcurrentExecutions: props.reservedConcurrentExecutions }),
      environment: {
        KUBEGUARD_CONFIG: props.configJson,
        POWERTOOLS_SERVICE_NAME: `kubeguard-${props.name}`,
        NODE_OPTIONS: LAMBDA_BUNDLE.nodeOptions,
        ...props.environment,
      },
    } satisfies Omit<FunctionProps, 'code' | 'handler'>;
    const codeSplit = CODE_SPLIT_FUNCTIONS.includes(props.name);
    if (codeSplit && props.commandHooks !== undefined) {
      throw new ConfigError(
        `function ${props.name} is built code-split (CODE_SPLIT_FUNCTIONS) without NodejsFunction, whose ` +
          'commandHooks would not run: pass the files it needs beside its code as `files`, or build it as one file',
      );
    }
    if (props.files !== undefined && props.commandHooks !== undefined) {
      throw new ConfigError(
        `function ${props.name} has both files and commandHooks: copy the files in the hooks, or pass only files`,
      );
    }
    const hooks = props.commandHooks ?? (props.files === undefined ? undefined : copyFilesHooks(props.files));
    this.function = codeSplit
      ? new LambdaFunction(this, 'Function', {
          ...common,
          code: codeSplitBundle(props.entry, props.files),
          // The entry is index.mjs (`esbuildSplitBuildOptions`), as NodejsFunction names its file.
          handler: 'index.handler',
        })
      : new NodejsFunction(this, 'Function', {
          ...common,
          entry: props.entry,
          handler: 'handler',
          bundling: {
            ...nodejsBundlingOptions(),
            ...(hooks === undefined ? {} : { commandHooks: hooks }),
          },
        });
    // A role two functions share (the posture audit's, D63) is acknowledged once.
    if (!acknowledges(this.role, XRAY_ACKNOWLEDGMENT)) {
      Validations.of(this.role).acknowledge({
        id: XRAY_ACKNOWLEDGMENT,
        reason:
          'Active tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which support no ' +
          'resource-level permissions; every other statement of this role names its resources.',
      });
    }

    this.errorsAlarm = functionErrorsAlarm(this, 'ErrorsAlarm', this.function, props.name);
    this.throttlesAlarm =
      props.throttlesExpected === undefined
        ? functionThrottlesAlarm(this, 'ThrottlesAlarm', this.function, props.name)
        : undefined;
  }
}

const XRAY_ACKNOWLEDGMENT = 'AwsSolutions-IAM5[Resource::*]';

/** Whether `role` already acknowledges the rule (aws-cdk-lib may record it as `Annotation::<id>`). */
function acknowledges(role: Role, id: string): boolean {
  return role.node.metadata.some(
    (entry) =>
      entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY &&
      Object.keys(entry.data as Record<string, string>).some(
        (key) => key.replace(/^Annotation::/, '') === id,
      ),
  );
}

function assertConfigFitsEnvironment(configJson: string): void {
  const bytes = Buffer.byteLength(configJson, 'utf8');
  if (bytes <= CONFIG_ENVIRONMENT_BUDGET_BYTES) return;
  throw new ConfigError(
    `kubeguard.config.json is ${bytes} bytes as minified JSON; functions receive it in an environment ` +
      `variable and Lambda allows ${LAMBDA_ENVIRONMENT_LIMIT_BYTES} bytes of environment in total, so keep ` +
      `it under ${CONFIG_ENVIRONMENT_BUDGET_BYTES} bytes (move long allow-lists or suppressions out)`,
  );
}
