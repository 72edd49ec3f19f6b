import { type AwsClientOptions, lazyAwsCaller, metadataOf } from './signed-fetch.ts';

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

export type LambdaClientOptions = AwsClientOptions;

export class LambdaClient {
  readonly #call: ReturnType<typeof lazyAwsCaller>;

  constructor(options: LambdaClientOptions = {}) {
    this.#call = lazyAwsCaller('lambda', options);
  }

  async send(command: InvokeCommand): Promise<InvokeCommandOutput> {
    const { FunctionName, InvocationType, Payload } = command.input;
    const answer = await this.#call({
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
      $metadata: metadataOf(answer),
    };
  }
}
