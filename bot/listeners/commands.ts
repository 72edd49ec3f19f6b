import type { SlashCommand } from '@slack/bolt';
import type { App } from '../../adapters/slack/bolt-runtime.ts';
import { SLASH_COMMAND } from '../../core/chatops/commands/registry.ts';
import { handleCommand, type IngressDeps } from '../../core/chatops/ingress.ts';
import { errorReply, type SlackReply } from '../../core/chatops/replies.ts';

/**
 * `/k8s …`: the command is translated into the ingress's terms, run through it (authorize, claim,
 * record, queue) and acknowledged with its answer — ephemeral, only the person sees it.
 */
export function registerCommandListeners(app: App, deps: IngressDeps): void {
  app.command(SLASH_COMMAND, async ({ command, ack }) => {
    let reply: SlackReply;
    try {
      reply = await handleCommand(commandRequest(command), deps);
    } catch (error) {
      // The ack is owed whatever happened: Slack shows "operation_timeout" otherwise.
      deps.log.error('slack command failed in the ingress', { error: errorName(error) });
      reply = errorReply(error, 'ingress');
    }
    await ack({
      response_type: 'ephemeral',
      text: reply.text,
      ...(reply.blocks === undefined ? {} : { blocks: reply.blocks }),
    });
  });
}

function commandRequest(command: SlashCommand) {
  return {
    userId: command.user_id,
    ...(command.team_id === '' ? {} : { teamId: command.team_id }),
    ...(command.channel_id === '' ? {} : { channelId: command.channel_id }),
    ...(command.response_url === '' ? {} : { responseUrl: command.response_url }),
    text: command.text,
    triggerId: command.trigger_id,
  };
}

export function errorName(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 300) : 'unknown';
}
