import type { FindingStore } from '../../core/findings/ports.ts';
import type { FunctionEnvironment } from '../config/env.ts';
import { DynamoFindingStore } from './findings-store.ts';
import { kubeguardTableFromEnv } from './kubeguard-table.ts';

/** The findings store on the kubeguard table named by the environment. */
export function createFindingStoreFromEnv(environment: FunctionEnvironment): FindingStore {
  const table = kubeguardTableFromEnv(environment);
  return new DynamoFindingStore({
    client: table.client,
    tableName: table.tableName,
    nowSeconds: () => Math.floor(Date.now() / 1000),
  });
}
