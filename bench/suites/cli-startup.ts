import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PINNED_NODE, packAndInstall, REPO, SYSTEM_PATH, systemNode } from '../../test/support/packed-cli.ts';
import { type BenchSuite, type Figure, verdict } from '../figure.ts';

/**
 * CLI start-up (issue 14: ~1 s, 1.5 s through npx, when bin/kubeguard.js stripped types from
 * hundreds of .ts files): the median wall time of `kubeguard --help` and `--version`, from process
 * spawn to exit, through bin/kubeguard.js of the checkout on the system Node (20 here) and the pinned
 * Node 24, and through the tarball `npm pack` makes, installed outside the repository. One untimed run
 * first: it rebuilds dist/ if a source changed and fills Node 24's compile cache, as any earlier use of
 * the CLI would. The sources through type stripping are printed beside, for comparison.
 */
const RUNS = 9;
const TARGET_MS = 300;

function medianMs(node: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  spawnSync(node, args, { cwd: REPO, env, stdio: 'ignore' });
  const times: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const started = performance.now();
    const result = spawnSync(node, args, { cwd: REPO, env, stdio: 'ignore' });
    times.push(performance.now() - started);
    if (result.status !== 0) throw new Error(`${node} ${args.join(' ')} exited ${result.status}`);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(RUNS / 2)] as number;
}

function figure(name: string, ms: number, target = true): Figure {
  return {
    name,
    value: Math.round(ms),
    unit: 'ms',
    target: target ? verdict(`< ${TARGET_MS}`, ms < TARGET_MS) : '',
  };
}

export const suite: BenchSuite = {
  name: 'cli-startup',
  run: async () => {
    const system = systemNode();
    const systemMajor = execFileSync(system, ['--version'], { encoding: 'utf8' }).trim().split('.')[0];
    const pinnedMajor = execFileSync(PINNED_NODE, ['--version'], { encoding: 'utf8' }).trim().split('.')[0];
    const figures: Figure[] = [];
    for (const [label, node] of [
      [`node ${systemMajor}`, system],
      [`node ${pinnedMajor}`, PINNED_NODE],
    ] as const) {
      for (const args of [['--help'], ['--version']])
        figures.push(
          figure(`bin/kubeguard.js ${args[0]} (${label})`, medianMs(node, ['bin/kubeguard.js', ...args])),
        );
    }
    const work = mkdtempSync(join(tmpdir(), 'kubeguard-bench-startup-'));
    try {
      const installed = await packAndInstall(work);
      const env = { ...process.env, PATH: SYSTEM_PATH };
      figures.push(
        figure(
          `installed tarball --help (node ${systemMajor})`,
          medianMs(system, [installed.bin, '--help'], env),
        ),
      );
      // Through npm's own launcher, which costs most of it (npm starts before kubeguard does).
      const npx = join(dirname(system), 'npx');
      figures.push(
        figure(
          'npx --package TARBALL kubeguard --help (system npm)',
          medianMs(npx, ['--offline', '--yes', '--package', installed.tarball, 'kubeguard', '--help'], env),
          false,
        ),
        figure('npx kubeguard --help (in the checkout)', medianMs(npx, ['kubeguard', '--help']), false),
      );
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    // Node's own start, for scale: the part of every figure above no bundle can remove.
    figures.push(figure(`node ${systemMajor} alone (node -e 0)`, medianMs(system, ['-e', '0']), false));
    figures.push(
      figure(
        `sources via type stripping --help (node ${pinnedMajor}, before)`,
        medianMs(PINNED_NODE, ['cli/kubeguard.ts', '--help']),
        false,
      ),
    );
    return figures;
  },
};
