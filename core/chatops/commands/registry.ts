import { ackCommand } from './ack.ts';
import { invalid, parseArgs, quoted } from './args.ts';
import { auditCommand } from './audit.ts';
import type { CommandContext, CommandPlan, CommandSpec } from './command.ts';
import { digestCommand } from './digest.ts';
import { evidenceCommand } from './evidence.ts';
import { findingsCommand } from './findings.ts';
import { helpCommand } from './help.ts';
import { isolateCommand } from './isolate.ts';
import { releaseCommand } from './release.ts';
import { rotateCommand } from './rotate.ts';
import { statusCommand } from './status.ts';
import { suppressCommand } from './suppress.ts';

/** The slash command Slack sends every subcommand under (deploy/slack/manifest.json). */
export const SLASH_COMMAND = '/k8s';

/**
 * Every `/k8s` subcommand, in the order `/k8s help` lists them. Adding one: a module with its
 * CommandSpec here, an action kind in core/chatops/requests.ts and a handler in
 * core/chatops/worker.ts (when it queues work), then `npm run manifest`.
 */
export const COMMANDS: readonly CommandSpec[] = [
  helpCommand,
  findingsCommand,
  ackCommand,
  suppressCommand,
  isolateCommand,
  releaseCommand,
  rotateCommand,
  statusCommand,
  auditCommand,
  digestCommand,
  evidenceCommand,
];

export interface PlannedCommand {
  spec: CommandSpec;
  plan: CommandPlan;
}

/**
 * Reads `/k8s` text: the first word names the subcommand (none = help), the rest are its arguments.
 * The spec comes back even when its arguments are wrong, so the caller can authorize first and
 * explain the error only to someone allowed to use the command. `plan` throws INVALID_ARGUMENT.
 */
export function findCommand(
  text: string,
  commands: readonly CommandSpec[] = COMMANDS,
): { spec: CommandSpec; words: string[] } {
  const words = text
    .trim()
    .split(/\s+/)
    .filter((word) => word !== '');
  const name = (words.shift() ?? 'help').toLowerCase();
  const spec = commands.find((command) => command.name === name);
  if (spec === undefined) {
    throw invalid(
      `unknown command ${quoted(name, 40)}; commands: ${commands.map((c) => c.name).join(', ')} — try /k8s help`,
    );
  }
  return { spec, words };
}

export function planCommand(
  spec: CommandSpec,
  words: readonly string[],
  context: CommandContext,
): CommandPlan {
  return spec.plan(parseArgs(words, spec.flags, spec.usage), context);
}
