import { type AwsClientOptions, lazyAwsCaller, metadataOf } from './signed-fetch.ts';

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

export type SecretsManagerClientOptions = AwsClientOptions;

export class SecretsManagerClient {
  readonly #call: ReturnType<typeof lazyAwsCaller>;

  constructor(options: SecretsManagerClientOptions = {}) {
    this.#call = lazyAwsCaller('secretsmanager', options);
  }

  async send(command: GetSecretValueCommand): Promise<GetSecretValueCommandOutput> {
    const answer = await this.#call({
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
      $metadata: metadataOf(answer),
    };
  }
}
