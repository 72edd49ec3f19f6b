import type { ActionId } from '../remediation/action.ts';
import { ACTION_WORDS, objectText } from './actions.ts';
import { type ActionsBlock, type Block, mrkdwn, plainText, type SlackMessage } from './blocks.ts';
import { personText, plainSafe, slackDate } from './format.ts';
import { APPROVAL_ACTION_IDS, encodeApprovalValue } from './ids.ts';
import { BLOCK_KIT_LIMITS } from './limits.ts';
import { codeSpan, untrustedText } from './mrkdwn.ts';

/**
 * Two-person approval: "X requests <action> on <target> — reason …" with Approve and Deny, the
 * expiry, and the same message once resolved (approved by Y, denied by Y, expired), without
 * buttons. The buttons carry references (the request id, action, cluster and requester), never the
 * plan; whoever clicks is authorized again, and the
 * requester cannot approve their own request (the bot checks both; the message says so).
 */

export interface ApprovalRequest {
  /** The action request id: what Approve / Deny carry. */
  requestId: string;
  action: ActionId;
  /** As remediation describes it: `Pod shop/web-x`, `Secrets Manager secret prod/db`. */
  target: string;
  cluster?: string;
  /** Slack user id of the person who asked. */
  requestedBy: string;
  /** The reason they gave in the confirmation modal. */
  reason: string;
  /** ISO-8601. */
  requestedAt: string;
  /** ISO-8601: after this the request expires unapproved. */
  expiresAt: string;
  /** The role an approver needs. */
  approverRole: string;
}

export type ApprovalState =
  | { status: 'pending' }
  | { status: 'approved'; by: string; at: string }
  | { status: 'denied'; by: string; at: string; reason?: string }
  | { status: 'expired'; at: string };

const L = BLOCK_KIT_LIMITS;

/** The approval request as posted (pending) and as chat.update shows it once resolved. */
export function buildApprovalMessage(
  request: ApprovalRequest,
  state: ApprovalState = { status: 'pending' },
): SlackMessage {
  const words = ACTION_WORDS[request.action];
  const where = request.cluster === undefined ? '' : ` on cluster ${codeSpan(request.cluster, 120)}`;
  const blocks: Block[] = [
    {
      type: 'section',
      block_id: 'approval_request',
      text: mrkdwn(
        `:closed_lock_with_key: ${personText(request.requestedBy)} requests *${words.title}* on ${objectText(request.target)}${where}\n*Reason:* ${untrustedText(request.reason, 1500)}`,
      ),
    },
  ];
  if (state.status === 'pending') {
    blocks.push({
      type: 'context',
      block_id: 'approval_expiry',
      elements: [
        mrkdwn(
          `Needs a second person with the ${untrustedText(request.approverRole, 20)} role (not ${personText(request.requestedBy)}) · requested ${slackDate(request.requestedAt)} · expires ${slackDate(request.expiresAt)}; nothing runs before an approval.`,
        ),
      ],
    });
    blocks.push(approvalButtons(request));
  } else {
    blocks.push({ type: 'section', block_id: 'approval_state', text: mrkdwn(stateText(state)) });
  }
  return { text: fallbackText(request, state), blocks };
}

function stateText(state: Exclude<ApprovalState, { status: 'pending' }>): string {
  switch (state.status) {
    case 'approved':
      return `✅ *Approved* by ${personText(state.by)} ${slackDate(state.at)}.`;
    case 'denied': {
      const reason =
        state.reason === undefined || state.reason.trim() === ''
          ? ''
          : `: ${untrustedText(state.reason, 1000)}`;
      return `⛔ *Denied* by ${personText(state.by)} ${slackDate(state.at)}${reason}. Nothing was run.`;
    }
    case 'expired':
      return `⌛ *Expired* ${slackDate(state.at)} without an approval. Nothing was run.`;
  }
}

function approvalButtons(request: ApprovalRequest): ActionsBlock {
  const value = encodeApprovalValue({
    r: request.requestId,
    a: request.action,
    ...(request.cluster === undefined ? {} : { c: request.cluster }),
    u: request.requestedBy,
  });
  const words = ACTION_WORDS[request.action];
  const where = request.cluster === undefined ? '' : ` on ${request.cluster}`;
  const question = `${words.title} on ${request.target}${where} runs as soon as you approve, recorded under your name next to the requester's.`;
  return {
    type: 'actions',
    block_id: 'approval_actions',
    elements: [
      {
        type: 'button',
        action_id: APPROVAL_ACTION_IDS.approve,
        text: plainText('Approve'),
        style: 'primary',
        value,
        confirm: {
          title: plainText('Approve this action?'),
          text: plainText(plainSafe(question, L.confirmText)),
          confirm: plainText('Approve'),
          deny: plainText('Cancel'),
        },
      },
      {
        type: 'button',
        action_id: APPROVAL_ACTION_IDS.deny,
        text: plainText('Deny'),
        style: 'danger',
        value,
      },
    ],
  };
}

function fallbackText(request: ApprovalRequest, state: ApprovalState): string {
  const words = ACTION_WORDS[request.action];
  const where = request.cluster === undefined ? '' : ` on ${request.cluster}`;
  const status =
    state.status === 'pending' ? 'approval needed' : state.status === 'expired' ? 'expired' : state.status;
  return `${personText(request.requestedBy)} requests ${untrustedText(`${words.title} on ${request.target}${where}`, 500)}: ${status}`;
}
