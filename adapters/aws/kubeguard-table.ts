import { ConfigError } from '../../core/errors.ts';
import type { FunctionEnvironment } from '../config/env.ts';
import type { DocumentClient } from './dynamo-document.ts';
import { createDocumentClient } from './dynamodb-client.ts';

/** The kubeguard table (findings, occurrences, counters, audit history) and one client for it. */
export interface KubeguardTable {
  readonly client: DocumentClient;
  readonly tableName: string;
}

// One client per environment (per cold start): every store a function builds shares its connections.
const tables = new WeakMap<FunctionEnvironment, KubeguardTable>();

/**
 * The table named by KUBEGUARD_TABLE_NAME, in KUBEGUARD_TABLE_REGION when set (a regional stack
 * writes to the home region's table), reached through DYNAMODB_ENDPOINT when set (dynalite locally). Throws ConfigError when the name is missing.
 */
export function kubeguardTableFromEnv(environment: FunctionEnvironment): KubeguardTable {
  let table = tables.get(environment);
  if (table === undefined) {
    if (environment.tableName === undefined) {
      throw new ConfigError(
        'KUBEGUARD_TABLE_NAME is not set; the CDK app sets it to the kubeguard table name',
      );
    }
    table = Object.freeze({
      client: createDocumentClient({
        endpoint: environment.dynamoDbEndpoint,
        ...(environment.tableRegion === undefined ? {} : { region: environment.tableRegion }),
      }),
      tableName: environment.tableName,
    });
    tables.set(environment, table);
  }
  return table;
}
