import { closest } from './args.ts';
import { type CliCommand, type CliIo, EXIT_OK, EXIT_USAGE, processIo } from './io.ts';
import { kubeguardVersion } from './version.ts';

/** A command as `--help` lists it; its module (options, help, code) loads only when it runs. */
interface CommandEntry {
  name: string;
  summary: string;
  load: () => Promise<CliCommand>;
}

/**
 * Every CLI command, in the order `--help` lists them. Loaded on demand: `kubeguard --help` and
 * `--version` then load none of them, which keeps start-up under 300 ms on Node 20 (issue 14).
 */
const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'start',
    summary: 'Start the local sandbox: a Slack-like page, the bot, a demo cluster, embedded DynamoDB',
    load: async () => (await import('./commands/start.ts')).startCommand,
  },
  {
    name: 'detect',
    summary: 'Run the detection rules on audit logs or GuardDuty findings (files or stdin, any size)',
    load: async () => (await import('./commands/detect.ts')).detectCommand,
  },
  {
    name: 'render',
    summary:
      'Preview what Slack would receive: the alert for each incident of the input, or a digest and its chart',
    load: async () => (await import('./commands/render.ts')).renderCommand,
  },
  {
    name: 'audit',
    summary: 'Posture audit (Pod Security, RBAC, network, EKS) of manifests or a live cluster',
    load: async () => (await import('./commands/audit.ts')).auditCommand,
  },
  {
    name: 'netpol',
    summary: 'Would network policies allow a connection? Names the deciding policies on each side',
    load: async () => (await import('./commands/netpol.ts')).netpolCommand,
  },
  {
    name: 'policy',
    summary:
      'Admission policies (ValidatingAdmissionPolicy or Kyverno) from the failed checks of an audit report',
    load: async () => (await import('./commands/policy.ts')).policyCommand,
  },
  {
    name: 'evidence',
    summary:
      'Compliance evidence pack (SOC 2, PCI DSS, ISO 27001) of a period from audit reports and exports or the deployed stores, hashed',
    load: async () => (await import('./commands/evidence.ts')).evidenceCommand,
  },
];

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

async function commandHelp(entry: CommandEntry): Promise<string> {
  const command = await entry.load();
  return `${entry.summary}\n\nUsage: ${command.usage}\n`;
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
    io.stdout(await commandHelp(command));
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
    io.stdout(await commandHelp(command));
    return EXIT_OK;
  }
  return (await command.load()).run(rest, io);
}

// `npm start` runs this file directly (`node cli/kubeguard.ts start`); bin/kubeguard.js imports it.
if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
