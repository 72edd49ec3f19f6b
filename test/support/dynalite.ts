import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { createDynamoDocumentClient, type DocumentClient } from '../../adapters/aws/dynamo-document.ts';

/**
 * An in-memory DynamoDB (dynalite) on 127.0.0.1 at a random port, with SDK clients pointed at it.
 * dynalite has no transactions: code under test must use single-item (conditional) writes.
 *
 *   const db = await startDynalite();
 *   await db.createTable(findingsTableDefinition('kubeguard'));
 *   … new DynamoFindingStore({ client: db.documentClient, tableName: 'kubeguard', … })
 *   await db.stop();
 */
export interface Dynalite {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  client: DynamoDBClient;
  /** Marshals plain JavaScript values: the adapters' own client (adapters/aws/dynamo-document.ts). */
  documentClient: DocumentClient;
  /** Creates a table and waits until it is ACTIVE. */
  createTable(input: CreateTableCommandInput): Promise<void>;
  /** Closes the clients and the server. */
  stop(): Promise<void>;
}

type DynaliteFactory = (options: {
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}) => Server;

// dynalite ships CommonJS without types.
const dynalite = createRequire(import.meta.url)('dynalite') as DynaliteFactory;

export async function startDynalite(): Promise<Dynalite> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  const documentClient = createDynamoDocumentClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });

  async function createTable(input: CreateTableCommandInput): Promise<void> {
    await client.send(new CreateTableCommand(input));
    for (let attempt = 0; attempt < 100; attempt++) {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: input.TableName }));
      if (Table?.TableStatus === 'ACTIVE') return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`dynalite table ${input.TableName} did not become ACTIVE`);
  }

  async function stop(): Promise<void> {
    client.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      server.close((error) => (error ? reject(error) : resolve())),
    );
  }

  return { endpoint, client, documentClient, createTable, stop };
}
