import type { ActionQueue } from '../../core/chatops/ports.ts';
import { encodeQueuedRequest, type QueuedRequest } from '../../core/chatops/requests.ts';
import { ConfigError, KubeguardError } from '../../core/errors.ts';
import { awsRuntimeFromEnv } from '../config/aws-runtime.ts';
import { type AwsCallOptions, createAwsCaller } from './signed-fetch.ts';

/**
 * The action queue on SQS: SendMessage on SQS's JSON protocol (AWS JSON 1.0, `AmazonSQS.SendMessage`)
 * through the signed caller the other lightweight clients use (signed-fetch.ts, D30) — the Slack
 * ingress carries Bolt already and must stay small and quick to load. A FIFO queue (`….fifo`) gets
 * the request id as deduplication id, so SQS itself drops a second send of one request within five
 * minutes, and the request id as group (requests do not wait on each other).
 */
export interface SqsActionQueueOptions {
  queueUrl: string;
  /** @default AWS_REGION and the function's credentials (aws-runtime.ts), resolved at the first send */
  region?: string;
  credentials?: AwsCallOptions['credentials'];
  /** For tests: the fetch implementation. */
  fetch?: typeof fetch;
}

const QUEUE_URL = /^https?:\/\/[^/]+\/\d{12}\/[A-Za-z0-9_-]{1,80}(\.fifo)?$/;

export class SqsActionQueue implements ActionQueue {
  readonly #queueUrl: URL;
  readonly #fifo: boolean;
  readonly #options: SqsActionQueueOptions;
  #call: ReturnType<typeof createAwsCaller> | undefined;

  constructor(options: SqsActionQueueOptions) {
    if (!QUEUE_URL.test(options.queueUrl)) {
      throw new ConfigError(
        `KUBEGUARD_ACTION_QUEUE_URL is not an SQS queue URL; received ${JSON.stringify(options.queueUrl.slice(0, 200))} — the CDK app sets it to https://sqs.<region>.amazonaws.com/<account>/<name>`,
      );
    }
    this.#queueUrl = new URL(options.queueUrl);
    this.#fifo = options.queueUrl.endsWith('.fifo');
    this.#options = options;
  }

  async enqueue(request: QueuedRequest): Promise<void> {
    const body = {
      QueueUrl: this.#queueUrl.href,
      MessageBody: encodeQueuedRequest(request),
      ...(this.#fifo ? { MessageGroupId: request.requestId, MessageDeduplicationId: request.requestId } : {}),
    };
    try {
      await this.#caller()({
        method: 'POST',
        path: '/',
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.SendMessage' },
        body: JSON.stringify(body),
      });
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Error';
      throw new KubeguardError(
        'UPSTREAM',
        `action queue: sending request ${request.requestId} failed (${name})`,
        {
          cause: error,
          details: { requestId: request.requestId, error: name },
        },
      );
    }
  }

  /** The region and credentials are the environment's, read at the first send, not at cold start. */
  #caller(): ReturnType<typeof createAwsCaller> {
    if (this.#call === undefined) {
      const { region, credentials } =
        this.#options.region !== undefined && this.#options.credentials !== undefined
          ? { region: this.#options.region, credentials: this.#options.credentials }
          : awsRuntimeFromEnv();
      this.#call = createAwsCaller({
        service: 'sqs',
        region: this.#options.region ?? region,
        credentials: this.#options.credentials ?? credentials,
        endpoint: this.#queueUrl.origin,
        ...(this.#options.fetch === undefined ? {} : { fetch: this.#options.fetch }),
      });
    }
    return this.#call;
  }
}
