import type { ClaimOutcome, DigestSendLedger, SendKey, SendState } from '#core/digest/ledger.ts';
import type { PostureFactsStore } from '#core/digest/ports.ts';
import type { PostureFacts } from '#core/digest/posture-facts.ts';
import type { DigestSubscription, DigestSubscriptionStore } from '#core/digest/subscriptions.ts';
import { KubeguardError } from '#core/errors.ts';
import * as z from '#core/zod.ts';
import {
  ConditionalCheckFailedException,
  DeleteCommand,
  type DocumentClient,
  GetCommand,
  type Item,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from './dynamo-document.ts';
import { FINDINGS_TABLE } from './findings-table.ts';

/**
 * The digest's items in the kubeguard table, single-item conditional writes only (dynalite):
 *
 * - subscriptions: `pk = DIGEST#SUBSCRIPTIONS`, `sk = <owner>#<id>` — one partition, so the
 *   scheduler's fan-out is one Query and an owner's list a `begins_with` on it;
 * - the send ledger: `pk = DIGEST#SEND#<subscription id>`, `sk = <period>`, a lease taken with one
 *   conditional UpdateItem (no item, or a claim whose lease ran out), kept 60 days (TTL);
 * - posture facts: `pk = DIGEST#FACTS#<cluster>`, `sk = LATEST`, replaced unless a newer audit's are there.
 */
const PK = FINDINGS_TABLE.partitionKey;
const SK = FINDINGS_TABLE.sortKey;
/** The partition holding every subscription (the action worker's delete is kept to it, infra). */
export const DIGEST_SUBSCRIPTIONS_PARTITION = 'DIGEST#SUBSCRIPTIONS';
const SUBSCRIPTIONS = DIGEST_SUBSCRIPTIONS_PARTITION;
const LEDGER_TTL_SECONDS = 60 * 86_400;

export interface DigestTableOptions {
  client: DocumentClient;
  tableName: string;
}

// zod/mini: composed into the digest function's bundle (decision D11).
const subscriptionSchema = z.object({
  id: z.string().check(z.regex(/^[0-9a-f]{24}$/)),
  owner: z.string().check(z.minLength(1)),
  frequency: z.enum(['weekly', 'daily']),
  cluster: z.optional(z.string()),
  target: z.union([
    z.object({ kind: z.literal('dm'), user: z.string() }),
    z.object({ kind: z.literal('channel'), channel: z.string() }),
  ]),
  createdAt: z.string(),
});

export class DynamoDigestSubscriptions implements DigestSubscriptionStore {
  readonly #client: DocumentClient;
  readonly #tableName: string;

  constructor(options: DigestTableOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async put(subscription: DigestSubscription): Promise<boolean> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: {
            [PK]: SUBSCRIPTIONS,
            [SK]: `${subscription.owner}#${subscription.id}`,
            type: 'DIGEST_SUBSCRIPTION',
            ...subscription,
          },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': PK },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw upstream(`storing digest subscription ${subscription.id} of ${subscription.owner}`, error);
    }
  }

  async remove(owner: string, id: string): Promise<boolean> {
    try {
      await this.#client.send(
        new DeleteCommand({
          TableName: this.#tableName,
          Key: { [PK]: SUBSCRIPTIONS, [SK]: `${owner}#${id}` },
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: { '#pk': PK },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw upstream(`removing digest subscription ${id} of ${owner}`, error);
    }
  }

  async listByOwner(owner: string): Promise<DigestSubscription[]> {
    const items = await this.#query(owner);
    return items.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  async listAll(): Promise<DigestSubscription[]> {
    return this.#query(undefined);
  }

  async #query(owner: string | undefined): Promise<DigestSubscription[]> {
    const found: DigestSubscription[] = [];
    let start: Item | undefined;
    do {
      let page: { Items?: Item[]; LastEvaluatedKey?: Item };
      try {
        page = await this.#client.send(
          new QueryCommand({
            TableName: this.#tableName,
            KeyConditionExpression:
              owner === undefined ? '#pk = :pk' : '#pk = :pk AND begins_with(#sk, :owner)',
            ExpressionAttributeNames: owner === undefined ? { '#pk': PK } : { '#pk': PK, '#sk': SK },
            ExpressionAttributeValues:
              owner === undefined
                ? { ':pk': SUBSCRIPTIONS }
                : { ':pk': SUBSCRIPTIONS, ':owner': `${owner}#` },
            ConsistentRead: true,
            ...(start === undefined ? {} : { ExclusiveStartKey: start }),
          }),
        );
      } catch (error) {
        throw upstream('reading digest subscriptions', error);
      }
      for (const item of page.Items ?? []) found.push(parseSubscription(item));
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return found;
  }
}

function parseSubscription(item: Item): DigestSubscription {
  const parsed = subscriptionSchema.safeParse(item);
  if (!parsed.success) {
    throw new KubeguardError(
      'INTERNAL',
      `digest subscription item ${String(item[SK])} is malformed (${parsed.error.issues[0]?.message ?? 'invalid'}); delete it from the table — its owner can subscribe again`,
    );
  }
  const { cluster, ...rest } = parsed.data;
  return cluster === undefined ? rest : { ...rest, cluster };
}

const ledgerSchema = z.object({
  state: z.enum(['claimed', 'sent']),
  owner: z.string(),
  attempts: z.number(),
  leaseUntil: z.string(),
  postAttemptedAt: z.optional(z.string()),
  posted: z.optional(z.object({ channel: z.string(), ts: z.string() })),
  chartShared: z.optional(z.boolean()),
});

export class DynamoDigestLedger implements DigestSendLedger {
  readonly #client: DocumentClient;
  readonly #tableName: string;

  constructor(options: DigestTableOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async isSent(key: SendKey): Promise<boolean> {
    return (await this.#read(key))?.state === 'sent';
  }

  async claim(key: SendKey, owner: string, at: string, leaseUntil: string): Promise<ClaimOutcome> {
    const now = Date.parse(at);
    try {
      const answer = await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: ledgerKey(key),
          UpdateExpression:
            'SET #type = :type, #state = :claimed, #owner = :owner, #leaseUntil = :until, #leaseUntilMs = :untilMs, #ttl = :ttl ADD #attempts :one',
          ConditionExpression: 'attribute_not_exists(#pk) OR (#state = :claimed AND #leaseUntilMs <= :now)',
          ExpressionAttributeNames: {
            '#pk': PK,
            '#type': 'type',
            '#state': 'state',
            '#owner': 'owner',
            '#leaseUntil': 'leaseUntil',
            '#leaseUntilMs': 'leaseUntilMs',
            '#attempts': 'attempts',
            '#ttl': FINDINGS_TABLE.ttlAttribute,
          },
          ExpressionAttributeValues: {
            ':type': 'DIGEST_SEND',
            ':claimed': 'claimed',
            ':owner': owner,
            ':until': leaseUntil,
            ':untilMs': Date.parse(leaseUntil),
            ':now': now,
            ':one': 1,
            ':ttl': Math.ceil(now / 1000) + LEDGER_TTL_SECONDS,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { claimed: true, state: stateOf(parseLedger(answer.Attributes ?? {}, key)) };
    } catch (error) {
      if (!isConditionFailure(error))
        throw upstream(`claiming digest ${key.subscriptionId} ${key.period}`, error);
    }
    const holder = await this.#read(key);
    if (holder === undefined) return this.claim(key, owner, at, leaseUntil);
    if (holder.state === 'sent') return { claimed: false, why: 'sent' };
    return { claimed: false, why: 'busy', until: holder.leaseUntil };
  }

  async record(
    key: SendKey,
    owner: string,
    change: Partial<Pick<SendState, 'postAttemptedAt' | 'posted' | 'chartShared'>>,
  ): Promise<boolean> {
    const entries = Object.entries(change).filter(([, value]) => value !== undefined);
    if (entries.length === 0) return true;
    const names: Record<string, string> = { '#state': 'state', '#owner': 'owner' };
    const values: Item = { ':claimed': 'claimed', ':owner': owner };
    const sets = entries.map(([field, value], index) => {
      names[`#f${index}`] = field;
      values[`:v${index}`] = value;
      return `#f${index} = :v${index}`;
    });
    return this.#conditional(key, `SET ${sets.join(', ')}`, names, values, 'recording');
  }

  async sent(key: SendKey, owner: string, at: string): Promise<boolean> {
    return this.#conditional(
      key,
      'SET #state = :sent, #sentAt = :at',
      { '#state': 'state', '#owner': 'owner', '#sentAt': 'sentAt' },
      { ':claimed': 'claimed', ':owner': owner, ':sent': 'sent', ':at': at },
      'marking sent',
    );
  }

  async release(key: SendKey, owner: string, at: string): Promise<void> {
    await this.#conditional(
      key,
      'SET #leaseUntil = :at, #leaseUntilMs = :atMs',
      { '#state': 'state', '#owner': 'owner', '#leaseUntil': 'leaseUntil', '#leaseUntilMs': 'leaseUntilMs' },
      { ':claimed': 'claimed', ':owner': owner, ':at': at, ':atMs': Date.parse(at) },
      'releasing',
    );
  }

  /** An update made only while `owner` holds the claim; false when it does not. */
  async #conditional(
    key: SendKey,
    update: string,
    names: Record<string, string>,
    values: Item,
    what: string,
  ): Promise<boolean> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: ledgerKey(key),
          UpdateExpression: update,
          ConditionExpression: '#state = :claimed AND #owner = :owner',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw upstream(`${what} digest ${key.subscriptionId} ${key.period}`, error);
    }
  }

  async #read(key: SendKey): Promise<z.infer<typeof ledgerSchema> | undefined> {
    let item: Item | undefined;
    try {
      item = (
        await this.#client.send(
          new GetCommand({ TableName: this.#tableName, Key: ledgerKey(key), ConsistentRead: true }),
        )
      ).Item;
    } catch (error) {
      throw upstream(`reading digest ${key.subscriptionId} ${key.period}`, error);
    }
    return item === undefined ? undefined : parseLedger(item, key);
  }
}

const ledgerKey = (key: SendKey) => ({ [PK]: `DIGEST#SEND#${key.subscriptionId}`, [SK]: key.period });

function parseLedger(item: Item, key: SendKey): z.infer<typeof ledgerSchema> {
  const parsed = ledgerSchema.safeParse(item);
  if (!parsed.success) {
    throw new KubeguardError(
      'INTERNAL',
      `digest send item DIGEST#SEND#${key.subscriptionId} ${key.period} is malformed (${parsed.error.issues[0]?.message ?? 'invalid'}); delete it to let the digest be sent`,
    );
  }
  return parsed.data;
}

function stateOf(item: z.infer<typeof ledgerSchema>): SendState {
  const state: SendState = { owner: item.owner, attempts: item.attempts };
  if (item.postAttemptedAt !== undefined) state.postAttemptedAt = item.postAttemptedAt;
  if (item.posted !== undefined) state.posted = item.posted;
  if (item.chartShared !== undefined) state.chartShared = item.chartShared;
  return state;
}

const riskSchema = z.object({
  checkId: z.string(),
  title: z.string(),
  severity: z.enum(['low', 'medium', 'high', 'critical']),
  object: z.object({ kind: z.string(), namespace: z.optional(z.string()), name: z.string() }),
  message: z.string(),
  owner: z.optional(z.string()),
});
const factsSchema = z.object({
  cluster: z.string(),
  takenAt: z.string(),
  risks: z.array(riskSchema),
  guardDutyGaps: z.array(
    z.object({
      checkId: z.string(),
      title: z.string(),
      status: z.enum(['fail', 'skip']),
      message: z.string(),
    }),
  ),
});

export class DynamoPostureFacts implements PostureFactsStore {
  readonly #client: DocumentClient;
  readonly #tableName: string;

  constructor(options: DigestTableOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async put(facts: PostureFacts): Promise<void> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: {
            [PK]: `DIGEST#FACTS#${facts.cluster}`,
            [SK]: 'LATEST',
            type: 'DIGEST_FACTS',
            takenAtMs: Date.parse(facts.takenAt),
            ...facts,
          },
          ConditionExpression: 'attribute_not_exists(#pk) OR #takenAtMs <= :takenAtMs',
          ExpressionAttributeNames: { '#pk': PK, '#takenAtMs': 'takenAtMs' },
          ExpressionAttributeValues: { ':takenAtMs': Date.parse(facts.takenAt) },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return; // a newer audit's facts are stored
      throw upstream(`storing the digest facts of ${facts.cluster}`, error);
    }
  }

  async latest(cluster: string): Promise<PostureFacts | undefined> {
    let item: Item | undefined;
    try {
      item = (
        await this.#client.send(
          new GetCommand({
            TableName: this.#tableName,
            Key: { [PK]: `DIGEST#FACTS#${cluster}`, [SK]: 'LATEST' },
          }),
        )
      ).Item;
    } catch (error) {
      throw upstream(`reading the digest facts of ${cluster}`, error);
    }
    if (item === undefined) return undefined;
    const parsed = factsSchema.safeParse(item);
    if (!parsed.success) {
      throw new KubeguardError(
        'INTERNAL',
        `digest facts item DIGEST#FACTS#${cluster} is malformed; delete it — the next posture audit writes it again`,
      );
    }
    return parsed.data as PostureFacts;
  }
}

function upstream(what: string, error: unknown): KubeguardError {
  return new KubeguardError('UPSTREAM', `${what} failed`, { cause: error });
}

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'ConditionalCheckFailedException')
  );
}
