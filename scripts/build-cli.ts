import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile, type Plugin } from 'esbuild';
import { CHART_FONT_FILE, RESVG_WASM_FILE } from '../adapters/chart/png.ts';

/**
 * `npm run build` (also `prepack`, so `npm pack` runs it): bundles the CLI (cli/kubeguard.ts) for
 * Node 20 into dist/, so `kubeguard` starts without stripping types from hundreds of files and runs
 * wherever the package is installed (decision D50). Lazily imported modules (the Kubernetes client of
 * --kubeconfig, netpol's schemas) land in chunks loaded only when used. The chart's WebAssembly and
 * font are copied beside the chunks, where adapters/chart/png.ts looks for them.
 *
 * The build writes to a temporary directory and moves the files in, chunks (content-hashed names)
 * before the entry: several test runs share one working tree, and a process starting while another
 * builds reads either the old entry with its chunks or the new one with its chunks.
 *
 * dist/build-inputs.json records when the build started and the repository files it read:
 * bin/kubeguard.js in a checkout rebuilds when one of them is newer (`--quiet`: nothing on stdout).
 */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = join(ROOT, 'dist');
/** The entry bin/kubeguard.js imports. */
export const CLI_ENTRY = 'kubeguard.js';
/** The repository files the last build read (not packed: package.json `files` lists what ships). */
export const BUILD_INPUTS = 'build-inputs.json';

/**
 * ESM bundles need `require` for the CommonJS code they inline (undici, the Kubernetes client's
 * dependencies), like the Lambda bundles (infra/constructs/lambda-bundle.ts, which scripts/ may not
 * import): without it they fail at load with `Dynamic require of "node:…" is not supported`.
 */
const REQUIRE_BANNER =
  "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

/** The CLI bundle's target: the oldest Node the packaged CLI supports (package.json `engines`). */
export const CLI_TARGET = 'node20';

/**
 * The sandbox (dynalite's native LevelDB, Bolt, the page) is left out of the bundle (D50): `start`
 * in the package says where it runs. Only cli/commands/start.ts imports it.
 */
const sandboxStub: Plugin = {
  name: 'kubeguard-sandbox-stub',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /\/sandbox\/index\.ts$/ }, (args) =>
      args.importer.endsWith(join('cli', 'commands', 'start.ts'))
        ? { path: join(ROOT, 'cli', 'bundle-stubs', 'sandbox.ts') }
        : undefined,
    );
  },
};

/** See cli/bundle-stubs/undici.cjs: undici 7 for the Kubernetes client on Node < 22.19, where undici 8 fails to load. */
const UNDICI_GUARD = join(ROOT, 'cli', 'bundle-stubs', 'undici.cjs');
const undiciGuard: Plugin = {
  name: 'kubeguard-undici-guard',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^undici$/ }, (args) =>
      args.importer === UNDICI_GUARD ? undefined : { path: UNDICI_GUARD },
    );
  },
};

export interface BuildResult {
  files: string[];
  bytes: number;
  metafile: Metafile;
}

export async function buildCli(outdir: string = DIST): Promise<BuildResult> {
  mkdirSync(outdir, { recursive: true });
  const staging = mkdtempSync(join(outdir, '.staging-'));
  // A source saved while esbuild reads the tree is newer than this: the next check rebuilds.
  const builtAt = Date.now();
  try {
    const result = await build({
      entryPoints: { kubeguard: join(ROOT, 'cli', 'kubeguard.ts') },
      outdir: staging,
      absWorkingDir: ROOT,
      bundle: true,
      splitting: true,
      platform: 'node',
      target: CLI_TARGET,
      format: 'esm',
      // ESM builds of the dependencies (yaml, zod) are smaller and load faster than their CommonJS ones.
      mainFields: ['module', 'main'],
      banner: { js: REQUIRE_BANNER },
      minify: true,
      // No keepNames: it wraps every function in a naming call, a bigger entry and a slower start
      // (the Lambda bundles do the same); kubeguard's errors carry their own names and codes.
      chunkNames: 'chunk-[hash]',
      metafile: true,
      logLevel: 'warning',
      plugins: [sandboxStub, undiciGuard],
    });
    copyFileSync(
      createRequire(import.meta.url).resolve('@resvg/resvg-wasm/index_bg.wasm'),
      join(staging, RESVG_WASM_FILE),
    );
    const fonts = join(ROOT, 'adapters', 'chart', 'fonts');
    copyFileSync(join(fonts, CHART_FONT_FILE), join(staging, CHART_FONT_FILE));
    // The font's licence travels with it.
    copyFileSync(join(fonts, 'OFL.txt'), join(staging, 'OFL.txt'));
    const inputs = Object.keys(result.metafile.inputs)
      .filter((input) => !input.startsWith('node_modules/'))
      .sort();
    writeFileSync(join(staging, BUILD_INPUTS), `${JSON.stringify({ builtAt, inputs }, null, 2)}\n`);

    const built = readdirSync(staging);
    // Chunks and assets first, then the entry, then the record of what it was built from: see above.
    const last = [CLI_ENTRY, BUILD_INPUTS];
    const order = [...built.filter((f) => !last.includes(f)), ...last];
    for (const file of order) renameSync(join(staging, file), join(outdir, file));
    // Chunks of earlier builds are no longer referenced by the entry just written.
    for (const file of readdirSync(outdir))
      if (/^chunk-.*\.js$/.test(file) && !built.includes(file)) rmSync(join(outdir, file), { force: true });
    const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
    return { files: order, bytes, metafile: result.metafile };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const started = performance.now();
  try {
    const { files, bytes } = await buildCli();
    const ms = Math.round(performance.now() - started);
    if (!process.argv.includes('--quiet'))
      console.log(`dist/: ${files.length} files, ${(bytes / 1024).toFixed(0)} KB of JavaScript, ${ms} ms`);
  } catch (error) {
    // esbuild has already printed each error with its file and line; a stack trace would add nothing.
    if (!(error instanceof Error && 'errors' in error)) throw error;
    process.exitCode = 1;
  }
}
