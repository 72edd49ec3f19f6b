/**
 * The flags `detect` and `render alert` share: where the input comes from and how it is read.
 */
export interface InputFlags {
  configFile?: string;
  lenient: boolean;
  cluster?: string;
  /** Undefined: the default, strict in CI (strictByDefault). */
  strict?: boolean;
  files: string[];
}

/**
 * With no FILE, standard input is read; at a terminal nothing is piped, so the command exits 2
 * instead of waiting silently (issue 14; decision D51). `-` still reads the terminal on purpose.
 */
export const STDIN_TTY_MESSAGE =
  'no input: standard input is a terminal. Pass FILE..., pipe an export (e.g. `aws logs filter-log-events … --output json | kubeguard detect`), or "-" to type events (Ctrl-D ends)';

/**
 * Reads one shared flag into `flags`: 'ok' when it was one, 'unknown' when it is not a shared flag,
 * or the usage error.
 */
export function parseInputFlag(
  flag: string,
  inlineValue: string | undefined,
  value: () => string | undefined,
  flags: InputFlags,
): 'ok' | 'unknown' | { usage: string } {
  if (flag === '--config' || flag === '--cluster') {
    const given = value();
    if (given === undefined || given === '' || (inlineValue === undefined && given.startsWith('--'))) {
      return { usage: flag === '--cluster' ? '--cluster needs a cluster name' : '--config needs a file' };
    }
    if (flag === '--config') flags.configFile = given;
    else flags.cluster = given;
    return 'ok';
  }
  if (inlineValue !== undefined) return 'unknown';
  if (flag === '--lenient') flags.lenient = true;
  else if (flag === '--strict') flags.strict = true;
  else if (flag === '--no-strict') flags.strict = false;
  else return 'unknown';
  return 'ok';
}
