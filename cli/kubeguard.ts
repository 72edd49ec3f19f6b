import { closest } from './args.ts';
import { auditCommand } from './commands/audit.ts';
import { detectCommand } from './commands/detect.ts';
import { netpolCommand } from './commands/netpol.ts';
import { renderCommand } from './commands/render.ts';
import { startCommand } from './commands/start.ts';
import { type CliCommand, type CliIo, EXIT_OK, EXIT_USAGE, processIo } from './io.ts';
import { kubeguardVersion } from './version.ts';

/** Every CLI command, in the order `--help` lists them. */
const COMMANDS: CliCommand[] = [startCommand, detectCommand, renderCommand, auditCommand, netpolCommand];

function helpText(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    `kubeguard ${kubeguardVersion()} — ChatOps security for Amazon EKS`,
    '',
    'Usage: kubeguard <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Exit codes (every command): 0 clean, 1 failures at or above --fail-on, 2 bad arguments or no usable',
    'input, 3 a source (cluster, AWS) could not be reached.',
    '',
    'Run `kubeguard help <command>` (or `kubeguard <command> --help`) for every option of one command,',
    '`kubeguard --version` for the version.',
    '',
  ].join('\n');
}

function commandHelp(command: CliCommand): string {
  return `${command.summary}\n\nUsage: ${command.usage}\n`;
}

function unknownCommand(name: string, io: CliIo): number {
  const names = COMMANDS.map((c) => c.name);
  const suggestions = closest(name, names);
  const hint = suggestions.length === 0 ? '' : `; did you mean ${suggestions.join(' or ')}?`;
  io.stderr(`kubeguard: unknown command ${JSON.stringify(name)}${hint}\nCommands: ${names.join(', ')}\n`);
  return EXIT_USAGE;
}

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V' || name === 'version') {
    io.stdout(`kubeguard ${kubeguardVersion()}\n`);
    return EXIT_OK;
  }
  if (name === 'help' && rest[0] !== undefined) {
    const command = COMMANDS.find((c) => c.name === rest[0]);
    if (command === undefined) return unknownCommand(rest[0], io);
    io.stdout(commandHelp(command));
    return EXIT_OK;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    // No command at all is a usage error (exit 2) that still shows the help, on stdout.
    io.stdout(helpText());
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) return unknownCommand(name, io);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(commandHelp(command));
    return EXIT_OK;
  }
  return command.run(rest, io);
}

// `npm start` runs this file directly (`node cli/kubeguard.ts start`); bin/kubeguard.js imports it.
if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
