import type { ChatopsLog } from '#core/chatops/ports.ts';
import { asKubeguardError } from '#core/errors.ts';
import { unknownOption } from '../args.ts';
import { printable } from '../input-files.ts';
import { type CliCommand, type CliIo, EXIT_USAGE } from '../io.ts';
import { type Sandbox, type SandboxOptions, startSandbox } from '../sandbox/index.ts';

/**
 * `npm start` / `kubeguard start [--port N] [--memory] [--data-dir DIR] [--kubeconfig FILE]
 * [--config FILE]`: starts the sandbox (cli/sandbox/index.ts), prints where everything is, and runs
 * until SIGINT or SIGTERM, then stops every part and exits 0.
 */
const USAGE = 'kubeguard start [--port N] [--memory] [--data-dir DIR] [--kubeconfig FILE] [--config FILE]';

const OPTIONS_HELP = [
  'Options:',
  '  --port N           the page on http://127.0.0.1:N (default: $PORT, else 3000; 0 = any free port)',
  '  --memory           keep nothing: state in memory, files in a temporary directory',
  '  --data-dir DIR     where state lives between runs (default: .kubeguard)',
  '  --kubeconfig FILE  act on the cluster of this kubeconfig instead of the demo cluster (default: $KUBECONFIG)',
  '  --config FILE      a kubeguard.config.json for the sandbox (default: the bundled one: alice admin, victor viewer)',
  '',
  'Environment: SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN for Socket Mode) connect a real',
  'Slack workspace instead of the sandbox page; SLACK_SIGNING_SECRET alone signs the page’s requests.',
].join('\n');

const START_OPTIONS = ['--port', '--memory', '--data-dir', '--kubeconfig', '--config'] as const;

type Parsed = { options: SandboxOptions } | { usage: string };

export function parseStartArgs(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Parsed {
  const options: SandboxOptions = {};
  const port = (raw: string | undefined, from: string): number | string => {
    const value = Number(raw);
    return raw !== undefined && /^\d+$/.test(raw) && value <= 65_535
      ? value
      : `${from} must be a port number (0–65535); received ${raw === undefined ? 'nothing' : JSON.stringify(raw)}`;
  };
  if (env.PORT?.trim()) {
    const value = port(env.PORT.trim(), 'PORT');
    if (typeof value === 'string') return { usage: value };
    options.port = value;
  }
  if (env.KUBECONFIG?.trim()) options.kubeconfig = env.KUBECONFIG.trim().split(':')[0];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] as string;
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    const value = () => inline ?? args[++i];
    if (flag === '--memory' && inline === undefined) options.memory = true;
    else if (flag === '--port') {
      const parsed = port(value(), '--port');
      if (typeof parsed === 'string') return { usage: parsed };
      options.port = parsed;
    } else if (flag === '--data-dir' || flag === '--kubeconfig' || flag === '--config') {
      const given = value();
      if (given === undefined || given === '') return { usage: `${flag} needs a path` };
      if (flag === '--data-dir') options.dataDir = given;
      else if (flag === '--kubeconfig') options.kubeconfig = given;
      else options.configFile = given;
    } else return { usage: unknownOption(arg, START_OPTIONS) };
  }
  if (options.memory && options.dataDir !== undefined)
    return { usage: '--memory keeps nothing on disk; leave out --data-dir' };
  return { options };
}

function banner(sandbox: Sandbox): string {
  const lines = ['', 'kubeguard sandbox is running', ''];
  if (sandbox.mode === 'sandbox') lines.push(`  Slack page        ${sandbox.url}`);
  else {
    lines.push(`  Sandbox API       ${sandbox.url}api/sandbox`);
    if (sandbox.botEventsUrl !== undefined)
      lines.push(`  Slack events      ${sandbox.botEventsUrl}  (expose it as the app's Request URL)`);
    else lines.push('  Slack             connected over Socket Mode');
  }
  const demo = sandbox.cluster.demo !== undefined;
  lines.push(
    `  Cluster           ${sandbox.cluster.name}${demo ? ' (demo)' : ''}  ${sandbox.cluster.kubeServer}`,
  );
  lines.push(`  kubeconfig        ${sandbox.cluster.kubeconfigPath}`);
  if (demo)
    lines.push(`                    kubectl --kubeconfig ${sandbox.cluster.kubeconfigPath} get pods -A`);
  lines.push(`  State             ${sandbox.dataDir}`);
  if (sandbox.signingSecret?.generated)
    lines.push(
      `  Signing secret    ${sandbox.signingSecret.value}  (generated; set SLACK_SIGNING_SECRET to choose one)`,
    );
  lines.push('', 'Press Ctrl-C to stop.', '');
  return lines.join('\n');
}

function stderrLog(io: CliIo): ChatopsLog {
  const line = (level: string) => (message: string, attributes?: Record<string, unknown>) =>
    io.stderr(
      `${printable(`[${level}] ${message}${attributes === undefined ? '' : ` ${JSON.stringify(attributes)}`}`)}\n`,
    );
  return { info: () => {}, warn: line('warn'), error: line('error') };
}

export interface StartDeps {
  env: Readonly<Record<string, string | undefined>>;
  /** Resolves on SIGINT or SIGTERM. */
  stopped: () => Promise<string>;
}

function processDeps(): StartDeps {
  return {
    env: process.env,
    stopped: () =>
      new Promise<string>((resolve) => {
        process.once('SIGINT', () => resolve('SIGINT'));
        process.once('SIGTERM', () => resolve('SIGTERM'));
      }),
  };
}

export async function runStart(
  args: readonly string[],
  io: CliIo,
  deps: StartDeps = processDeps(),
): Promise<number> {
  const parsed = parseStartArgs(args, deps.env);
  if ('usage' in parsed) {
    io.stderr(`kubeguard start: ${parsed.usage}\nUsage: ${USAGE}\n`);
    return EXIT_USAGE;
  }
  const stopped = deps.stopped();
  let sandbox: Sandbox;
  try {
    sandbox = await startSandbox({ ...parsed.options, env: deps.env, log: stderrLog(io) });
  } catch (error) {
    const failure = asKubeguardError(error);
    const hint =
      (error as NodeJS.ErrnoException).code === 'EADDRINUSE'
        ? '; another program uses that port: pass --port N (or PORT=N)'
        : '';
    io.stderr(`kubeguard start: ${failure.message}${hint}\n`);
    return 1;
  }
  io.stdout(banner(sandbox));
  const signal = await stopped;
  io.stdout(`\n${signal}: stopping…\n`);
  await sandbox.stop();
  io.stdout('stopped\n');
  return 0;
}

export const startCommand: CliCommand = {
  name: 'start',
  usage: `${USAGE}\n\n${OPTIONS_HELP}`,
  options: START_OPTIONS,
  run: (args, io) => runStart(args, io),
};
