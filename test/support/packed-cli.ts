import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

/**
 * The machine's own Node and the CLI as `npm pack` ships it, for the package test
 * (test/integration/cli-package.test.ts) and the start-up bench (bench/suites/cli-startup.ts). npm
 * scripts and vitest run with node_modules/.bin first on PATH, where the repository's pinned Node 24
 * is; a user's shell, and CI before `npm ci`, has the system Node (20 on this machine).
 */
export const REPO = join(import.meta.dirname, '..', '..');
export const PACKAGE_VERSION = (
  JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }
).version;

const run = promisify(execFile);

/** PATH without node_modules/.bin: `#!/usr/bin/env node` and npm then find the system Node. */
export const SYSTEM_PATH = (process.env.PATH ?? '')
  .split(delimiter)
  .filter((dir) => dir !== '' && !dir.includes('node_modules'))
  .join(delimiter);

/** The first `node` on SYSTEM_PATH: the Node a user's shell would run. */
export function systemNode(): string {
  for (const dir of SYSTEM_PATH.split(delimiter)) if (existsSync(join(dir, 'node'))) return join(dir, 'node');
  throw new Error('no node on PATH outside node_modules/.bin');
}

/** The repository's pinned Node (devDependency "node"). */
export const PINNED_NODE = join(REPO, 'node_modules', '.bin', 'node');

export interface InstalledCli {
  /** What `npm pack --json` reports: the tarball's name and every file in it. */
  packed: { filename: string; files: { path: string }[] };
  tarball: string;
  /** The global prefix the tarball was installed into. */
  prefix: string;
  /** The installed package's directory. */
  packageDir: string;
  /** bin/kubeguard.js of the installed package. */
  bin: string;
}

/**
 * `npm pack` (its prepack script builds dist/) into `dir`, then `npm install --global --prefix
 * dir/prefix` of the tarball with the system Node and no network: the package has no dependencies.
 */
export async function packAndInstall(dir: string): Promise<InstalledCli> {
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir], {
    cwd: REPO,
    maxBuffer: 16 * 1024 * 1024,
  });
  const [packed] = JSON.parse(stdout) as InstalledCli['packed'][];
  if (packed === undefined) throw new Error(`npm pack reported nothing: ${stdout}`);
  const tarball = join(dir, packed.filename);
  const prefix = join(dir, 'prefix');
  await run(
    'npm',
    ['install', '--global', '--prefix', prefix, tarball, '--offline', '--no-audit', '--no-fund'],
    {
      cwd: dir,
      env: { ...process.env, PATH: SYSTEM_PATH },
    },
  );
  const packageDir = join(prefix, 'lib', 'node_modules', 'kubeguard');
  return { packed, tarball, prefix, packageDir, bin: join(packageDir, 'bin', 'kubeguard.js') };
}
