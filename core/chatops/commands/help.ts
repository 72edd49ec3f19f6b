import type { SlackReply } from '../replies.ts';
import { expectPositionals, invalid, quoted } from './args.ts';
import type { CommandSpec } from './command.ts';

const USAGE = '/k8s help [COMMAND]';

export const helpCommand: CommandSpec = {
  name: 'help',
  usage: USAGE,
  summary: 'List the commands, or explain one.',
  details: 'Example: `/k8s help suppress`.',
  role: 'viewer',
  purpose: 'use kubeguard in Slack',
  flags: [],
  plan(args, context) {
    const [name] = expectPositionals(args, ['COMMAND'], USAGE, 1);
    if (name === undefined)
      return { type: 'answer', reply: commandList(context.commands), scope: { anyCluster: true } };
    const spec = context.commands.find((command) => command.name === name.toLowerCase());
    if (spec === undefined) {
      throw invalid(
        `no command ${quoted(name)}; commands: ${context.commands.map((c) => c.name).join(', ')}`,
      );
    }
    return { type: 'answer', reply: commandHelp(spec), scope: { anyCluster: true } };
  },
};

/** `/k8s help`: every command with its usage, summary and role. */
export function commandList(commands: readonly CommandSpec[]): SlackReply {
  const lines = commands.map((c) => `• \`${c.usage}\` — ${c.summary} _(${c.role})_`);
  return {
    text: ['*kubeguard commands*', ...lines, 'More on one: `/k8s help COMMAND`.'].join('\n'),
  };
}

function commandHelp(spec: CommandSpec): SlackReply {
  return {
    text: [`\`${spec.usage}\` _(needs the ${spec.role} role)_`, spec.summary, spec.details].join('\n'),
  };
}
