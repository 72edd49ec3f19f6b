import { Readable } from 'node:stream';

/** The streams a command writes to and reads from; tests pass in-memory ones. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /**
   * Standard input as a byte stream (used when a command is given no files, or `-`). Read it as a
   * stream: exports are larger than a string can hold (issue 14: ~600 MB ended in ERR_STRING_TOO_LONG).
   */
  stdin: () => AsyncIterable<Uint8Array>;
  /** True when standard input is an interactive terminal (nothing piped): commands print a hint. */
  stdinIsTTY: boolean;
  cwd: string;
  /** The environment (CI=true makes --strict the default). */
  env: Readonly<Record<string, string | undefined>>;
}

export interface CliCommand {
  name: string;
  /** The full help: usage, every option, exit codes (`kubeguard help CMD`, `CMD --help`). */
  usage: string;
  /** The options the command knows, for "did you mean" (e.g. `--manifest` → `--manifests`). */
  options?: readonly string[];
  /** Returns the process exit code (EXIT_* below). */
  run: (args: string[], io: CliIo) => Promise<number>;
}

/**
 * Exit codes, the same in every command (issue 14) so CI can gate on them:
 * 0 clean, or nothing at or above --fail-on;
 * 1 failures (detections, failed checks, unknown answers) at or above --fail-on;
 * 2 bad arguments, or input that produced nothing usable (empty, nothing parseable, all malformed);
 * 3 a source could not be reached (cluster API, AWS).
 */
export const EXIT_OK = 0;
export const EXIT_FAILURES = 1;
export const EXIT_USAGE = 2;
export const EXIT_UNREACHABLE = 3;

/** `--strict` is the default in CI (CI=true, as GitHub Actions, GitLab CI and most runners set it). */
export function strictByDefault(env: CliIo['env']): boolean {
  return env.CI === 'true' || env.CI === '1';
}

export function processIo(): CliIo {
  // A reader that goes away (`kubeguard detect … | head -1`) must not crash the run with an
  // unhandled EPIPE: later output is dropped and the command finishes, so its exit code (what a
  // pipeline with pipefail gates on) still reflects the whole input.
  let stdoutClosed = false;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    stdoutClosed = true;
  });
  return {
    stdout: (text) => {
      if (!stdoutClosed) process.stdout.write(text);
    },
    stderr: (text) => process.stderr.write(text),
    stdin: () => process.stdin,
    stdinIsTTY: process.stdin.isTTY === true,
    cwd: process.cwd(),
    env: process.env,
  };
}

/** In-memory standard input for tests and embedded callers. */
export function stdinOf(content: string | Uint8Array): () => AsyncIterable<Uint8Array> {
  return () => Readable.from([typeof content === 'string' ? Buffer.from(content, 'utf8') : content]);
}
