import { KubeguardError } from '../../errors.ts';
import type { StoredFinding } from '../../findings/stored-finding.ts';
import type { ActionOutcome } from '../../remediation/action.ts';
import { ACTION_WORDS, objectText } from '../../slack-views/actions.ts';
import { mrkdwn } from '../../slack-views/blocks.ts';
import { untrustedText } from '../../slack-views/mrkdwn.ts';
import type { StoredPlan } from '../plan-store.ts';
import type { QueuedRequestOf } from '../requests.ts';
import type { WorkerDeps } from '../worker-context.ts';

/**
 * A remediation's outcome on its alert: kept on the finding (so every later render of the alert
 * shows it, core/findings/render.ts), the alert marked for an update at once and delivery nudged
 * (the outbox does the chat.update), and a note in the alert's thread.
 */
export async function showOnAlert(
  request: QueuedRequestOf<'execute'>,
  deps: WorkerDeps,
  stored: StoredPlan,
  outcome: ActionOutcome,
): Promise<void> {
  if (stored.finding === undefined) return;
  const finding = await keepOnFinding(deps, stored, request, outcome);
  if (finding === undefined) return;
  try {
    await deps.delivery.nudge();
  } catch (error) {
    deps.log.warn('delivery nudge failed; the schedule delivers within a minute', {
      requestId: request.requestId,
      error: error instanceof Error ? error.name : 'unknown',
    });
  }
  await threadNote(request, deps, finding, outcome);
}

async function keepOnFinding(
  deps: WorkerDeps,
  stored: StoredPlan,
  request: QueuedRequestOf<'execute'>,
  outcome: ActionOutcome,
): Promise<StoredFinding | undefined> {
  const fingerprint = stored.finding ?? '';
  for (let attempt = 0; attempt < 10; attempt += 1) {
    const current = await deps.findings.get(fingerprint);
    if (current === undefined) return undefined;
    const next: StoredFinding = {
      ...current,
      remediation: {
        requestId: request.requestId,
        outcome,
        cluster: stored.cluster,
        reason: request.args.reason,
      },
      version: current.version + 1,
      // A quiet finding has no alert to correct.
      delivery:
        current.delivery.state === 'quiet'
          ? current.delivery
          : {
              ...current.delivery,
              state: 'pending',
              messageStale: true,
              statusStale: true,
              nextAttemptAt: outcome.at,
            },
    };
    if (await deps.findings.save(next)) return next;
  }
  throw new KubeguardError(
    'CONFLICT',
    `finding ${fingerprint} kept changing; its alert shows the outcome later`,
  );
}

/** "<@U…> isolated Pod shop/web: isolation complete (request r-…)" in the alert's thread. */
async function threadNote(
  request: QueuedRequestOf<'execute'>,
  deps: WorkerDeps,
  finding: StoredFinding,
  outcome: ActionOutcome,
): Promise<void> {
  if (deps.messenger === undefined || finding.slack === undefined) return;
  const words = ACTION_WORDS[outcome.action];
  const verdict =
    outcome.status === 'done'
      ? outcome.verification.summary
      : outcome.status === 'failed'
        ? `failed (${outcome.error.code}): ${outcome.recovery}`
        : `nothing done: ${outcome.reason}`;
  const text = `<@${request.actor.userId}> ran *${words.title}* on ${objectText(outcome.target)}: ${untrustedText(verdict, 600)} — reason: ${untrustedText(request.args.reason, 500)} (request \`${request.requestId}\`)`;
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
