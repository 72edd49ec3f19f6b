import type { BlockAction, ButtonAction } from '@slack/bolt';
import type { App } from '../../adapters/slack/bolt-runtime.ts';
import { BUTTONS } from '../../core/chatops/buttons.ts';
import { handleButton, type IngressDeps } from '../../core/chatops/ingress.ts';
import { errorName } from './commands.ts';

/**
 * Button clicks: one listener per button of the registry (core/chatops/buttons.ts), so Bolt answers
 * 404 for a button the bot does not handle. The ack is empty; answers come from the worker.
 */
export function registerActionListeners(app: App, deps: IngressDeps): void {
  for (const spec of deps.buttons ?? BUTTONS) {
    app.action<BlockAction<ButtonAction>>(
      { type: 'block_actions', action_id: spec.actionId },
      async ({ body, action, ack }) => {
        try {
          await handleButton(
            {
              userId: body.user.id,
              ...(body.team?.id === undefined ? {} : { teamId: body.team.id }),
              ...(body.channel?.id === undefined ? {} : { channelId: body.channel.id }),
              ...(body.response_url === undefined ? {} : { responseUrl: body.response_url }),
              actionId: action.action_id,
              ...(action.value === undefined ? {} : { value: action.value }),
              actionTs: action.action_ts,
              triggerId: body.trigger_id,
              ...messageOf(body),
              ...(body.view?.id === undefined ? {} : { view: { id: body.view.id } }),
            },
            deps,
          );
        } catch (error) {
          deps.log.error('slack click failed in the ingress', {
            actionId: spec.actionId,
            error: errorName(error),
          });
        }
        await ack();
      },
    );
  }
}

/** The message the button is on: the container's channel and ts, and its thread's when it is a reply. */
function messageOf(body: BlockAction): { message?: { channel: string; ts: string; threadTs?: string } } {
  const container = body.container as
    | { channel_id?: unknown; message_ts?: unknown; thread_ts?: unknown }
    | undefined;
  const channel = container?.channel_id;
  const ts = container?.message_ts;
  if (typeof channel !== 'string' || typeof ts !== 'string') return {};
  const thread = container?.thread_ts ?? (body.message as { thread_ts?: unknown } | undefined)?.thread_ts;
  return {
    message: { channel, ts, ...(typeof thread === 'string' && thread !== ts ? { threadTs: thread } : {}) },
  };
}
