import type { CliIo } from '../../cli/io.ts';
import { main } from '../../cli/kubeguard.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `kubeguard <argv…>` in process with in-memory streams, as the bin would with real ones. */
export async function runCli(argv: string[], options: { stdin?: string; cwd: string }): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    readStdin: async () => options.stdin ?? '',
    cwd: options.cwd,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}
