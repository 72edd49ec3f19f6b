#!/usr/bin/env node
// The kubeguard CLI. It runs the bundle in dist/ (scripts/build-cli.ts, decision D50): one file of
// plain JavaScript for Node.js >= 20, instead of stripping types from hundreds of .ts files at every
// start. The same file serves an installed package (dist/ ships, the sources do not) and a checkout,
// where `npm ci` builds the bundle (`prepare`) and this file rebuilds it when a source changed since.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';

const MIN_NODE = 20;
const [major] = process.versions.node.split('.').map(Number);
if (major < MIN_NODE) {
  console.error(
    `kubeguard needs Node.js >= ${MIN_NODE}; this is ${process.version}. Install a newer Node.js.`,
  );
  process.exit(2);
}

const root = fileURLToPath(new URL('..', import.meta.url));
const entry = new URL('../dist/kubeguard.js', import.meta.url);
// A checkout has the build script; an installed package has only bin/ and dist/.
const checkout = existsSync(new URL('../scripts/build-cli.ts', import.meta.url));

/** In a checkout, the Node that runs TypeScript: the pinned devDependency, else this one if it can. */
function typescriptNode() {
  const pinned = new URL('../node_modules/.bin/node', import.meta.url);
  if (existsSync(pinned)) return fileURLToPath(pinned);
  return process.features.typescript ? process.execPath : undefined;
}

/**
 * The bundle is stale when a file the last build read (dist/build-inputs.json), package.json or the
 * lock file changed after that build started, or a file it read is gone. ~300 stat calls: a few ms.
 */
function stale() {
  let recorded;
  try {
    recorded = JSON.parse(readFileSync(new URL('../dist/build-inputs.json', import.meta.url), 'utf8'));
  } catch {
    return true;
  }
  if (!existsSync(entry)) return true;
  for (const input of [...recorded.inputs, 'package.json', 'package-lock.json']) {
    try {
      if (statSync(`${root}${input}`).mtimeMs > recorded.builtAt) return true;
    } catch {
      return true;
    }
  }
  return false;
}

function rebuild() {
  const node = typescriptNode();
  if (node === undefined) {
    console.error(
      'kubeguard: dist/ is missing or out of date and cannot be built here: run `npm ci` (or `npm run build`).',
    );
    process.exit(2);
  }
  // stdout belongs to the command's output: the build's summary is not printed.
  const built = spawnSync(node, ['scripts/build-cli.ts', '--quiet'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (built.status !== 0) {
    console.error(`kubeguard: building the CLI (npm run build) failed:\n${built.stderr}`);
    process.exit(2);
  }
}

const argv = process.argv.slice(2);
if (argv[0] === 'detect' || argv[0] === 'render') {
  // Streaming an export of any size: a small young generation (4 MB semi-spaces instead of V8's
  // up to 16+ MB, not grown) keeps short-lived parse garbage from being promoted and the old
  // generation from growing with the input — peak RSS stays flat (issue 14: < 300 MB on a 2 GB
  // export). It must be set before the bundle allocates anything, hence here, not in the command.
  v8.setFlagsFromString('--max-semi-space-size=4');
  v8.setFlagsFromString('--semi-space-growth-factor=1');
}
let main;
if (checkout && argv[0] === 'start') {
  // The sandbox (dynalite, Bolt, the page) is not bundled (D50); a checkout runs it from the sources.
  if (!process.features.typescript) {
    console.error(
      `kubeguard start runs from the sources on Node.js >= 24 (this is ${process.version}): use \`npm start\`.`,
    );
    process.exit(2);
  }
  ({ main } = await import('../cli/kubeguard.ts'));
} else {
  if (checkout && stale()) rebuild();
  // The compile cache (Node >= 22.1) keeps V8's compiled bundle between runs: a faster start.
  nodeModule.enableCompileCache?.();
  ({ main } = await import(entry.href));
}
try {
  process.exitCode = await main(argv);
} catch (error) {
  // A known refusal (a typed error with a code) is one line, not a stack trace.
  if (typeof error?.code === 'string' && /^[A-Z_]+$/.test(error.code)) {
    console.error(`kubeguard: ${error.message}`);
    process.exitCode = 2;
  } else throw error;
}
