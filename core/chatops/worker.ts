import { asKubeguardError, type KubeguardError } from '../errors.ts';
import { auditDetailsHandler, auditHandler } from './handlers/audit.ts';
import { digestHandler } from './handlers/digest.ts';
import { evidenceHandler } from './handlers/evidence.ts';
import { homeHandler } from './handlers/home.ts';
import { policiesHandler } from './handlers/policies.ts';
import { findingsHandler, statusHandler } from './handlers/read.ts';
import { approveHandler, denyHandler } from './handlers/remediation-approval.ts';
import { executeHandler } from './handlers/remediation-execute.ts';
import { planHandler } from './handlers/remediation-plan.ts';
import { ackHandler, suppressHandler } from './handlers/status-change.ts';
import type { ReplyTarget } from './ports.ts';
import { denialReply, errorReply, type SlackReply, TRANSIENT_CODES, textReply } from './replies.ts';
import type { ActionKind, QueuedRequest, QueuedRequestOf } from './requests.ts';
import {
  AccessDeniedError,
  type HandlerOutcome,
  recordFor,
  type WorkerAttempt,
  type WorkerDeps,
  type WorkerHandler,
} from './worker-context.ts';

export {
  ACTION_MAX_ATTEMPTS,
  AccessDeniedError,
  type HandlerOutcome,
  recordFor,
  requireRole,
  type WorkerAttempt,
  type WorkerDeps,
  type WorkerHandler,
} from './worker-context.ts';

/**
 * The action worker: runs one queued request (core/chatops/requests.ts) and answers the person who
 * asked. `WORKER_HANDLERS` is the dispatch table, one handler per action kind. Errors become text
 * in one place (replies.ts → core/slack-views/errors.ts); a failure of Slack or AWS is retried by
 * the queue until its last attempt, then answered.
 */

/**
 * The dispatch table. A new kind (isolate, release, rotate, audit, approve) adds its handler here;
 * TypeScript refuses a kind of requests.ts without one.
 */
export const WORKER_HANDLERS: { [K in ActionKind]: WorkerHandler<K> } = {
  ack: ackHandler,
  suppress: suppressHandler,
  findings: findingsHandler,
  status: statusHandler,
  reply: async (request) => ({ reply: textReply(request.args.text), result: 'done' }),
  home: homeHandler,
  audit: auditHandler,
  'audit-details': auditDetailsHandler,
  policies: policiesHandler,
  plan: planHandler,
  execute: executeHandler,
  approve: approveHandler,
  deny: denyHandler,
  digest: digestHandler,
  evidence: evidenceHandler,
};

/** Runs a request; 'retry' asks the queue to deliver it again (a transient failure, not the last try). */
export async function runQueuedRequest(
  request: QueuedRequest,
  deps: WorkerDeps,
  attempt: WorkerAttempt,
): Promise<'done' | 'retry'> {
  const handler = WORKER_HANDLERS[request.kind] as WorkerHandler<ActionKind>;
  const target = replyTarget(request);
  let outcome: HandlerOutcome;
  try {
    outcome = await handler(request as QueuedRequestOf<ActionKind>, deps);
  } catch (error) {
    if (error instanceof AccessDeniedError) {
      await recordFor(deps, request, 'denial', {
        result: 'denied',
        role: error.decision.needed,
        detail: error.message,
        ...(error.decision.cluster === undefined ? {} : { cluster: error.decision.cluster }),
        ...(error.finding === undefined ? {} : { finding: error.finding }),
      });
      await answer(
        deps,
        request,
        target,
        denialReply(error.decision, error.purpose, deps.config.authorization),
      );
      return 'done';
    }
    const failure = asKubeguardError(error);
    if (TRANSIENT_CODES.has(failure.code) && !attempt.final) {
      deps.log.warn('action failed; the queue retries it', logOf(request, failure, attempt));
      return 'retry';
    }
    deps.log.error('action failed', logOf(request, failure, attempt));
    const reply = errorReply(failure, request.requestId);
    if (request.kind !== 'reply')
      await recordFor(deps, request, 'outcome', { result: 'failed', detail: failureDetail(failure) });
    await answer(deps, request, target, reply);
    return 'done';
  }
  if (request.kind !== 'reply') {
    await recordFor(deps, request, 'outcome', {
      result: outcome.result,
      ...(outcome.detail === undefined ? {} : { detail: outcome.detail }),
      ...(outcome.cluster === undefined ? {} : { cluster: outcome.cluster }),
      ...(outcome.finding === undefined ? {} : { finding: outcome.finding }),
      ...(outcome.target === undefined ? {} : { target: outcome.target }),
    });
  }
  const sent = outcome.reply === undefined ? true : await answer(deps, request, target, outcome.reply);
  // A `reply` is nothing but its message: one that could not be sent is tried again.
  return request.kind === 'reply' && !sent && !attempt.final ? 'retry' : 'done';
}

function replyTarget(request: QueuedRequest): ReplyTarget {
  return {
    userId: request.actor.userId,
    ...(request.reply.channelId === undefined ? {} : { channelId: request.reply.channelId }),
    ...(request.reply.responseUrl === undefined ? {} : { responseUrl: request.reply.responseUrl }),
  };
}

/** Sends the answer; a failure is logged (the action itself is done and recorded). */
async function answer(
  deps: WorkerDeps,
  request: QueuedRequest,
  target: ReplyTarget,
  reply: SlackReply,
): Promise<boolean> {
  try {
    await deps.replies.reply(target, reply);
    return true;
  } catch (error) {
    deps.log.warn('answer not delivered to slack', {
      requestId: request.requestId,
      code: asKubeguardError(error).code,
    });
    return false;
  }
}

/** What the trail says about a failure: the reader's message when it is one, else the code. */
function failureDetail(failure: KubeguardError): string {
  return TRANSIENT_CODES.has(failure.code) || failure.code === 'INTERNAL'
    ? `${failure.code}: see the worker's log for request details`
    : failure.message;
}

function logOf(
  request: QueuedRequest,
  failure: KubeguardError,
  attempt: WorkerAttempt,
): Record<string, unknown> {
  return {
    requestId: request.requestId,
    kind: request.kind,
    code: failure.code,
    error: failure.message,
    attempt: attempt.attempt,
  };
}
