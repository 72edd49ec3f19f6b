import { KubeguardError } from '../../errors.ts';
import type { StoredFinding } from '../../findings/stored-finding.ts';
import type { ActionOutcome } from '../../remediation/action.ts';
import { ACTION_WORDS, objectText } from '../../slack-views/actions.ts';
import { mrkdwn } from '../../slack-views/blocks.ts';
import { untrustedText } from '../../slack-views/mrkdwn.ts';
import type { StoredPlan } from '../plan-store.ts';
import type { WorkerDeps } from '../worker-context.ts';

/** One run of a stored plan: the request it runs under, who asked, why, and who approved. */
export interface PlanRun {
  /** The confirmation's request id, or the approval's when a second person approved. */
  requestId: string;
  /** Slack user id of the person who confirmed the plan. */
  requestedBy: string;
  reason: string;
  /** Slack user id of the second person, when the action needed one. */
  approvedBy?: string;
}

/**
 * A remediation's outcome on its alert: kept on the finding (so every later render of the alert
 * shows it, core/findings/render.ts), the alert marked for an update at once and delivery nudged
 * (the outbox does the chat.update), and a note in the alert's thread.
 */
export async function showOnAlert(
  run: PlanRun,
  deps: WorkerDeps,
  stored: StoredPlan,
  outcome: ActionOutcome,
): Promise<void> {
  if (stored.finding === undefined) return;
  const finding = await keepOnFinding(deps, stored, run, outcome);
  if (finding === undefined) return;
  try {
    await deps.delivery.nudge();
  } catch (error) {
    deps.log.warn('delivery nudge failed; the schedule delivers within a minute', {
      requestId: run.requestId,
      error: error instanceof Error ? error.name : 'unknown',
    });
  }
  await threadNote(run, deps, finding, outcome);
}

async function keepOnFinding(
  deps: WorkerDeps,
  stored: StoredPlan,
  run: PlanRun,
  outcome: ActionOutcome,
): Promise<StoredFinding | undefined> {
  const fingerprint = stored.finding ?? '';
  for (let attempt = 0; attempt < 10; attempt += 1) {
    const current = await deps.findings.get(fingerprint);
    if (current === undefined) return undefined;
    const next: StoredFinding = {
      ...current,
      remediation: {
        requestId: run.requestId,
        outcome,
        cluster: stored.cluster,
        reason: run.reason,
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
  run: PlanRun,
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
  const approved = run.approvedBy === undefined ? '' : `, approved by <@${run.approvedBy}>`;
  const text = `<@${run.requestedBy}> ran *${words.title}* on ${objectText(outcome.target)}${approved}: ${untrustedText(verdict, 600)} — reason: ${untrustedText(run.reason, 500)} (request \`${run.requestId}\`)`;
  try {
    await deps.messenger.postMessage({
      channel: finding.slack.channel,
      threadTs: finding.slack.ts,
      text,
      blocks: [{ type: 'section', block_id: 'kubeguard_note', text: mrkdwn(text) }],
    });
  } catch (error) {
    deps.log.warn('thread note not posted', {
      requestId: run.requestId,
      error: error instanceof Error ? error.name : 'unknown',
    });
  }
}
