import { KubeguardError } from '#core/errors.ts';
import type { startSandbox as startSandboxFromSource } from '../sandbox/index.ts';

/**
 * Stands in for cli/sandbox/index.ts in the packaged CLI (scripts/build-cli.ts, decision D50). The
 * sandbox needs embedded DynamoDB (dynalite on classic-level, a native addon), Bolt and the page's
 * files: the dependency tree the package leaves out. In a checkout, bin/kubeguard.js runs `start` from the sources instead.
 */
export const SANDBOX_NOT_PACKAGED =
  'the sandbox is not part of the packaged CLI: it runs from a kubeguard checkout ' +
  '(git clone, then `npm ci` and `npm start`); the package carries detect, render, audit and netpol';

export const startSandbox: typeof startSandboxFromSource = async () => {
  throw new KubeguardError('UNSUPPORTED', SANDBOX_NOT_PACKAGED);
};
