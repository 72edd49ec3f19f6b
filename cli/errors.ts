import { EXIT_UNREACHABLE, EXIT_USAGE } from './io.ts';

/** An error a command prints with its message (no stack) and answers with its exit code. */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode: number) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** Bad arguments, or input that produced nothing usable: exit 2. */
export function usageError(message: string): CliError {
  return new CliError(message, EXIT_USAGE);
}

/** The cluster could not be reached or read: exit 3. */
export function unreachableError(message: string): CliError {
  return new CliError(message, EXIT_UNREACHABLE);
}

export function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : messageOf(error);
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
