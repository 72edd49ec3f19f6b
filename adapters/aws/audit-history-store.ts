import { KubeguardError } from '#core/errors.ts';
import type { AuditHistoryEntry, AuditHistoryStore } from '#core/posture/history.ts';
import * as z from '#core/zod.ts';
import type { FunctionEnvironment } from '../config/env.ts';
import {
  ConditionalCheckFailedException,
  type DocumentClient,
  PutCommand,
  QueryCommand,
} from './dynamo-document.ts';
import { FINDINGS_TABLE } from './findings-table.ts';
import { kubeguardTableFromEnv } from './kubeguard-table.ts';

/**
 * Audit history in the findings table (adapters/aws/findings-table.ts): one item per audit,
 * `pk = AUDIT#<cluster>`, `sk = <takenAt ISO-8601>` (ISO times in UTC sort as they read, so a
 * descending Query returns the newest first). Single-item conditional writes only: a redelivered
 * audit writes nothing twice, and it runs on dynalite.
 */
export interface DynamoAuditHistoryStoreOptions {
  client: DocumentClient;
  tableName: string;
  /** Days an entry is kept (the table's TTL deletes it afterwards). @default 400 — a year of daily digests */
  retentionDays?: number;
}

const DEFAULT_RETENTION_DAYS = 400;
/** A Query page: latest(cluster, n) reads at most this many items per call. */
const MAX_LIMIT = 1000;

// zod/mini keeps the schema small (D11); only the posture audit's bundle composes this store.
const count = () => z.int().check(z.minimum(0));
const counts = z.object({ pass: count(), fail: count(), skip: count() });
const itemSchema = z.object({
  cluster: z.string().check(z.minLength(1)),
  takenAt: z.string().check(z.minLength(1)),
  score: z.number().check(z.minimum(0), z.maximum(100)),
  summary: counts,
  failures: z.object({ low: count(), medium: count(), high: count(), critical: count() }),
  categories: z.partialRecord(z.enum(['aws', 'node', 'rbac', 'workload', 'network']), counts),
  reportId: z.optional(z.string()),
});

export const auditHistoryKey = (cluster: string, takenAt: string) => ({
  [FINDINGS_TABLE.partitionKey]: `AUDIT#${cluster}`,
  [FINDINGS_TABLE.sortKey]: takenAt,
});

export class DynamoAuditHistoryStore implements AuditHistoryStore {
  readonly #client: DocumentClient;
  readonly #tableName: string;
  readonly #retentionSeconds: number;

  constructor(options: DynamoAuditHistoryStoreOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#retentionSeconds = (options.retentionDays ?? DEFAULT_RETENTION_DAYS) * 86_400;
  }

  async put(entry: AuditHistoryEntry): Promise<void> {
    const takenAtSeconds = Math.floor(Date.parse(entry.takenAt) / 1000);
    if (Number.isNaN(takenAtSeconds)) {
      throw new KubeguardError(
        'INVALID_ARGUMENT',
        `audit history: takenAt ${JSON.stringify(entry.takenAt)} of cluster ${entry.cluster} is not an ISO-8601 time`,
      );
    }
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: {
            ...auditHistoryKey(entry.cluster, entry.takenAt),
            type: 'AUDIT',
            ...entry,
            [FINDINGS_TABLE.ttlAttribute]: takenAtSeconds + this.#retentionSeconds,
          },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': FINDINGS_TABLE.partitionKey },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return; // already stored: the same audit, redelivered
      throw new KubeguardError(
        'UPSTREAM',
        `audit history: storing ${entry.cluster} ${entry.takenAt} failed`,
        {
          cause: error,
        },
      );
    }
  }

  async latest(cluster: string, limit: number): Promise<AuditHistoryEntry[]> {
    const count = Math.min(Math.max(1, Math.floor(limit)), MAX_LIMIT);
    let items: Record<string, unknown>[];
    try {
      const answer = await this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': FINDINGS_TABLE.partitionKey },
          ExpressionAttributeValues: { ':pk': `AUDIT#${cluster}` },
          ScanIndexForward: false,
          Limit: count,
        }),
      );
      items = answer.Items ?? [];
    } catch (error) {
      throw new KubeguardError('UPSTREAM', `audit history: reading the audits of ${cluster} failed`, {
        cause: error,
      });
    }
    return items.map((item) => toEntry(item));
  }

  /** The cluster's entries with `from <= takenAt < to`, oldest first, every page (evidence packs). */
  async between(cluster: string, from: string, to: string): Promise<AuditHistoryEntry[]> {
    const entries: AuditHistoryEntry[] = [];
    let startKey: Record<string, unknown> | undefined;
    try {
      do {
        const answer = await this.#client.send(
          new QueryCommand({
            TableName: this.#tableName,
            KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
            ExpressionAttributeNames: { '#pk': FINDINGS_TABLE.partitionKey, '#sk': FINDINGS_TABLE.sortKey },
            ExpressionAttributeValues: {
              ':pk': `AUDIT#${cluster}`,
              // Sort keys compare as text, and times may be written with or without a fraction or an
              // offset: a day's margin each side, then the period applied as instants below.
              ':from': new Date(Date.parse(from) - 86_400_000).toISOString(),
              ':to': new Date(Date.parse(to) + 86_400_000).toISOString(),
            },
            ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
          }),
        );
        for (const item of answer.Items ?? []) entries.push(toEntry(item));
        startKey = answer.LastEvaluatedKey;
      } while (startKey !== undefined);
    } catch (error) {
      if (error instanceof KubeguardError) throw error;
      throw new KubeguardError('UPSTREAM', `audit history: reading the audits of ${cluster} failed`, {
        cause: error,
      });
    }
    return entries.filter(
      (entry) => Date.parse(entry.takenAt) >= Date.parse(from) && Date.parse(entry.takenAt) < Date.parse(to),
    );
  }
}

/** A stored item back as an entry; an item that does not parse is named, not silently skipped. */
function toEntry(item: Record<string, unknown>): AuditHistoryEntry {
  const parsed = itemSchema.safeParse(item);
  if (!parsed.success) {
    const key = `${String(item[FINDINGS_TABLE.partitionKey])} ${String(item[FINDINGS_TABLE.sortKey])}`;
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
      .join('; ');
    throw new KubeguardError(
      'INTERNAL',
      `audit history item ${key} is malformed (${problems}); delete or repair it in the table`,
    );
  }
  const { reportId, ...entry } = parsed.data;
  return reportId === undefined ? entry : { ...entry, reportId };
}

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'ConditionalCheckFailedException')
  );
}

/** Posture audit history on the kubeguard table named by the environment. */
export function createAuditHistoryStoreFromEnv(environment: FunctionEnvironment): AuditHistoryStore {
  const table = kubeguardTableFromEnv(environment);
  return new DynamoAuditHistoryStore({ client: table.client, tableName: table.tableName });
}
