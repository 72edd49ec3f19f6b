import type { CliIo } from '../../cli/io.ts';
import { stdinOf } from '../../cli/io.ts';
import { main } from '../../cli/kubeguard.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  cwd: string;
  /** Standard input (text, or bytes such as gzip); empty when absent. */
  stdin?: string | Uint8Array;
  /** True: standard input is a terminal (nothing piped). */
  stdinIsTTY?: boolean;
  /** The environment; CI is unset unless given, so tests do not depend on the runner's CI=true. */
  env?: Record<string, string | undefined>;
}

/** Runs `kubeguard <argv…>` in process with in-memory streams, as the bin would with real ones. */
export async function runCli(argv: string[], options: CliRunOptions): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    stdin: stdinOf(options.stdin ?? ''),
    stdinIsTTY: options.stdinIsTTY ?? false,
    cwd: options.cwd,
    env: options.env ?? {},
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}
