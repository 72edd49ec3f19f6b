import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { type BenchSuite, type Figure, verdict } from '../figure.ts';
import { benchLambdaEvent, fullPath } from './detection.ts';

/**
 * `kubeguard detect` on a generated ~1 GB audit export (issue 14: a 2 GB export must analyze in
 * under 300 MB at no less than half the Lambda path's throughput). The export is JSON Lines made of
 * the detection bench's 1 MB batch (the public corpus and the EKS fixtures, weighted like a
 * production stream), repeated with a unique auditID per event, written to a temporary file and
 * deleted afterwards. It runs through the real CLI entry (bin/kubeguard.js) in a child process, its
 * stdout to /dev/null; the child reports its own peak RSS when it exits. Beside it, in the same run,
 * the Lambda path (base64 → gunzip → envelope → JSON.parse per log event → every rule) on the same
 * batch, in this process.
 */

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = join(HERE, '..', '..');
const TARGET_BYTES = 1024 * 1024 * 1024;
const LAMBDA_RUNS = 20;

/** Writes the export; returns its size and its number of events. */
function writeExport(path: string, messages: string[]): { bytes: number; events: number } {
  const fd = openSync(path, 'w');
  let bytes = 0;
  let events = 0;
  try {
    for (let round = 0; bytes < TARGET_BYTES; round++) {
      const lines = messages.map((message) =>
        message.replace(
          '"auditID":"00000000-0000-4000-8000-',
          `"auditID":"${round.toString(16).padStart(8, '0')}-0000-4000-8000-`,
        ),
      );
      const chunk = Buffer.from(`${lines.join('\n')}\n`);
      writeSync(fd, chunk);
      bytes += chunk.length;
      events += lines.length;
    }
  } finally {
    closeSync(fd);
  }
  return { bytes, events };
}

/** Preloaded into the CLI's process: prints its peak RSS (Linux reports maxRSS in KB) on exit. */
const REPORT_RSS = `data:text/javascript,process.on('exit',()=>process.stderr.write('\\npeak-rss-kb '+process.resourceUsage().maxRSS+'\\n'))`;

function runCli(file: string): Promise<{ ms: number; peakRssMb: number; stderr: string; code: number }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(
      process.execPath,
      [
        '--import',
        REPORT_RSS,
        join(REPO, 'bin', 'kubeguard.js'),
        'detect',
        '--format',
        'json',
        '--no-strict',
        file,
      ],
      { cwd: REPO, stdio: ['ignore', openSync('/dev/null', 'w'), 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (data: Buffer) => {
      stderr += data.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - start;
      const rss = /peak-rss-kb (\d+)/.exec(stderr);
      if (rss === null) {
        reject(new Error(`the CLI did not report its peak RSS: ${stderr.slice(-2000)}`));
        return;
      }
      resolve({ ms, peakRssMb: Number(rss[1]) / 1024, stderr, code: code ?? -1 });
    });
  });
}

const round = (value: number, digits = 0) => Number(value.toFixed(digits));

export const suite: BenchSuite = {
  name: 'cli-detect',
  run: async () => {
    const { event, events: batchEvents } = benchLambdaEvent();
    for (let i = 0; i < 3; i++) await fullPath(event);
    const lambdaStart = performance.now();
    for (let i = 0; i < LAMBDA_RUNS; i++) await fullPath(event);
    const lambdaRate = (batchEvents * LAMBDA_RUNS * 1000) / (performance.now() - lambdaStart);

    const envelope = JSON.parse(gunzipSync(Buffer.from(event.awslogs.data, 'base64')).toString('utf8')) as {
      logEvents: { message: string }[];
    };
    const dir = mkdtempSync(join(tmpdir(), 'kubeguard-bench-cli-detect-'));
    try {
      const file = join(dir, 'audit-export.jsonl');
      const { bytes, events } = writeExport(
        file,
        envelope.logEvents.map((logEvent) => logEvent.message),
      );
      const run = await runCli(file);
      const totals = /records: (\d+), detections: (\d+), malformed: (\d+)/.exec(run.stderr);
      if (totals === null || Number(totals[1]) !== events || Number(totals[3]) !== 0) {
        throw new Error(
          `the CLI did not analyse the export cleanly (exit ${run.code}): ${run.stderr.slice(-2000)}`,
        );
      }
      const cliRate = (events * 1000) / run.ms;
      const ratio = cliRate / lambdaRate;
      const figures: Figure[] = [
        {
          name: `generated export: ${round(bytes / (1024 * 1024))} MB JSON Lines, audit events (detections)`,
          value: events,
          unit: `events (${totals[2]} detections)`,
          target: '',
        },
        {
          name: 'kubeguard detect (child process, wall time)',
          value: round(cliRate),
          unit: 'events/s',
          target: '',
        },
        {
          name: 'Lambda path on the same batch (decode, parse, rules)',
          value: round(lambdaRate),
          unit: 'events/s',
          target: '',
        },
        {
          name: 'detect / Lambda path',
          value: round(ratio, 3),
          unit: 'ratio',
          target: verdict('>= 0.5', ratio >= 0.5),
        },
        {
          name: 'kubeguard detect peak RSS',
          value: round(run.peakRssMb, 1),
          unit: 'MB',
          target: verdict('< 300 MB', run.peakRssMb < 300),
        },
      ];
      return figures;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
