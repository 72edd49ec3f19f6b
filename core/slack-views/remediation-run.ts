import { ACTION_WORDS, objectText } from './actions.ts';
import { type Block, type ModalView, mrkdwn, plainText } from './blocks.ts';
import { describeError } from './errors.ts';
import { type ConfirmReference, encodeConfirmReference, SLACK_CALLBACK_IDS } from './ids.ts';

/**
 * The confirmation modal after its submission: "running" while the worker executes the stored plan,
 * then the verified outcome (the outcome blocks the alert shows, core/slack-views/outcome.ts), or why
 * nothing ran (the plan expired, someone else confirmed it). The worker replaces the modal by its
 * view id; the same words go to the alert and its thread.
 */

export function buildRunningModal(reference: ConfirmReference, target?: string): ModalView {
  const words = ACTION_WORDS[reference.a];
  const what = target === undefined ? '' : ` on ${objectText(target)}`;
  return modal(reference, [
    {
      type: 'section',
      block_id: 'run_status',
      text: mrkdwn(
        `:gear: Running *${words.title}*${what}: exactly the steps you confirmed. The verified result appears here and on the alert.`,
      ),
    },
  ]);
}

export function buildRunResultModal(reference: ConfirmReference, outcome: readonly Block[]): ModalView {
  return modal(reference, [...outcome]);
}

export function buildRunErrorModal(reference: ConfirmReference, error: unknown): ModalView {
  const words = ACTION_WORDS[reference.a];
  return modal(reference, [
    {
      type: 'section',
      block_id: 'run_error',
      text: mrkdwn(`*${words.title} did not run.*\n${describeError(error, { requestId: reference.r })}`),
    },
  ]);
}

function modal(reference: ConfirmReference, blocks: Block[]): ModalView {
  return {
    type: 'modal',
    callback_id: SLACK_CALLBACK_IDS.planning,
    title: plainText(ACTION_WORDS[reference.a].title),
    close: plainText('Close'),
    private_metadata: encodeConfirmReference(reference),
    blocks,
  };
}
