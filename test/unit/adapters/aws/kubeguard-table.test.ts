import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { GetCommand } from '#adapters/aws/dynamo-document.ts';
import { kubeguardTableFromEnv } from '#adapters/aws/kubeguard-table.ts';
import { readFunctionEnvironment } from '#adapters/config/env.ts';

const CONFIG = JSON.stringify({
  clusters: [{ name: 'prod-cluster', region: 'us-east-1' }],
  slack: { defaultChannel: 'C0ALERTS' },
});

let server: Server | undefined;
afterEach(async () => {
  const open = server;
  server = undefined;
  if (open !== undefined) await new Promise((resolve) => open.close(resolve));
});

/** DynamoDB on loopback answering every GetItem with no item, recording the signing headers. */
async function dynamoDb(): Promise<{ endpoint: string; received: IncomingHttpHeaders[] }> {
  const received: IncomingHttpHeaders[] = [];
  server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      received.push(request.headers);
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      response.end('{}');
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

describe('the kubeguard table from the environment', () => {
  it('signs for KUBEGUARD_TABLE_REGION when set: a regional stack writes to the home region’s table', async () => {
    const { endpoint, received } = await dynamoDb();
    const table = kubeguardTableFromEnv(
      readFunctionEnvironment({
        KUBEGUARD_CONFIG: CONFIG,
        KUBEGUARD_TABLE_NAME: 'kubeguard',
        KUBEGUARD_TABLE_REGION: 'eu-west-1',
        DYNAMODB_ENDPOINT: endpoint,
      }),
    );

    await table.client.send(new GetCommand({ TableName: table.tableName, Key: { pk: 'a', sk: 'b' } }));

    expect(received[0]?.authorization).toMatch(/Credential=local\/\d{8}\/eu-west-1\/dynamodb\/aws4_request/);
  });

  it('refuses a KUBEGUARD_TABLE_REGION that is not a region, naming it', () => {
    expect(() =>
      readFunctionEnvironment({ KUBEGUARD_CONFIG: CONFIG, KUBEGUARD_TABLE_REGION: 'eu-west' }),
    ).toThrow(
      'KUBEGUARD_TABLE_REGION must be an AWS region such as us-east-1; received "eu-west" — set it to the home region or leave it unset',
    );
  });
});
