import type { FunctionEnvironment } from '../config/env.ts';
import { DynamoAuditHistoryStore } from './audit-history-store.ts';
import { DynamoAuditTrailStore } from './audit-trail-store.ts';
import { DynamoFindingStore } from './findings-store.ts';
import { type KubeguardTable, kubeguardTableFromEnv } from './kubeguard-table.ts';

/** The kubeguard table and the records kept in it that the worker and `kubeguard evidence --store` read. */
export interface RecordStores {
  table: KubeguardTable;
  findings: DynamoFindingStore;
  trail: DynamoAuditTrailStore;
  history: DynamoAuditHistoryStore;
}

/**
 * The findings, the audit trail and the audit history of the kubeguard table named by the
 * environment (kubeguardTableFromEnv: throws ConfigError without KUBEGUARD_TABLE_NAME) — one
 * composition for the action worker (adapters/slack/worker-from-env.ts) and the CLI
 * (adapters/evidence/pack-sources-from-env.ts), so both read the same records the same way.
 */
export function recordStoresFromEnv(environment: FunctionEnvironment): RecordStores {
  const table = kubeguardTableFromEnv(environment);
  return {
    table,
    findings: new DynamoFindingStore({
      client: table.client,
      tableName: table.tableName,
      nowSeconds: () => Math.floor(Date.now() / 1000),
    }),
    trail: new DynamoAuditTrailStore(table),
    history: new DynamoAuditHistoryStore({ client: table.client, tableName: table.tableName }),
  };
}
