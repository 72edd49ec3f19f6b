import type { ActionId } from '../remediation/action.ts';
import { codeSpan, untrustedText } from './mrkdwn.ts';

/**
 * How the views name each remediation action. The titles equal the actions' own metadata titles
 * (core/remediation/registry.ts; a unit test keeps them equal) but are not imported from there, so
 * the Slack ingress, which renders denials and planning modals, does not bundle the actions.
 */
export interface ActionWords {
  /** `Isolate pod`: modal titles (≤ 24 characters with `Confirm: `) and headings. */
  title: string;
  /** `isolate a pod`: "You need the responder role to isolate a pod". */
  phrase: string;
  /** `Isolate`: the submit button. */
  submit: string;
  /** How it is undone (the action's `undoneBy`), or that it cannot be. */
  undo: string;
}

export const ACTION_WORDS: Readonly<Record<ActionId, ActionWords>> = {
  'isolate-pod': {
    title: 'Isolate pod',
    phrase: 'isolate a pod',
    submit: 'Isolate',
    undo: 'Release pod undoes it.',
  },
  'release-pod': {
    title: 'Release pod',
    phrase: 'release a pod',
    submit: 'Release',
    undo: 'To contain the pod again, isolate it again.',
  },
  'rotate-secret': {
    title: 'Rotate secret',
    phrase: 'rotate a secret',
    submit: 'Rotate',
    undo: 'A rotation is not undone: the previous value stays in Secrets Manager as AWSPREVIOUS.',
  },
  'cordon-node': {
    title: 'Cordon node',
    phrase: 'cordon a node',
    submit: 'Cordon',
    undo: 'Uncordon node undoes it.',
  },
  'uncordon-node': {
    title: 'Uncordon node',
    phrase: 'uncordon a node',
    submit: 'Uncordon',
    undo: 'To stop scheduling onto the node again, cordon it again.',
  },
};

/**
 * An object as remediation describes it (`Pod shop/web-x`, `NetworkPolicy shop/kubeguard-…`,
 * `Secrets Manager secret prod/db`): the kind in words, the name — cluster-supplied, never
 * containing a space — as a code span.
 */
export function objectText(described: string, max = 300): string {
  const cut = described.lastIndexOf(' ');
  if (cut <= 0) return codeSpan(described, max);
  return `${untrustedText(described.slice(0, cut), 60)} ${codeSpan(described.slice(cut + 1), max)}`;
}
