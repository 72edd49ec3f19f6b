import {
  type ApprovalAsk,
  type ApprovalDecision,
  type ApprovalDecisionResult,
  type ExecutionClaim,
  laterOf,
  type PlanApproval,
  type PlanExecution,
  type PlanStore,
  planExpired,
  type StoredPlan,
} from '../../core/chatops/plan-store.ts';
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
 * written only by the confirmation holding the claim; an approval is asked for once (the plan's
 * expiry extended to cover it) and decided once while it has not expired. The table's TTL removes a plan a day after it
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
          // Unclaimed, unexpired and — when an approval was asked for — approved; or this claim again.
          ConditionExpression:
            'attribute_exists(#pk) AND ((attribute_not_exists(#by) AND #untilMs > :now AND (attribute_not_exists(#approvalBy) OR #decisionStatus = :approved)) OR #by = :request)',
          ExpressionAttributeNames: {
            '#pk': FINDINGS_TABLE.partitionKey,
            '#execution': 'execution',
            '#by': 'executionRequestId',
            '#untilMs': 'untilMs',
            '#approvalBy': 'approvalRequestId',
            '#decisionStatus': 'decisionStatus',
          },
          ExpressionAttributeValues: {
            ':execution': JSON.stringify(execution),
            ':request': execution.requestId,
            ':now': Date.parse(execution.at),
            ':approved': 'approved',
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
    if (!planExpired(stored, execution.at) && stored.approval?.decision?.status !== 'approved') {
      return { claimed: false, why: 'unapproved', plan: stored };
    }
    return { claimed: false, why: 'expired', plan: stored };
  }

  async requestApproval(planRequestId: string, approval: PlanApproval): Promise<ApprovalAsk> {
    // Read, then write conditioned on what was read: the plan's expiry only ever changes here, once.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const stored = await this.get(planRequestId);
      if (stored === undefined) return { asked: false, why: 'missing' };
      if (stored.approval !== undefined) {
        return stored.approval.requestId === approval.requestId
          ? { asked: true, plan: stored as StoredPlan & { approval: PlanApproval } }
          : { asked: false, why: 'taken', plan: stored };
      }
      if (stored.execution !== undefined) return { asked: false, why: 'executed', plan: stored };
      if (planExpired(stored, approval.requestedAt)) return { asked: false, why: 'expired', plan: stored };
      const { message: _message, decision: _decision, ...asked } = approval;
      const untilMs = Date.parse(laterOf(stored.expiresAt, approval.expiresAt));
      try {
        const result = await this.#client.send(
          new UpdateCommand({
            TableName: this.#tableName,
            Key: planKey(planRequestId),
            UpdateExpression:
              'SET #approval = :approval, #approvalBy = :request, #approvalUntilMs = :approvalUntil, #untilMs = :until, #ttl = :ttl',
            ConditionExpression:
              'attribute_exists(#pk) AND attribute_not_exists(#approvalBy) AND attribute_not_exists(#by) AND #untilMs = :seen AND #untilMs > :now',
            ExpressionAttributeNames: {
              '#pk': FINDINGS_TABLE.partitionKey,
              '#approval': 'approval',
              '#approvalBy': 'approvalRequestId',
              '#approvalUntilMs': 'approvalUntilMs',
              '#untilMs': 'untilMs',
              '#by': 'executionRequestId',
              '#ttl': FINDINGS_TABLE.ttlAttribute,
            },
            ExpressionAttributeValues: {
              ':approval': JSON.stringify(asked),
              ':request': approval.requestId,
              ':approvalUntil': Date.parse(approval.expiresAt),
              ':until': untilMs,
              ':ttl': Math.ceil(untilMs / 1000) + TTL_MARGIN_SECONDS,
              ':seen': Date.parse(stored.expiresAt),
              ':now': Date.parse(approval.requestedAt),
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        if (result.Attributes === undefined) throw new KubeguardError('UPSTREAM', 'plans: no item returned');
        return { asked: true, plan: planOf(result.Attributes) as StoredPlan & { approval: PlanApproval } };
      } catch (error) {
        // Someone else wrote in between: read again and say what happened.
        if (!isConditionFailure(error)) throw storeError('asking for an approval', error);
      }
    }
    throw new KubeguardError('CONFLICT', `plans: plan ${planRequestId} kept changing; try again`);
  }

  async recordApprovalMessage(
    planRequestId: string,
    approvalRequestId: string,
    message: { channel: string; ts: string },
  ): Promise<void> {
    // Another confirmation's approval: not this one's message to record.
    await this.#setIfOwnedBy(planRequestId, {
      owner: ['approvalRequestId', approvalRequestId],
      set: ['approvalMessage', message],
      what: 'recording an approval message',
    });
  }

  async decideApproval(planRequestId: string, decision: ApprovalDecision): Promise<ApprovalDecisionResult> {
    try {
      const result = await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: planKey(planRequestId),
          UpdateExpression:
            'SET #decision = if_not_exists(#decision, :decision), #decidedBy = if_not_exists(#decidedBy, :request), #status = if_not_exists(#status, :status)',
          ConditionExpression:
            'attribute_exists(#approvalBy) AND ((attribute_not_exists(#decidedBy) AND #approvalUntilMs > :now) OR #decidedBy = :request)',
          ExpressionAttributeNames: {
            '#decision': 'decision',
            '#decidedBy': 'decisionRequestId',
            '#status': 'decisionStatus',
            '#approvalBy': 'approvalRequestId',
            '#approvalUntilMs': 'approvalUntilMs',
          },
          ExpressionAttributeValues: {
            ':decision': JSON.stringify(decision),
            ':request': decision.requestId,
            ':status': decision.status,
            ':now': Date.parse(decision.at),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      if (result.Attributes === undefined) throw new KubeguardError('UPSTREAM', 'plans: no item returned');
      return {
        decided: true,
        plan: planOf(result.Attributes) as Extract<ApprovalDecisionResult, { decided: true }>['plan'],
      };
    } catch (error) {
      if (!isConditionFailure(error)) throw storeError('deciding an approval', error);
    }
    const stored = await this.get(planRequestId);
    if (stored === undefined) return { decided: false, why: 'missing' };
    if (stored.approval === undefined) return { decided: false, why: 'not-asked', plan: stored };
    if (stored.approval.decision !== undefined) return { decided: false, why: 'decided', plan: stored };
    return { decided: false, why: 'expired', plan: stored };
  }

  async recordOutcome(
    planRequestId: string,
    executionRequestId: string,
    outcome: ActionOutcome,
  ): Promise<void> {
    // Another confirmation's claim: its outcome is not this one's to write.
    await this.#setIfOwnedBy(planRequestId, {
      owner: ['executionRequestId', executionRequestId],
      set: ['outcome', outcome],
      what: 'recording an outcome',
    });
  }

  /**
   * Writes one attribute (as JSON) when the plan's `owner` attribute holds the given request id; a
   * plan owned by another request is left as it is, silently (its own request writes it).
   */
  async #setIfOwnedBy(
    planRequestId: string,
    write: {
      owner: [attribute: string, requestId: string];
      set: [attribute: string, value: unknown];
      what: string;
    },
  ): Promise<void> {
    const [ownerName, ownerId] = write.owner;
    const [valueName, value] = write.set;
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: planKey(planRequestId),
          UpdateExpression: 'SET #value = :value',
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#value': valueName, '#owner': ownerName },
          ExpressionAttributeValues: { ':value': JSON.stringify(value), ':owner': ownerId },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return;
      throw storeError(write.what, error);
    }
  }
}

function planOf(item: Item): StoredPlan {
  const body = JSON.parse(String(item.body)) as StoredPlan;
  return {
    ...body,
    // An approval can extend the plan's life: `untilMs` is its expiry as it stands.
    ...(typeof item.untilMs === 'number' ? { expiresAt: new Date(item.untilMs).toISOString() } : {}),
    ...(typeof item.execution === 'string' ? { execution: JSON.parse(item.execution) } : {}),
    ...(typeof item.outcome === 'string' ? { outcome: JSON.parse(item.outcome) } : {}),
    ...(typeof item.approval === 'string' ? { approval: approvalOf(item) } : {}),
  };
}

function approvalOf(item: Item): PlanApproval {
  return {
    ...(JSON.parse(String(item.approval)) as PlanApproval),
    ...(typeof item.approvalMessage === 'string' ? { message: JSON.parse(item.approvalMessage) } : {}),
    ...(typeof item.decision === 'string' ? { decision: JSON.parse(item.decision) } : {}),
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
