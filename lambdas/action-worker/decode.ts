import { decodeQueuedRequest, type QueuedRequest } from '../../core/chatops/requests.ts';
import { ACTION_MAX_ATTEMPTS, type WorkerAttempt } from '../../core/chatops/worker-context.ts';
import { InvalidEventError } from '../../core/errors.ts';

/** The part of an SQS record the worker reads. */
export interface SqsRecordLike {
  messageId: string;
  body: string;
  attributes?: { ApproximateReceiveCount?: string };
}

export interface DecodedRecord {
  messageId: string;
  request: QueuedRequest;
  attempt: WorkerAttempt;
}

/** The SQS event's records; InvalidEventError when the event is not an SQS batch at all. */
export function recordsOf(event: unknown): SqsRecordLike[] {
  const records = (event as { Records?: unknown } | null)?.Records;
  if (!Array.isArray(records))
    throw new InvalidEventError('action worker event has no Records array (expected an SQS batch)');
  return records.filter(
    (record): record is SqsRecordLike =>
      typeof record === 'object' &&
      record !== null &&
      typeof (record as SqsRecordLike).messageId === 'string',
  );
}

/** One record as a request and its attempt; InvalidEventError naming the field when it is not one. */
export function decodeRecord(record: SqsRecordLike, maxAttempts = ACTION_MAX_ATTEMPTS): DecodedRecord {
  const received = Number(record.attributes?.ApproximateReceiveCount ?? '1');
  const attempt = Number.isInteger(received) && received > 0 ? received : 1;
  return {
    messageId: record.messageId,
    request: decodeQueuedRequest(typeof record.body === 'string' ? record.body : ''),
    attempt: { attempt, final: attempt >= maxAttempts },
  };
}
