import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { KubeguardError } from '../../core/errors.ts';
import { findingsTableDefinition } from '../aws/findings-table.ts';

/**
 * An embedded DynamoDB (dynalite) on 127.0.0.1 for the sandbox (`npm start`): kept in LevelDB files
 * under `directory`, so findings, claims and the audit trail survive a restart, or in memory when no
 * directory is given. dynalite has no transactions: kubeguard's stores use single-item writes.
 */
export interface LocalDynamo {
  /** `http://127.0.0.1:<port>`: give it to the stores as DYNAMODB_ENDPOINT. */
  endpoint: string;
  /** Creates the kubeguard table (findingsTableDefinition, the tests' and infra's keys) unless it exists. */
  ensureTable(tableName: string): Promise<'created' | 'existing'>;
  stop(): Promise<void>;
}

type DynaliteFactory = (options: {
  path?: string;
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}) => Server;

// dynalite ships CommonJS without types.
const dynalite = createRequire(import.meta.url)('dynalite') as DynaliteFactory;

export async function startLocalDynamo(options: { directory?: string } = {}): Promise<LocalDynamo> {
  if (options.directory !== undefined) mkdirSync(options.directory, { recursive: true });
  const server = dynalite({
    ...(options.directory === undefined ? {} : { path: options.directory }),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  }).catch((error: unknown) => {
    throw new KubeguardError(
      'UPSTREAM',
      `cannot start the embedded DynamoDB${options.directory === undefined ? '' : ` in ${options.directory}`}: ${(error as Error).message}; is another kubeguard sandbox using that directory? Stop it, or use --memory`,
      { cause: error },
    );
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  // Fixed local credentials: real ones must never be sent to a local endpoint.
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });

  async function ensureTable(tableName: string): Promise<'created' | 'existing'> {
    try {
      await client.send(new DescribeTableCommand({ TableName: tableName }));
      return 'existing';
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
    await client.send(new CreateTableCommand(findingsTableDefinition(tableName)));
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      if (Table?.TableStatus === 'ACTIVE') return 'created';
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new KubeguardError('UPSTREAM', `the embedded DynamoDB table ${tableName} did not become ACTIVE`);
  }

  return {
    endpoint,
    ensureTable,
    async stop() {
      client.destroy();
      server.closeAllConnections?.();
      // dynalite closes its LevelDB files with the server, so the next start can open them.
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}
