import { describe, expect, it } from 'vitest';
import { validateBlockKitMessage } from '#core/slack-views/blocks.ts';
import { buildHelpMessage, type CommandDescriptor } from '#core/slack-views/help.ts';
import { textOf } from './views-support.ts';

const COMMANDS: CommandDescriptor[] = [
  {
    name: 'help',
    usage: '/k8s help [COMMAND]',
    summary: 'List the commands, or explain one.',
    role: 'viewer',
    details: 'Example: `/k8s help suppress`.',
  },
  {
    name: 'isolate',
    usage: 'isolate NS/POD [--cluster C]',
    summary: 'Isolate a pod, after a confirmation that shows the plan.',
    role: 'responder',
  },
];

describe('/k8s help from the command registry', () => {
  it('lists every command with its usage, what it does and the role it needs', () => {
    const message = buildHelpMessage(COMMANDS);
    expect(message.text).toBe('/k8s commands: help, isolate');
    expect(message.blocks).toHaveLength(1);
    expect(textOf(message.blocks, 'help_1')).toBe(
      [
        '*`/k8s` commands* (each needs the role named; `/k8s help COMMAND` for one):',
        '• `/k8s help [COMMAND]` — List the commands, or explain one. _(viewer)_',
        '• `/k8s isolate NS/POD [--cluster C]` — Isolate a pod, after a confirmation that shows the plan. _(responder)_',
      ].join('\n'),
    );
  });

  it('explains one command, with its details', () => {
    expect(textOf(buildHelpMessage(COMMANDS, { topic: 'help' }).blocks, 'help_command')).toBe(
      '`/k8s help [COMMAND]`\nList the commands, or explain one.\nExample: `/k8s help suppress`.\nNeeds the *viewer* role.',
    );
  });

  it('names an unknown command as data and lists the real ones', () => {
    const message = buildHelpMessage(COMMANDS, { topic: '<!channel> `x`' });
    expect(textOf(message.blocks, 'help_1').split('\n')[0]).toBe(
      "No command `&lt;!channel&gt; 'x'`. The commands are `help`, `isolate`:",
    );
  });

  it('spreads a long registry over sections within the limits', () => {
    const many = Array.from({ length: 200 }, (_, i) => ({
      name: `command-${i}`,
      usage: `command-${i} ${'ARG '.repeat(20)}`,
      summary: 'Does something with a fairly long explanation of what it does. '.repeat(3),
      role: 'viewer',
    }));
    const message = buildHelpMessage(many);
    expect(message.blocks.length).toBeGreaterThan(1);
    expect(validateBlockKitMessage(message)).toEqual([]);
    const shown = message.blocks.map((_, i) => textOf(message.blocks, `help_${i + 1}`)).join('\n');
    expect(shown).toContain('`/k8s command-199 ARG');
  });
});
