import { auditCommand } from './commands/audit.ts';
import { detectCommand } from './commands/detect.ts';
import { netpolCommand } from './commands/netpol.ts';
import { renderCommand } from './commands/render.ts';
import { startCommand } from './commands/start.ts';
import { type CliCommand, type CliIo, EXIT_USAGE, processIo } from './io.ts';

/** Every CLI command, in the order `--help` lists them. */
const COMMANDS: CliCommand[] = [startCommand, detectCommand, renderCommand, auditCommand, netpolCommand];

function helpText(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'Usage: kubeguard <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `kubeguard <command> --help` for the options of one command.',
    '',
  ].join('\n');
}

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(helpText());
    return name === undefined ? EXIT_USAGE : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) {
    io.stderr(`kubeguard: unknown command "${name}"; commands: ${COMMANDS.map((c) => c.name).join(', ')}\n`);
    return EXIT_USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`Usage: ${command.usage}\n\n${command.summary}\n`);
    return 0;
  }
  return command.run(rest, io);
}

// `npm start` runs this file directly (`node cli/kubeguard.ts start`); bin/kubeguard.js imports it.
if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
