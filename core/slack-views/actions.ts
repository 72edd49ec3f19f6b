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
}

export const ACTION_WORDS: Readonly<Record<ActionId, ActionWords>> = {
  'isolate-pod': { title: 'Isolate pod', phrase: 'isolate a pod', submit: 'Isolate' },
  'release-pod': { title: 'Release pod', phrase: 'release a pod', submit: 'Release' },
  'rotate-secret': { title: 'Rotate secret', phrase: 'rotate a secret', submit: 'Rotate' },
  'cordon-node': { title: 'Cordon node', phrase: 'cordon a node', submit: 'Cordon' },
  'uncordon-node': { title: 'Uncordon node', phrase: 'uncordon a node', submit: 'Uncordon' },
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
