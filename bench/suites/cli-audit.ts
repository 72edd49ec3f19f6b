import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLUSTER_FILES, writeClusterManifests } from '../../test/support/cluster-manifests.ts';
import { type BenchSuite, type Figure, verdict } from '../figure.ts';

/**
 * `kubeguard audit --manifests DIR` as a user runs it (the real CLI, bin/kubeguard.js, a fresh
 * process per run) on the cluster of issue 14 written as YAML by the seeded generator: 22,636 objects,
 * ~15 MB in 20 files. Wall time and peak RSS of the whole process (start-up included), against the
 * targets of the issue: ≤ 3 s, < 512 MB, and ≥ 3× faster than kube-score on the same files when
 * kube-score is installed (PATH or ~/go/bin); when it is not, the figure says so.
 */
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const RUNS = 3;

/** Preloaded into the CLI's process: prints its peak RSS (Linux reports maxRSS in KB) on exit. */
const REPORT_RSS = `data:text/javascript,process.on('exit',()=>process.stderr.write('\\npeak-rss-kb '+process.resourceUsage().maxRSS+'\\n'))`;

interface Run {
  ms: number;
  peakRssMb?: number;
  code: number;
  stderr: string;
}

function timed(command: string, args: string[], reportsRss: boolean): Promise<Run> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(command, args, { cwd: REPO, stdio: ['ignore', openSync('/dev/null', 'w'), 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (data: Buffer) => {
      stderr += data.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - start;
      const rss = /peak-rss-kb (\d+)/.exec(stderr);
      if (reportsRss && rss === null) {
        reject(new Error(`the CLI did not report its peak RSS: ${stderr.slice(-2000)}`));
        return;
      }
      resolve({
        ms,
        code: code ?? -1,
        stderr,
        ...(rss === null ? {} : { peakRssMb: Number(rss[1]) / 1024 }),
      });
    });
  });
}

function audit(dir: string, format: string): Promise<Run> {
  return timed(
    process.execPath,
    [
      '--import',
      REPORT_RSS,
      join(REPO, 'bin', 'kubeguard.js'),
      'audit',
      '--manifests',
      dir,
      '--format',
      format,
    ],
    true,
  );
}

/** kube-score on PATH or where `go install` puts it. */
function kubeScore(): string | undefined {
  const candidates = [
    ...(process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'kube-score')),
    join(homedir(), 'go', 'bin', 'kube-score'),
  ];
  return candidates.find((candidate) => candidate !== 'kube-score' && existsSync(candidate));
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const round = (value: number, digits = 2) => Number(value.toFixed(digits));

export const suite: BenchSuite = {
  name: 'cli-audit',
  run: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubeguard-bench-cli-audit-'));
    try {
      const written = writeClusterManifests(dir);
      const files = written.files;
      // One untimed run: a checkout rebuilds the CLI bundle when a source changed since the last build.
      const warm = await audit(dir, 'text');
      if (warm.code !== 1)
        throw new Error(`audit exited ${warm.code}, expected 1: ${warm.stderr.slice(-2000)}`);
      const runs: Run[] = [];
      for (let i = 0; i < RUNS; i++) runs.push(await audit(dir, 'text'));
      const json = await audit(dir, 'json');
      const wall = median(runs.map((r) => r.ms)) / 1000;
      const figures: Figure[] = [
        {
          name: `generated cluster: ${written.objects.toLocaleString('en-US')} objects, ${CLUSTER_FILES} files`,
          value: round(written.bytes / 1024 / 1024, 1),
          unit: 'MB',
          target: '',
        },
        {
          name: `audit --manifests DIR, text (median of ${RUNS}, fresh process)`,
          value: round(wall),
          unit: 's',
          target: verdict('<= 3 s', wall <= 3),
        },
        {
          name: 'audit peak RSS (max of runs, whole process)',
          value: Math.round(Math.max(...runs.map((r) => r.peakRssMb ?? 0))),
          unit: 'MB',
          target: verdict('< 512 MB', Math.max(...runs.map((r) => r.peakRssMb ?? 0)) < 512),
        },
        {
          name: 'audit --format json (every result, streamed)',
          value: round(json.ms / 1000),
          unit: 's',
          target: '',
        },
        {
          name: 'audit --format json peak RSS',
          value: Math.round(json.peakRssMb ?? 0),
          unit: 'MB',
          target: verdict('< 512 MB', (json.peakRssMb ?? 0) < 512),
        },
      ];
      const score = kubeScore();
      if (score === undefined) {
        figures.push({
          name: 'kube-score not installed (PATH, ~/go/bin): no comparison measured',
          value: Number.NaN,
          unit: 'n/a',
          target: verdict('>= 3x faster than kube-score', false),
        });
        return figures;
      }
      const scored = await timed(score, ['score', ...files], false);
      if (scored.code !== 0 && scored.code !== 1) {
        throw new Error(`kube-score exited ${scored.code}: ${scored.stderr.slice(-2000)}`);
      }
      figures.push(
        { name: 'kube-score score on the same files', value: round(scored.ms / 1000), unit: 's', target: '' },
        {
          name: 'speed-up over kube-score (its wall / ours)',
          value: round(scored.ms / 1000 / wall, 1),
          unit: 'x',
          target: verdict('>= 3x', scored.ms / 1000 / wall >= 3),
        },
      );
      return figures;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
