import { marshall, type NativeAttributeValue, unmarshall } from '@aws-sdk/util-dynamodb';
import type { AwsCredentialIdentity } from '@smithy/types';
import {
  type AwsAnswer,
  type AwsCall,
  AwsServiceError,
  createAwsCaller,
  metadataOf,
} from './signed-fetch.ts';

/**
 * A DynamoDB document client on the DynamoDB JSON API (AWS JSON 1.0), with the command names, inputs,
 * outputs and error names of `@aws-sdk/lib-dynamodb` for the operations kubeguard uses — GetItem,
 * PutItem, UpdateItem, DeleteItem, Query, Scan — so a store moves to it by changing its imports. Plain
 * JavaScript values are marshalled with the SDK's own `@aws-sdk/util-dynamodb`
 * (`removeUndefinedValues`, as kubeguard configured the SDK client). Why not the SDK client: its
 * runtime is ~300 KB of the ingest functions' bundles, and kubeguard needs six operations (D30).
 */

export type Item = Record<string, NativeAttributeValue>;

interface ExpressionInput {
  TableName: string;
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Item;
  ReturnConsumedCapacity?: 'INDEXES' | 'TOTAL' | 'NONE';
}

export interface GetCommandInput {
  TableName: string;
  Key: Item;
  ConsistentRead?: boolean;
  ProjectionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
}
export interface PutCommandInput extends ExpressionInput {
  Item: Item;
  ReturnValues?: 'NONE' | 'ALL_OLD';
  ReturnValuesOnConditionCheckFailure?: 'ALL_OLD' | 'NONE';
}
export interface UpdateCommandInput extends ExpressionInput {
  Key: Item;
  UpdateExpression?: string;
  ReturnValues?: 'NONE' | 'ALL_OLD' | 'UPDATED_OLD' | 'ALL_NEW' | 'UPDATED_NEW';
  ReturnValuesOnConditionCheckFailure?: 'ALL_OLD' | 'NONE';
}
export interface DeleteCommandInput extends ExpressionInput {
  Key: Item;
  ReturnValues?: 'NONE' | 'ALL_OLD';
  ReturnValuesOnConditionCheckFailure?: 'ALL_OLD' | 'NONE';
}
export interface QueryCommandInput extends Omit<ExpressionInput, 'ConditionExpression'> {
  IndexName?: string;
  KeyConditionExpression: string;
  FilterExpression?: string;
  ProjectionExpression?: string;
  ScanIndexForward?: boolean;
  Limit?: number;
  ConsistentRead?: boolean;
  ExclusiveStartKey?: Item;
  Select?: 'ALL_ATTRIBUTES' | 'ALL_PROJECTED_ATTRIBUTES' | 'SPECIFIC_ATTRIBUTES' | 'COUNT';
}
export interface ScanCommandInput extends Omit<ExpressionInput, 'ConditionExpression'> {
  IndexName?: string;
  FilterExpression?: string;
  ProjectionExpression?: string;
  Limit?: number;
  ConsistentRead?: boolean;
  ExclusiveStartKey?: Item;
  Select?: 'ALL_ATTRIBUTES' | 'ALL_PROJECTED_ATTRIBUTES' | 'SPECIFIC_ATTRIBUTES' | 'COUNT';
  Segment?: number;
  TotalSegments?: number;
}

interface Metadata {
  $metadata: { httpStatusCode?: number; requestId?: string };
}
export interface GetCommandOutput extends Metadata {
  Item?: Item;
}
export interface WriteCommandOutput extends Metadata {
  Attributes?: Item;
}
export interface PageCommandOutput extends Metadata {
  Items?: Item[];
  Count?: number;
  ScannedCount?: number;
  LastEvaluatedKey?: Item;
}

/** A command: the DynamoDB operation, its document input, and (for typing) its output. */
abstract class DocumentCommand<I, O> {
  abstract readonly operation: string;
  declare readonly outputType: O;
  readonly input: I;

  constructor(input: I) {
    this.input = input;
  }
}
export class GetCommand extends DocumentCommand<GetCommandInput, GetCommandOutput> {
  readonly operation = 'GetItem';
}
export class PutCommand extends DocumentCommand<PutCommandInput, WriteCommandOutput> {
  readonly operation = 'PutItem';
}
export class UpdateCommand extends DocumentCommand<UpdateCommandInput, WriteCommandOutput> {
  readonly operation = 'UpdateItem';
}
export class DeleteCommand extends DocumentCommand<DeleteCommandInput, WriteCommandOutput> {
  readonly operation = 'DeleteItem';
}
export class QueryCommand extends DocumentCommand<QueryCommandInput, PageCommandOutput> {
  readonly operation = 'Query';
}
export class ScanCommand extends DocumentCommand<ScanCommandInput, PageCommandOutput> {
  readonly operation = 'Scan';
}

export type AnyDocumentCommand =
  | GetCommand
  | PutCommand
  | UpdateCommand
  | DeleteCommand
  | QueryCommand
  | ScanCommand;

/** What the stores call; tests may wrap it (crash injection) as they wrapped the SDK client. */
export interface DocumentClient {
  send<C extends AnyDocumentCommand>(command: C): Promise<C['outputType']>;
}

/** The lib-dynamodb name of the client type, so a store moves here by changing its import path only. */
export type DynamoDBDocumentClient = DocumentClient;

/**
 * A failed conditional write, as the SDK names it; `Item` is the item's current state when the write
 * asked for it (`ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`).
 */
export class ConditionalCheckFailedException extends AwsServiceError {
  readonly Item?: Item;

  constructor(source: AwsServiceError) {
    super('ConditionalCheckFailedException', source.message, source.$metadata, { ...source.body });
    const item = source.body.Item;
    if (isAttributeMap(item)) this.Item = unmarshall(item as never);
  }
}

export interface DocumentClientOptions {
  region: string;
  credentials: AwsCredentialIdentity;
  /** A local DynamoDB (dynalite) instead of `https://dynamodb.<region>.amazonaws.com`. */
  endpoint?: string;
  /** @default 3 */
  maxAttempts?: number;
  /** For tests. */
  fetch?: typeof fetch;
}

const MARSHALL = { removeUndefinedValues: true } as const;

export function createDynamoDocumentClient(options: DocumentClientOptions): DocumentClient {
  const call = createAwsCaller({
    service: 'dynamodb',
    region: options.region,
    credentials: options.credentials,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  return {
    async send(command) {
      const request: AwsCall = {
        method: 'POST',
        path: '/',
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': `DynamoDB_20120810.${command.operation}`,
        },
        body: JSON.stringify(marshallInput(command.input as unknown as Record<string, unknown>)),
      };
      let answer: AwsAnswer;
      try {
        answer = await call(request);
      } catch (error) {
        if (error instanceof AwsServiceError && error.name === 'ConditionalCheckFailedException') {
          throw new ConditionalCheckFailedException(error);
        }
        throw error;
      }
      return unmarshallOutput(JSON.parse(answer.body) as Record<string, unknown>, answer) as never;
    },
  };
}

/** The document fields of an input, marshalled to attribute values. */
function marshallInput(input: Record<string, unknown>): Record<string, unknown> {
  const wire: Record<string, unknown> = { ...input };
  for (const field of ['Item', 'Key', 'ExpressionAttributeValues', 'ExclusiveStartKey'] as const) {
    const value = input[field];
    if (value !== undefined) wire[field] = marshall(value as Item, MARSHALL);
  }
  return wire;
}

function unmarshallOutput(wire: Record<string, unknown>, answer: AwsAnswer): Record<string, unknown> {
  const output: Record<string, unknown> = {
    ...wire,
    $metadata: metadataOf(answer),
  };
  for (const field of ['Item', 'Attributes', 'LastEvaluatedKey'] as const) {
    const value = wire[field];
    if (isAttributeMap(value)) output[field] = unmarshall(value as never);
  }
  if (Array.isArray(wire.Items)) output.Items = wire.Items.map((item) => unmarshall(item as never));
  return output;
}

function isAttributeMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
