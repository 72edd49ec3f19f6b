import type { ExecutionClaim, PlanExecution, PlanStore, StoredPlan } from '../../core/chatops/plan-store.ts';
import { KubeguardError } from '../../core/errors.ts';
import type { ActionOutcome } from '../../core/remediation/action.ts';
import {
  ConditionalCheckFailedException,
  type DynamoDBDocumentClient,
  GetCommand,
  type Item,
  PutCommand,
  UpdateCommand,
} from './dynamo-document.ts';
import { FINDINGS_TABLE } from './findings-table.ts';

/**
 * Remediation plans (core/chatops/plan-store.ts) in the kubeguard table: one item per plan,
 * `pk = PLAN#<request id>`, `sk = PLAN`, the plan as JSON, `untilMs` its expiry. Every write is one
 * conditional single-item write (it runs on dynalite): the plan is put only when absent, the
 * execution claimed only while nobody else holds it and the plan has not expired, the outcome
 * written only by the confirmation holding the claim. The table's TTL removes a plan a day after it
 * expired; until then "expired" can be told apart from "never planned".
 */
export interface DynamoPlanStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

const TTL_MARGIN_SECONDS = 86_400;

export function planKey(requestId: string): Record<string, string> {
  return { [FINDINGS_TABLE.partitionKey]: `PLAN#${requestId}`, [FINDINGS_TABLE.sortKey]: 'PLAN' };
}

export class DynamoPlanStore implements PlanStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: DynamoPlanStoreOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async putIfAbsent(plan: StoredPlan): Promise<StoredPlan> {
    const { execution: _execution, outcome: _outcome, ...body } = plan;
    const untilMs = Date.parse(plan.expiresAt);
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: {
            ...planKey(plan.requestId),
            type: 'PLAN',
            untilMs,
            body: JSON.stringify(body),
            [FINDINGS_TABLE.ttlAttribute]: Math.ceil(untilMs / 1000) + TTL_MARGIN_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': FINDINGS_TABLE.partitionKey },
        }),
      );
      return plan;
    } catch (error) {
      if (!isConditionFailure(error)) throw storeError('storing a plan', error);
    }
    const stored = await this.get(plan.requestId);
    if (stored === undefined)
      throw new KubeguardError('UPSTREAM', 'plans: a stored plan vanished; try again');
    return stored;
  }

  async get(requestId: string): Promise<StoredPlan | undefined> {
    try {
      const result = await this.#client.send(
        new GetCommand({ TableName: this.#tableName, Key: planKey(requestId), ConsistentRead: true }),
      );
      return result.Item === undefined ? undefined : planOf(result.Item);
    } catch (error) {
      throw storeError('reading a plan', error);
    }
  }

  async claimExecution(planRequestId: string, execution: PlanExecution): Promise<ExecutionClaim> {
    try {
      const result = await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: planKey(planRequestId),
          UpdateExpression: 'SET #execution = if_not_exists(#execution, :execution), #by = :request',
          ConditionExpression:
            'attribute_exists(#pk) AND ((attribute_not_exists(#by) AND #untilMs > :now) OR #by = :request)',
          ExpressionAttributeNames: {
            '#pk': FINDINGS_TABLE.partitionKey,
            '#execution': 'execution',
            '#by': 'executionRequestId',
            '#untilMs': 'untilMs',
          },
          ExpressionAttributeValues: {
            ':execution': JSON.stringify(execution),
            ':request': execution.requestId,
            ':now': Date.parse(execution.at),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      if (result.Attributes === undefined) throw new KubeguardError('UPSTREAM', 'plans: no item returned');
      return { claimed: true, plan: planOf(result.Attributes) };
    } catch (error) {
      if (!isConditionFailure(error)) throw storeError('claiming a plan', error);
    }
    // A redelivered confirmation keeps its claim (granted above); here someone else holds it, the
    // plan expired, or it never existed.
    const stored = await this.get(planRequestId);
    if (stored === undefined) return { claimed: false, why: 'missing' };
    if (stored.execution !== undefined) return { claimed: false, why: 'taken', plan: stored };
    return { claimed: false, why: 'expired', plan: stored };
  }

  async recordOutcome(
    planRequestId: string,
    executionRequestId: string,
    outcome: ActionOutcome,
  ): Promise<void> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: planKey(planRequestId),
          UpdateExpression: 'SET #outcome = :outcome',
          ConditionExpression: '#by = :request',
          ExpressionAttributeNames: { '#outcome': 'outcome', '#by': 'executionRequestId' },
          ExpressionAttributeValues: { ':outcome': JSON.stringify(outcome), ':request': executionRequestId },
        }),
      );
    } catch (error) {
      // Another confirmation's claim: its outcome is not this one's to write.
      if (isConditionFailure(error)) return;
      throw storeError('recording an outcome', error);
    }
  }
}

function planOf(item: Item): StoredPlan {
  const body = JSON.parse(String(item.body)) as StoredPlan;
  return {
    ...body,
    ...(typeof item.execution === 'string' ? { execution: JSON.parse(item.execution) } : {}),
    ...(typeof item.outcome === 'string' ? { outcome: JSON.parse(item.outcome) } : {}),
  };
}

function storeError(what: string, error: unknown): KubeguardError {
  return new KubeguardError('UPSTREAM', `plans: ${what} failed`, { cause: error });
}

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'ConditionalCheckFailedException')
  );
}
