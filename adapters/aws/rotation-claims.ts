import { KubeguardError } from '#core/errors.ts';
import type { ClaimResult, RotationClaim, RotationClaims } from '#core/remediation/rotation-claims.ts';
import * as z from '#core/zod.ts';
import {
  ConditionalCheckFailedException,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
} from './dynamo-document.ts';
import { FINDINGS_TABLE } from './findings-table.ts';

/**
 * Rotation claims (core/remediation/rotation-claims.ts) in the findings table: one item per secret,
 * `pk = ROTATION#<secret ARN>`, `sk = CLAIM`. A claim is one conditional PutItem — written when no
 * item exists or the one there has expired (`untilMs <= now`) — so two workers claiming the same
 * secret at once get one winner; the other reads the winner back (strongly consistent) and is
 * granted only if it is the same rotation (a retry keeps the first claim). Single-item
 * writes only, so it runs on dynalite. The table's TTL removes an item a day after it expired.
 */
export interface DynamoRotationClaimsOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

const TTL_MARGIN_SECONDS = 86_400;

// zod/mini: this adapter is composed into the worker bundle (decision D11).
const itemSchema = z.object({
  secretArn: z.string().check(z.minLength(1)),
  rotationId: z.string().check(z.minLength(1)),
  startedAt: z.string(),
  startedBy: z.string(),
  until: z.string(),
  untilMs: z.number(),
});

export const rotationClaimKey = (secretArn: string) => ({
  [FINDINGS_TABLE.partitionKey]: `ROTATION#${secretArn}`,
  [FINDINGS_TABLE.sortKey]: 'CLAIM',
});

export class DynamoRotationClaims implements RotationClaims {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: DynamoRotationClaimsOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async current(secretArn: string, at: string): Promise<RotationClaim | undefined> {
    const stored = await this.#read(secretArn);
    return stored !== undefined && stored.untilMs > timeOf(at, 'at') ? claimOf(stored) : undefined;
  }

  async claim(claim: RotationClaim, at: string): Promise<ClaimResult> {
    const untilMs = timeOf(claim.until, 'until');
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: {
            ...rotationClaimKey(claim.secretArn),
            type: 'ROTATION_CLAIM',
            ...claim,
            untilMs,
            [FINDINGS_TABLE.ttlAttribute]: Math.ceil(untilMs / 1000) + TTL_MARGIN_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(#pk) OR #untilMs <= :now',
          ExpressionAttributeNames: { '#pk': FINDINGS_TABLE.partitionKey, '#untilMs': 'untilMs' },
          ExpressionAttributeValues: { ':now': timeOf(at, 'at') },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) {
        throw new KubeguardError(
          'UPSTREAM',
          `rotation claims: claiming ${claim.secretArn} for rotation ${claim.rotationId} failed`,
          { cause: error },
        );
      }
      const holder = await this.#read(claim.secretArn);
      if (holder === undefined) {
        // The holder expired and was removed between the write and the read: claim again.
        return this.claim(claim, at);
      }
      // The same rotation again (a retry, a redelivered message): its first claim stands.
      if (holder.rotationId === claim.rotationId) return { claimed: true, claim: claimOf(holder) };
      return { claimed: false, holder: claimOf(holder) };
    }
    return { claimed: true, claim };
  }

  async #read(secretArn: string): Promise<z.infer<typeof itemSchema> | undefined> {
    let item: Record<string, unknown> | undefined;
    try {
      const answer = await this.#client.send(
        new GetCommand({
          TableName: this.#tableName,
          Key: rotationClaimKey(secretArn),
          ConsistentRead: true,
        }),
      );
      item = answer.Item;
    } catch (error) {
      throw new KubeguardError('UPSTREAM', `rotation claims: reading the claim on ${secretArn} failed`, {
        cause: error,
      });
    }
    if (item === undefined) return undefined;
    const parsed = itemSchema.safeParse(item);
    if (!parsed.success) {
      throw new KubeguardError(
        'INTERNAL',
        `rotation claim item ROTATION#${secretArn} is malformed (${parsed.error.issues[0]?.message ?? 'invalid'}); delete it from the table to let rotations of this secret start again`,
      );
    }
    return parsed.data;
  }
}

function claimOf(item: z.infer<typeof itemSchema>): RotationClaim {
  const { secretArn, rotationId, startedAt, startedBy, until } = item;
  return { secretArn, rotationId, startedAt, startedBy, until };
}

function timeOf(iso: string, what: string): number {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) {
    throw new KubeguardError(
      'INVALID_ARGUMENT',
      `rotation claims: ${what} must be ISO-8601; received ${JSON.stringify(iso)}`,
    );
  }
  return ms;
}

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'ConditionalCheckFailedException')
  );
}
