import { copyFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, type ICommandHooks, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { type BuildOptions, buildSync, type Metafile } from 'esbuild';
import { ConfigError } from '#core/errors.ts';

/**
 * ESM bundles need `require` for the CommonJS code they inline (Bolt, client-node, parts of the AWS
 * SDK); without it they fail at load with `Dynamic require of "node:…" is not supported`.
 */
export const CREATE_REQUIRE_BANNER =
  "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

/**
 * The one bundle configuration of every kubeguard Lambda. The construct (through NodejsFunction, or
 * `codeSplitBundle` for `CODE_SPLIT_FUNCTIONS`) and `npm run bench` (through esbuild directly) both
 * derive their options from this object, so the bundle measured is the bundle deployed.
 */
export const LAMBDA_BUNDLE = Object.freeze({
  /** Matches the Lambda runtime, nodejs24.x. */
  target: 'node24',
  format: 'esm',
  /** ESM builds of the AWS SDK clients are 30–35 % smaller than their CommonJS builds. */
  mainFields: Object.freeze(['module', 'main']),
  banner: CREATE_REQUIRE_BANNER,
  minify: true,
  sourceMap: true,
  /**
   * Set as the function's NODE_OPTIONS: stack traces in the logs point into the TypeScript sources. It
   * costs the time to read the source map at load, which `npm run bench` includes.
   */
  nodeOptions: '--enable-source-maps',
  /**
   * Nothing is external, not even the AWS SDK the runtime provides: the SDK version deployed is the one
   * tested, and the bundled ESM build loads faster than the runtime's copy.
   */
  externalModules: Object.freeze([] as string[]),
  /** NodejsFunction names an ESM bundle index.mjs. */
  outputFile: 'index.mjs',
  /**
   * Packages replaced by a stub that throws when used (infra/bundle-stubs/). Bolt's App module
   * requires its Socket Mode and HTTP receivers whatever receiver is passed, but the Lambda functions
   * only ever use AwsLambdaReceiver: without the stubs the Slack ingress bundle is 1.6 MB and takes
   * ~255 ms to import, with them ~0.4 MB and ~140 ms (`npm run bench -- lambda-bundles`).
   */
  aliases: Object.freeze({
    '@slack/socket-mode': stubPath('slack-socket-mode.cjs'),
    'raw-body': stubPath('raw-body.cjs'),
  } as Record<string, string>),
});

function stubPath(file: string): string {
  return fileURLToPath(new URL(`../bundle-stubs/${file}`, import.meta.url));
}

/** NodejsFunction's bundling props; esbuild runs locally (there is no Docker on the build machines). */
export function nodejsBundlingOptions(): BundlingOptions {
  return {
    target: LAMBDA_BUNDLE.target,
    format: OutputFormat.ESM,
    mainFields: [...LAMBDA_BUNDLE.mainFields],
    banner: LAMBDA_BUNDLE.banner,
    minify: LAMBDA_BUNDLE.minify,
    sourceMap: LAMBDA_BUNDLE.sourceMap,
    externalModules: [...LAMBDA_BUNDLE.externalModules],
    // NodejsFunction has no alias option; esbuild's CLI takes `--alias:<package>=<path>`.
    esbuildArgs: Object.fromEntries(
      Object.entries(LAMBDA_BUNDLE.aliases).map(([name, path]) => [`--alias:${name}`, path]),
    ),
    forceDockerBundling: false,
  };
}

/** The esbuild options NodejsFunction passes for `nodejsBundlingOptions()`, for building outside CDK. */
export function esbuildBuildOptions(entry: string, outdir: string): BuildOptions {
  return {
    entryPoints: [entry],
    outfile: `${outdir}/${LAMBDA_BUNDLE.outputFile}`,
    bundle: true,
    platform: 'node',
    target: LAMBDA_BUNDLE.target,
    format: 'esm',
    mainFields: [...LAMBDA_BUNDLE.mainFields],
    banner: { js: LAMBDA_BUNDLE.banner },
    minify: LAMBDA_BUNDLE.minify,
    sourcemap: LAMBDA_BUNDLE.sourceMap,
    external: [...LAMBDA_BUNDLE.externalModules],
    alias: { ...LAMBDA_BUNDLE.aliases },
  };
}

/**
 * The functions (`KubeguardFunction` names, the folders under lambdas/) deployed code-split rather than
 * as one file: the posture audit evaluates only its handler, the decoder, the configuration and the
 * stores at load and imports the rest on first use (D56), so most of its 1.3 MB need not be compiled
 * when it loads. The construct and `npm run bench` both read this list.
 */
export const CODE_SPLIT_FUNCTIONS: readonly string[] = Object.freeze(['posture-audit', 'action-worker']);

/**
 * A file a function reads beside its code at run time (the chart's WebAssembly and font): the module
 * reading it finds it in the directory of its own file (`import.meta.url`), so it is copied there —
 * beside index.mjs in a one-file bundle, beside the chunk holding `readBy` in a split build.
 */
export interface BundledFile {
  /** Absolute path of the file to copy. */
  readonly source: string;
  /** Its name in the asset. */
  readonly name: string;
  /** The module reading it, relative to the repository root (`adapters/chart/png.ts`). */
  readonly readBy: string;
}

/** NodejsFunction's hooks copying `files` beside its one file (which holds every module). */
export function copyFilesHooks(files: readonly BundledFile[]): ICommandHooks {
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_input: string, output: string) =>
      files.map((file) => `cp "${file.source}" "${output}/${file.name}"`),
  };
}

/**
 * The code-split form of the same bundle (D56): esbuild `splitting` writes the entry as
 * `index.mjs` and every module reached only through a dynamic `import()` (with what only such
 * modules share) as a chunk under `chunks/`, each with its source map. At load V8 compiles, and
 * Node reads the source map of, the entry and the chunks it imports statically; a lazily imported
 * module's chunk is read when the `import()` runs. A one-file bundle keeps those modules in the
 * file, so the load compiles them all (~86 ms for the posture audit's 1.29 MB).
 */
export function esbuildSplitBuildOptions(entry: string, outdir: string): BuildOptions {
  const { outfile: _oneFile, ...options } = esbuildBuildOptions(entry, outdir);
  return {
    ...options,
    outdir,
    splitting: true,
    // Lambda finds handler `index.handler` in index.mjs, as with NodejsFunction's one file.
    entryNames: LAMBDA_BUNDLE.outputFile.replace(/\.mjs$/, ''),
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
  };
}

/** The repository root: esbuild resolves node_modules and tsconfig paths from here, as NodejsFunction does. */
const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * A function's code built with `esbuildSplitBuildOptions` into the asset directory. NodejsFunction
 * writes one file (it has no splitting option, and a hook building beside its file would run esbuild
 * twice and leave its file to be deleted), so this is an asset with a local bundling step of our own.
 * Its hash is the output's, like NodejsFunction's: an unchanged build deploys nothing. There is no
 * Docker fallback (`image` is never run): the build machines have none (`nodejsBundlingOptions`).
 */
export function codeSplitBundle(entry: string, files: readonly BundledFile[] = []): Code {
  return Code.fromAsset(PROJECT_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: DockerImage.fromRegistry('dummy'),
      // Never run (no Docker), but part of CDK's cache key of a bundled asset, which leaves `local`
      // out: without the entry and the files here every split function in an app would get the
      // first one's build.
      command: [
        'esbuild-split',
        relative(PROJECT_ROOT, entry),
        ...files.map((file) => `${relative(PROJECT_ROOT, file.source)}=${file.name}@${file.readBy}`),
      ],
      local: {
        tryBundle(outputDir: string): boolean {
          const { metafile } = buildSync({
            ...esbuildSplitBuildOptions(entry, outputDir),
            absWorkingDir: PROJECT_ROOT,
            metafile: true,
            logLevel: 'warning',
          });
          copyBesideReaders(metafile, outputDir, files);
          return true;
        },
      },
    },
  });
}

/**
 * Copies each file into the directory of the output holding its reader (`BundledFile.readBy`); a
 * reader in no output is a build that lost it, refused rather than deployed without its files.
 */
export function copyBesideReaders(
  metafile: Metafile,
  outputDir: string,
  files: readonly BundledFile[],
): void {
  const codeOutputs = Object.entries(metafile.outputs).filter(([output]) => output.endsWith('.mjs'));
  for (const file of files) {
    const dirs = new Set(
      codeOutputs
        .filter(([, output]) => Object.keys(output.inputs).includes(file.readBy))
        .map(([output]) => dirname(resolve(PROJECT_ROOT, output))),
    );
    if (dirs.size === 0) {
      throw new ConfigError(
        `${file.readBy}, which reads ${file.name}, is in no output of the split build under ${relative(PROJECT_ROOT, outputDir)}: ` +
          'name the module that reads the file (BundledFile.readBy)',
      );
    }
    for (const dir of dirs) copyFileSync(file.source, join(dir, file.name));
  }
}

/**
 * The output files (metafile paths) that importing a split build's entry reads: the entry and the
 * chunks it reaches through static imports. The others wait for an `import()`.
 */
export function outputsReadAtLoad(outputs: Metafile['outputs'], entryFile: string): string[] {
  const entry = Object.keys(outputs).find((output) => resolve(output) === resolve(entryFile));
  const reached = new Set(entry === undefined ? [] : [entry]);
  for (const output of reached) {
    for (const imported of outputs[output]?.imports ?? []) {
      if (imported.kind === 'import-statement' && !imported.external) reached.add(imported.path);
    }
  }
  return [...reached];
}
