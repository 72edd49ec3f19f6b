import { awsRuntimeFromEnv } from '../config/aws-runtime.ts';
import { createAwsCaller } from './signed-fetch.ts';

/**
 * Lambda's Invoke on the REST API, with the command and client names of `@aws-sdk/client-lambda` for
 * what kubeguard does with it — an asynchronous invoke (`InvocationType: 'Event'`) — so an adapter
 * moves to it by changing its imports. Why not the SDK client: its runtime would be most of an ingest
 * function's bundle for one call (D30).
 */
export interface InvokeCommandInput {
  FunctionName: string;
  InvocationType?: 'Event' | 'RequestResponse' | 'DryRun';
  Payload?: Uint8Array | string;
}

export interface InvokeCommandOutput {
  StatusCode?: number;
  FunctionError?: string;
  Payload?: Uint8Array;
  $metadata: { httpStatusCode?: number; requestId?: string };
}

export class InvokeCommand {
  readonly input: InvokeCommandInput;

  constructor(input: InvokeCommandInput) {
    this.input = input;
  }
}

export interface LambdaClientOptions {
  /** @default AWS_REGION, with the credentials of the environment (aws-runtime.ts) */
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  endpoint?: string;
  /** For tests. */
  fetch?: typeof fetch;
}

export class LambdaClient {
  readonly #options: LambdaClientOptions;
  #call: ReturnType<typeof createAwsCaller> | undefined;

  constructor(options: LambdaClientOptions = {}) {
    this.#options = options;
  }

  /** Region and credentials are resolved at the first call, as the SDK does, not at construction. */
  #caller(): ReturnType<typeof createAwsCaller> {
    if (this.#call === undefined) {
      const options = this.#options;
      const runtime =
        options.region !== undefined && options.credentials !== undefined
          ? { region: options.region, credentials: options.credentials }
          : awsRuntimeFromEnv();
      this.#call = createAwsCaller({
        service: 'lambda',
        region: options.region ?? runtime.region,
        credentials: options.credentials ?? runtime.credentials,
        ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
        ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      });
    }
    return this.#call;
  }

  async send(command: InvokeCommand): Promise<InvokeCommandOutput> {
    const { FunctionName, InvocationType, Payload } = command.input;
    const answer = await this.#caller()({
      method: 'POST',
      path: `/2015-03-31/functions/${encodeURIComponent(FunctionName)}/invocations`,
      headers: {
        'content-type': 'application/json',
        ...(InvocationType === undefined ? {} : { 'x-amz-invocation-type': InvocationType }),
      },
      body: typeof Payload === 'string' ? Payload : Buffer.from(Payload ?? new Uint8Array()).toString('utf8'),
    });
    const functionError = answer.headers.get('x-amz-function-error');
    return {
      StatusCode: answer.status,
      ...(functionError === null ? {} : { FunctionError: functionError }),
      ...(answer.body === '' ? {} : { Payload: Buffer.from(answer.body, 'utf8') }),
      $metadata: {
        httpStatusCode: answer.status,
        ...(answer.requestId ? { requestId: answer.requestId } : {}),
      },
    };
  }
}
