import { type Block, mrkdwn, type SlackMessage } from './blocks.ts';
import { BLOCK_KIT_LIMITS } from './limits.ts';
import { codeSpan, safeMrkdwn, untrustedText } from './mrkdwn.ts';

/**
 * `/k8s help` built from the bot's command registry: every subcommand with its usage, what it does
 * and the role it needs; `/k8s help <command>` for one; an unknown one lists the rest. The registry
 * is the bot's; this takes its descriptors as they are.
 */

export interface CommandDescriptor {
  /** `isolate` */
  name: string;
  /** `isolate NS/POD [--cluster C]` (the slash command is put in front when missing). */
  usage: string;
  /** One line: what it does. */
  summary: string;
  /** The role it needs: `viewer`, `responder`, `admin`. */
  role: string;
  /**
   * More for `/k8s help NAME`: examples, flags. mrkdwn written by kubeguard (the registry), so its
   * formatting is kept; `&`, `<` and `>` are still escaped, so it can link or mention nothing.
   */
  details?: string;
}

export interface HelpOptions {
  /** The slash command. @default '/k8s' */
  command?: string;
  /** `/k8s help <topic>`: the one command asked about. */
  topic?: string;
}

const L = BLOCK_KIT_LIMITS;
const LINE_CAP = 600;
/** Names listed after "No command …": the list below has them all. */
const MAX_NAMED = 30;

export function buildHelpMessage(
  commands: readonly CommandDescriptor[],
  options: HelpOptions = {},
): SlackMessage {
  const slash = options.command ?? '/k8s';
  const topic = options.topic?.trim();
  if (topic !== undefined && topic !== '') {
    const found = commands.find((command) => command.name === topic);
    if (found !== undefined) {
      const details =
        found.details === undefined || found.details.trim() === ''
          ? ''
          : `\n${safeMrkdwn(found.details, L.sectionText - 1000)}`;
      const text = `${usageSpan(slash, found)}\n${untrustedText(found.summary, LINE_CAP)}${details}\nNeeds the *${untrustedText(found.role, 20)}* role.`;
      return {
        text: untrustedText(`${slash} ${found.name}: ${found.summary}`, 1000),
        blocks: [section('help_command', text)],
      };
    }
    const shown = commands.slice(0, MAX_NAMED).map((command) => codeSpan(command.name, 60));
    const more = commands.length > MAX_NAMED ? ` and ${commands.length - MAX_NAMED} more` : '';
    const heading = `No command ${codeSpan(topic, 60)}. The commands are ${shown.join(', ')}${more}:`;
    return listMessage(slash, commands, heading);
  }
  return listMessage(
    slash,
    commands,
    `*${codeSpan(slash, 40)} commands* (each needs the role named; ${codeSpan(`${slash} help COMMAND`, 60)} for one):`,
  );
}

function listMessage(slash: string, commands: readonly CommandDescriptor[], heading: string): SlackMessage {
  const lines = commands.map(
    (command) =>
      `• ${usageSpan(slash, command)} — ${untrustedText(command.summary, LINE_CAP)} _(${untrustedText(command.role, 20)})_`,
  );
  const blocks: Block[] = [];
  let current = heading;
  for (const line of lines) {
    if (current.length + 1 + line.length > L.sectionText) {
      blocks.push(section(`help_${blocks.length + 1}`, current));
      current = line;
    } else {
      current = `${current}\n${line}`;
    }
  }
  blocks.push(section(`help_${blocks.length + 1}`, current));
  const kept = blocks.slice(0, L.blocksPerMessage);
  return {
    text: untrustedText(`${slash} commands: ${commands.map((c) => c.name).join(', ')}`, 3000),
    blocks: kept,
  };
}

function usageSpan(slash: string, command: CommandDescriptor): string {
  const usage = command.usage.trim().startsWith('/')
    ? command.usage.trim()
    : `${slash} ${command.usage.trim()}`;
  return codeSpan(usage, 300);
}

function section(blockId: string, text: string): Block {
  return { type: 'section', block_id: blockId, text: mrkdwn(text) };
}
