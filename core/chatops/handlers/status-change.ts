import { KubeguardError } from '../../errors.ts';
import { changeFindingStatus } from '../../findings/status.ts';
import type { StoredFinding } from '../../findings/stored-finding.ts';
import { canTransition, type FindingStatus } from '../../model/finding.ts';
import { mrkdwn } from '../../slack-views/blocks.ts';
import { SHORT_ID_LENGTH } from '../../slack-views/bot-replies.ts';
import { personText, slackDate } from '../../slack-views/format.ts';
import { codeSpan, untrustedText } from '../../slack-views/mrkdwn.ts';
import { formatMinutes } from '../commands/args.ts';
import { textReply } from '../replies.ts';
import type { QueuedRequest } from '../requests.ts';
import {
  type HandlerOutcome,
  recordFor,
  requireRole,
  type WorkerDeps,
  type WorkerHandler,
} from '../worker-context.ts';
import { resolveFinding } from './resolve.ts';

/**
 * Acknowledge and suppress: a status change through core/findings/status.ts, so the finding's alert
 * is marked stale and alert delivery (nudged here) updates it from the outbox. The person's role is
 * checked for the finding's own cluster; the change is recorded as an `action` before it is made.
 */

export const ackHandler: WorkerHandler<'ack'> = async (request, deps) => {
  const finding = await resolveFinding(deps.findings, request.args.finding);
  requireRole(
    request,
    deps,
    'responder',
    finding.detection.cluster,
    'acknowledge findings',
    finding.fingerprint,
  );
  return changeStatus(request, deps, finding, {
    at: deps.clock(),
    to: 'acknowledged',
    ...(request.args.reason === undefined ? {} : { reason: request.args.reason }),
    plan: '',
    done: 'Acknowledged',
    note: 'acknowledged this finding',
  });
};

export const suppressHandler: WorkerHandler<'suppress'> = async (request, deps) => {
  const finding = await resolveFinding(deps.findings, request.args.finding);
  requireRole(
    request,
    deps,
    'responder',
    finding.detection.cluster,
    'suppress findings',
    finding.fingerprint,
  );
  const at = deps.clock();
  const until = new Date(Date.parse(at) + request.args.minutes * 60_000).toISOString();
  const duration = formatMinutes(request.args.minutes);
  const reason =
    request.args.reason === undefined ? `for ${duration}` : `for ${duration}: ${request.args.reason}`;
  return changeStatus(request, deps, finding, {
    at,
    to: 'suppressed',
    reason,
    until,
    plan: ` for ${duration} (until ${until})`,
    done: `Suppressed for ${duration}, until ${slackDate(until)}`,
    note: `suppressed this finding for ${duration}`,
  });
};

interface Change {
  /** When the change is made: the status entry's time, and where a suppression's end counts from. */
  at: string;
  to: FindingStatus;
  reason?: string;
  until?: string;
  /** What the audit trail's plan adds after `open → suppressed`. */
  plan: string;
  /** The answer's first words (mrkdwn written by kubeguard). */
  done: string;
  /** The thread note after the person's mention. */
  note: string;
}

async function changeStatus(
  request: QueuedRequest,
  deps: WorkerDeps,
  finding: StoredFinding,
  change: Change,
): Promise<HandlerOutcome> {
  const id = codeSpan(finding.fingerprint.slice(0, SHORT_ID_LENGTH), 14);
  const title = untrustedText(finding.detection.title, 150);
  const facts = {
    finding: finding.fingerprint,
    target: `finding ${finding.fingerprint}`,
    ...(finding.detection.cluster === undefined ? {} : { cluster: finding.detection.cluster }),
  };
  if (finding.status === change.to) return unchanged(finding, id, facts);
  if (!canTransition(finding.status, change.to)) {
    throw new KubeguardError(
      'PRECONDITION_FAILED',
      `finding ${finding.fingerprint.slice(0, SHORT_ID_LENGTH)} is ${finding.status}; it cannot become ${change.to}`,
    );
  }
  const { at } = change;
  await recordFor(deps, request, 'action', {
    ...facts,
    plan: `${finding.status} → ${change.to}${change.plan}`,
    ...(change.reason === undefined ? {} : { reason: change.reason }),
  });
  const updated = await changeFindingStatus(deps.findings, {
    fingerprint: finding.fingerprint,
    to: change.to,
    actor: request.actor.userId,
    at,
    ...(change.reason === undefined ? {} : { reason: change.reason }),
    ...(change.until === undefined ? {} : { until: change.until }),
  });
  const mine = updated.history.at(-1);
  if (mine?.actor !== request.actor.userId || mine.at !== at) return unchanged(updated, id, facts);
  await nudgeDelivery(deps, request);
  await threadNote(deps, request, updated, change);
  return {
    reply: textReply(
      `:white_check_mark: ${change.done}: finding ${id} — *${title}*. Its alert shows it in a moment.`,
    ),
    result: 'done',
    detail: `${finding.status} → ${change.to}`,
    ...facts,
  };
}

function unchanged(
  finding: StoredFinding,
  id: string,
  facts: Omit<HandlerOutcome, 'reply' | 'result'>,
): HandlerOutcome {
  const entry = finding.history.findLast((h) => h.status === finding.status);
  const by = entry === undefined ? '' : ` (by ${personText(entry.actor)} ${slackDate(entry.at)})`;
  return {
    reply: textReply(`Finding ${id} is already ${finding.status}${by}; nothing changed.`),
    result: 'unchanged',
    detail: `already ${finding.status}`,
    ...facts,
  };
}

/** The alert updates when delivery runs; a failed nudge only waits for the next scheduled run. */
async function nudgeDelivery(deps: WorkerDeps, request: QueuedRequest): Promise<void> {
  try {
    await deps.delivery.nudge();
  } catch (error) {
    deps.log.warn('delivery nudge failed; the schedule delivers within a minute', {
      requestId: request.requestId,
      error: error instanceof Error ? error.name : 'unknown',
    });
  }
}

/** "<@U…> acknowledged this finding" in the alert's thread: the trail, where the alert is. */
async function threadNote(
  deps: WorkerDeps,
  request: QueuedRequest,
  finding: StoredFinding,
  change: Change,
): Promise<void> {
  if (deps.messenger === undefined || finding.slack === undefined) return;
  const reason = change.reason === undefined ? '' : ` — ${untrustedText(change.reason, 500)}`;
  const text = `<@${request.actor.userId}> ${change.note}${reason} (request \`${request.requestId}\`)`;
  try {
    await deps.messenger.postMessage({
      channel: finding.slack.channel,
      threadTs: finding.slack.ts,
      text,
      blocks: [{ type: 'section', block_id: 'kubeguard_note', text: mrkdwn(text) }],
    });
  } catch (error) {
    deps.log.warn('thread note not posted', {
      requestId: request.requestId,
      error: error instanceof Error ? error.name : 'unknown',
    });
  }
}
