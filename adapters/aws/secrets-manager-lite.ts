import { awsRuntimeFromEnv } from '../config/aws-runtime.ts';
import { createAwsCaller } from './signed-fetch.ts';

/**
 * Secrets Manager's GetSecretValue on its JSON API, with the command and client names of
 * `@aws-sdk/client-secrets-manager`, so a reader moves to it by changing its imports: the delivery
 * function reads the Slack token once per cold start and should not bundle the SDK runtime for it (D30).
 */
export interface GetSecretValueCommandInput {
  SecretId: string;
  VersionId?: string;
  VersionStage?: string;
}

export interface GetSecretValueCommandOutput {
  ARN?: string;
  Name?: string;
  VersionId?: string;
  SecretString?: string;
  VersionStages?: string[];
  $metadata: { httpStatusCode?: number; requestId?: string };
}

export class GetSecretValueCommand {
  readonly input: GetSecretValueCommandInput;

  constructor(input: GetSecretValueCommandInput) {
    this.input = input;
  }
}

export interface SecretsManagerClientOptions {
  /** @default AWS_REGION, with the credentials of the environment (aws-runtime.ts) */
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  endpoint?: string;
  /** For tests. */
  fetch?: typeof fetch;
}

export class SecretsManagerClient {
  readonly #options: SecretsManagerClientOptions;
  #call: ReturnType<typeof createAwsCaller> | undefined;

  constructor(options: SecretsManagerClientOptions = {}) {
    this.#options = options;
  }

  async send(command: GetSecretValueCommand): Promise<GetSecretValueCommandOutput> {
    const answer = await this.#caller()({
      method: 'POST',
      path: '/',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'secretsmanager.GetSecretValue',
      },
      body: JSON.stringify(command.input),
    });
    const output = JSON.parse(answer.body) as Omit<GetSecretValueCommandOutput, '$metadata'>;
    return {
      ...output,
      $metadata: {
        httpStatusCode: answer.status,
        ...(answer.requestId ? { requestId: answer.requestId } : {}),
      },
    };
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
        service: 'secretsmanager',
        region: options.region ?? runtime.region,
        credentials: options.credentials ?? runtime.credentials,
        ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
        ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      });
    }
    return this.#call;
  }
}
