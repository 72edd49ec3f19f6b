import { awsRuntimeFromEnv } from '../config/aws-runtime.ts';
import { createDynamoDocumentClient, type DocumentClient } from './dynamo-document.ts';

/**
 * A document client for the kubeguard table (dynamo-document.ts, D30); `endpoint` points it at a
 * local DynamoDB (the sandbox's dynalite), which gets fixed local credentials: real ones must never be
 * sent to a local endpoint. Against AWS, region and credentials come from the environment Lambda sets,
 * resolved at the first call.
 */
export function createDocumentClient(options: { endpoint?: string; region?: string } = {}): DocumentClient {
  if (options.endpoint !== undefined) {
    return createDynamoDocumentClient({
      endpoint: options.endpoint,
      region: options.region ?? 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  }
  let client: DocumentClient | undefined;
  return {
    send(command) {
      if (client === undefined) {
        const runtime = awsRuntimeFromEnv();
        client = createDynamoDocumentClient({
          region: options.region ?? runtime.region,
          credentials: runtime.credentials,
        });
      }
      return client.send(command);
    },
  };
}
