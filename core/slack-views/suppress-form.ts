import { type ModalView, mrkdwn, plainText } from './blocks.ts';
import { EKS_CLUSTER_NAME } from './ids.ts';
import { codeSpan } from './mrkdwn.ts';

/**
 * The form the Suppress… button opens: for how long, and why. Its private_metadata carries
 * references only (the finding, its cluster, the alert message), read back by `parseSuppressForm`.
 */
export const SUPPRESS_FORM = {
  callbackId: 'suppress_finding',
  duration: { blockId: 'suppress_duration', actionId: 'duration' },
  reason: { blockId: 'suppress_reason', actionId: 'reason' },
} as const;

export interface SuppressFormReference {
  /** Finding fingerprint. */
  fp: string;
  /** Cluster, when the alert named a valid one. */
  c?: string;
  /** The alert message: channel and ts. */
  ch?: string;
  ts?: string;
}

export function buildSuppressForm(reference: SuppressFormReference): ModalView {
  const where = reference.c === undefined ? '' : ` on cluster ${codeSpan(reference.c, 102)}`;
  return {
    type: 'modal',
    callback_id: SUPPRESS_FORM.callbackId,
    title: plainText('Suppress finding'),
    submit: plainText('Suppress'),
    close: plainText('Cancel'),
    private_metadata: JSON.stringify(reference),
    blocks: [
      {
        type: 'section',
        block_id: 'suppress_what',
        text: mrkdwn(
          `Suppress finding ${codeSpan(reference.fp.slice(0, 12), 14)}${where}? Its alert stays and says who suppressed it; new occurrences stop posting to its thread until the time is up, then the next one reopens it.`,
        ),
      },
      {
        type: 'input',
        block_id: SUPPRESS_FORM.duration.blockId,
        label: plainText('For how long'),
        hint: plainText('A number and m, h, d or w (minutes, hours, days, weeks), up to 30 days.'),
        element: {
          type: 'plain_text_input',
          action_id: SUPPRESS_FORM.duration.actionId,
          initial_value: '4h',
          max_length: 8,
        },
      },
      {
        type: 'input',
        block_id: SUPPRESS_FORM.reason.blockId,
        label: plainText('Why'),
        hint: plainText('Recorded in the audit trail and shown on the alert.'),
        element: {
          type: 'plain_text_input',
          action_id: SUPPRESS_FORM.reason.actionId,
          multiline: true,
          min_length: 3,
          max_length: 500,
        },
      },
    ],
  };
}

const FINGERPRINT = /^[0-9a-f]{32}$/;
const CHANNEL = /^[CGD][A-Z0-9]{2,30}$/;
const MESSAGE_TS = /^\d{1,12}\.\d{1,8}$/;

/** The form's reference, or undefined when private_metadata is not one kubeguard wrote. */
export function parseSuppressForm(privateMetadata: string): SuppressFormReference | undefined {
  let value: unknown;
  try {
    value = JSON.parse(privateMetadata);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { fp, c, ch, ts } = value as Record<string, unknown>;
  if (typeof fp !== 'string' || !FINGERPRINT.test(fp)) return undefined;
  if (c !== undefined && (typeof c !== 'string' || !EKS_CLUSTER_NAME.test(c))) return undefined;
  const message = typeof ch === 'string' && CHANNEL.test(ch) && typeof ts === 'string' && MESSAGE_TS.test(ts);
  return {
    fp,
    ...(c === undefined ? {} : { c: c as string }),
    ...(message ? { ch: ch as string, ts: ts as string } : {}),
  };
}
