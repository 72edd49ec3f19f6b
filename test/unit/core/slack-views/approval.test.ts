import { describe, expect, it } from 'vitest';
import { type ApprovalRequest, buildApprovalMessage } from '#core/slack-views/approval.ts';
import { type ActionsBlock, validateBlockKitMessage } from '#core/slack-views/blocks.ts';
import { parseApprovalValue } from '#core/slack-views/ids.ts';
import { textOf } from './views-support.ts';

const REQUEST: ApprovalRequest = {
  requestId: 'req-7f3a',
  action: 'isolate-pod',
  target: 'Pod shop/web-5cdcc99dbf-rgw6z',
  cluster: 'prod',
  requestedBy: 'U024BE7LH',
  reason: 'reverse shell from web',
  requestedAt: '2024-05-01T10:00:00Z',
  expiresAt: '2024-05-01T10:15:00Z',
  approverRole: 'responder',
};
const VALUE = '{"r":"req-7f3a","a":"isolate-pod","c":"prod","u":"U024BE7LH"}';
const HEADLINE =
  ':closed_lock_with_key: <@U024BE7LH> requests *Isolate pod* on Pod `shop/web-5cdcc99dbf-rgw6z` on cluster `prod`\n*Reason:* reverse shell from web';

describe('two-person approval message', () => {
  it('asks: who requests what on which target and why, who may approve, until when; Approve and Deny', () => {
    const message = buildApprovalMessage(REQUEST);

    expect(message.text).toBe(
      '<@U024BE7LH> requests Isolate pod on Pod shop/web-5cdcc99dbf-rgw6z on prod: approval needed',
    );
    expect(textOf(message.blocks, 'approval_request')).toBe(HEADLINE);
    expect(textOf(message.blocks, 'approval_expiry')).toBe(
      'Needs a second person with the responder role (not <@U024BE7LH>) · requested <!date^1714557600^{date_short_pretty} {time}|2024-05-01T10:00:00.000Z> · expires <!date^1714558500^{date_short_pretty} {time}|2024-05-01T10:15:00.000Z>; nothing runs before an approval.',
    );
    const actions = message.blocks.find((b) => b.block_id === 'approval_actions') as ActionsBlock;
    expect(actions.elements.map((b) => [b.action_id, b.text.text, b.style, b.value])).toEqual([
      ['approval_approve', 'Approve', 'primary', VALUE],
      ['approval_deny', 'Deny', 'danger', VALUE],
    ]);
    expect(actions.elements[0]?.confirm?.text.text).toBe(
      "Isolate pod on Pod shop/web-5cdcc99dbf-rgw6z on prod runs as soon as you approve, recorded under your name next to the requester's.",
    );
    expect(parseApprovalValue(actions.elements[1]?.value ?? '')).toEqual({
      r: 'req-7f3a',
      a: 'isolate-pod',
      c: 'prod',
      u: 'U024BE7LH',
    });
    expect(validateBlockKitMessage(message)).toEqual([]);
  });

  it.each([
    [
      { status: 'approved', by: 'U0APPROVER1', at: '2024-05-01T10:05:00Z' },
      '✅ *Approved* by <@U0APPROVER1> <!date^1714557900^{date_short_pretty} {time}|2024-05-01T10:05:00.000Z>.',
      'approved',
    ],
    [
      { status: 'denied', by: 'U0APPROVER1', at: '2024-05-01T10:05:00Z', reason: 'wrong pod' },
      '⛔ *Denied* by <@U0APPROVER1> <!date^1714557900^{date_short_pretty} {time}|2024-05-01T10:05:00.000Z>: wrong pod. Nothing was run.',
      'denied',
    ],
    [
      { status: 'expired', at: '2024-05-01T10:15:00Z' },
      '⌛ *Expired* <!date^1714558500^{date_short_pretty} {time}|2024-05-01T10:15:00.000Z> without an approval. Nothing was run.',
      'expired',
    ],
  ] as const)('resolved %#: says so and drops the buttons', (state, line, word) => {
    const message = buildApprovalMessage(REQUEST, state);
    expect(message.blocks.map((b) => b.block_id)).toEqual(['approval_request', 'approval_state']);
    expect(textOf(message.blocks, 'approval_request')).toBe(HEADLINE);
    expect(textOf(message.blocks, 'approval_state')).toBe(line);
    expect(message.text.endsWith(`: ${word}`)).toBe(true);
  });

  it('shows a hostile reason as one neutralized line', () => {
    const message = buildApprovalMessage({
      ...REQUEST,
      reason: 'fine\n\n*APPROVED by security* <!channel> `x` <https://evil|ok>',
    });
    expect(textOf(message.blocks, 'approval_request').split('\n')[1]).toBe(
      "*Reason:* fine ∗APPROVED by security∗ &lt;!channel&gt; 'x' &lt;https://evil|ok&gt;",
    );
  });
});
