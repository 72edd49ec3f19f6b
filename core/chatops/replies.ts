import { type AuthorizationConfig, adminsOf, type Decision } from '../authz/policy.ts';
import type { ErrorCode } from '../errors.ts';
import type { Block } from '../slack-views/blocks.ts';
import { denialMessage, errorReply as errorMessage } from '../slack-views/errors.ts';

/**
 * What the bot says back to the person who asked. Failures and denials become words in one place,
 * core/slack-views/errors.ts (what happened, what to do, the request id; no stack trace, cause or
 * credential); this module only adapts the bot's decisions to it.
 */
export interface SlackReply {
  /** mrkdwn; also the notification text. */
  text: string;
  blocks?: Block[];
}

export function textReply(text: string): SlackReply {
  return { text };
}

/** Codes that mean a dependency failed or was busy: the queue tries the request again. */
export const TRANSIENT_CODES: ReadonlySet<ErrorCode> = new Set(['UPSTREAM', 'RATE_LIMITED']);

/** The reply for a failed request. */
export function errorReply(error: unknown, requestId: string): SlackReply {
  return errorMessage(error, { requestId });
}

/** Why a request was refused, what role it needs where, and whom to ask. */
export function denialReply(
  decision: Extract<Decision, { allowed: false }>,
  what: string,
  config: AuthorizationConfig,
): SlackReply {
  return denialMessage({
    what,
    needed: decision.needed,
    ...(decision.cluster === undefined ? {} : { cluster: decision.cluster }),
    ...(decision.anyCluster === true ? { anyCluster: true } : {}),
    ...(decision.held === undefined ? {} : { held: decision.held }),
    heldOn: decision.heldOn,
    admins: adminsOf(config),
    ...(config.contact === undefined ? {} : { contact: config.contact }),
  });
}
