import type { Context } from 'aws-lambda';
import { isMonthlyEvidenceEvent } from '../../core/chatops/evidence-ports.ts';
import type { WorkerDeps } from '../../core/chatops/worker.ts';
import { asKubeguardError } from '../../core/errors.ts';
import type { FunctionLogger } from '../shared/logger.ts';
import { type FunctionObservability, observeInvocation } from '../shared/observability.ts';
import { composeActionWorker } from './composition.ts';
import { decodeRecord, recordsOf } from './decode.ts';
import { onFirstUse } from './lazy.ts';

/** SQS partial batch response: the records to deliver again. */
export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

export interface ActionWorkerDeps {
  logger: FunctionLogger;
  worker: WorkerDeps;
}

export type ActionWorkerHandler = (event: unknown) => Promise<BatchResponse>;

/**
 * The dispatch table and its handlers (remediation with its netpol schemas on full zod and re2js, the
 * audit engine with its YAML parser, digests, Home) are imported with the first request, not when the
 * bundle loads (D56).
 */
const dispatch = onFirstUse(() => import('../../core/chatops/worker.ts'));
const evidence = onFirstUse(() => import('../../core/chatops/handlers/evidence.ts'));

/**
 * The action worker: SQS delivers queued Slack requests (core/chatops/requests.ts); each runs through
 * the worker's dispatch table and is answered in Slack. A request the worker asks to retry (Slack or
 * AWS failed, not its last attempt) or that failed unexpectedly is reported as a batch item failure,
 * so SQS delivers it again and, after its last attempt, to the dead-letter queue. A record that is
 * not a request is logged and dropped: delivering it again would not make it one. The monthly
 * evidence schedule invokes it too, with MONTHLY_EVIDENCE_EVENT instead of an SQS batch.
 */
export function createActionWorkerHandler(deps: ActionWorkerDeps): ActionWorkerHandler {
  return async (event) => {
    if (isMonthlyEvidenceEvent(event)) {
      // The monthly schedule (EventBridge, asynchronous): no queue record. A failure is logged and
      // thrown, so the invocation counts as an error (the errors alarm); nothing is retried, and
      // /k8s evidence builds the same month on demand.
      const { runMonthlyEvidencePack } = await evidence();
      try {
        const outcome = await runMonthlyEvidencePack(deps.worker);
        deps.logger.info('monthly evidence pack done', { ...outcome });
      } catch (error) {
        const failure = asKubeguardError(error);
        deps.logger.error('monthly evidence pack failed', { code: failure.code, error: failure.message });
        throw error;
      }
      return { batchItemFailures: [] };
    }
    const failures: { itemIdentifier: string }[] = [];
    for (const record of recordsOf(event)) {
      let decoded: ReturnType<typeof decodeRecord>;
      try {
        decoded = decodeRecord(record);
      } catch (error) {
        deps.logger.error('queued request dropped: not a request', {
          messageId: record.messageId,
          error: asKubeguardError(error).message,
        });
        continue;
      }
      try {
        const { runQueuedRequest } = await dispatch();
        const result = await runQueuedRequest(decoded.request, deps.worker, decoded.attempt);
        if (result === 'retry') failures.push({ itemIdentifier: record.messageId });
        else
          deps.logger.info('action done', {
            requestId: decoded.request.requestId,
            kind: decoded.request.kind,
          });
      } catch (error) {
        // Recording the outcome failed (the store is down): deliver it again.
        deps.logger.error('action failed unexpectedly; the queue delivers it again', {
          requestId: decoded.request.requestId,
          code: asKubeguardError(error).code,
          attempt: decoded.attempt.attempt,
        });
        failures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures: failures };
  };
}

let composed: Promise<{ run: ActionWorkerHandler; observability: FunctionObservability }> | undefined;

/**
 * Lambda entry point (SQS event source with ReportBatchItemFailures): the Lambda context on every log
 * line, Slack and AWS calls traced, metrics written when the invocation ends.
 */
export async function handler(event: unknown, context?: Partial<Context>): Promise<BatchResponse> {
  composed ??= composeActionWorker()
    .then((deps) => ({ run: createActionWorkerHandler(deps), observability: deps.observability }))
    .catch((error: unknown) => {
      composed = undefined;
      throw error;
    });
  const { run, observability } = await composed;
  return observeInvocation(observability, context, () => run(event));
}
