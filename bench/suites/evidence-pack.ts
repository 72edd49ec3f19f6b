import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createGzip } from 'node:zlib';
import { createLocalEvidencePackStore } from '../../adapters/evidence/pack-store.ts';
import {
  buildEvidencePack,
  type EvidencePackSink,
  writeEvidencePack,
} from '../../core/evidence-pack/build.ts';
import { FRAMEWORKS } from '../../core/evidence-pack/model.ts';
import { evidenceHistory, historySources, MIDDLE, QUARTER } from '../../test/support/evidence-history.ts';
import { type BenchSuite, type Figure, verdict } from '../figure.ts';

/**
 * An evidence pack of 50 clusters × a quarter of daily posture audits (4,600 runs, each with its
 * report and redacted snapshot; reports computed once per cluster state by the posture engine and
 * re-dated per day), 12 findings per cluster with their lifecycles and the audit trail. Written
 * through the streaming sink into one gzip stream (what an archive costs), the heap sampled after
 * every file. The same history for 5 clusters is built in memory (`buildEvidencePack`) to show what
 * holding the pack costs: the in-memory pack grows with the number of runs, the streamed one does not.
 * Last, what the action worker does for `/k8s evidence` and the monthly schedule: the store's `write`
 * (adapters/evidence/pack-store.ts) for a month of the 50 clusters — staging file, archive, manifest —
 * with the local store (the S3 store sends the same staging file), the heap sampled every 10 ms.
 */
const CLUSTERS = 50;
const IN_MEMORY_CLUSTERS = 5;
const TIME_TARGET_S = 120;
const HEAP_TARGET_MB = 512;
/** The action worker: 15 minutes at most, 1 GB of memory shared with the runtime and the SDK. */
const WORKER_TIME_TARGET_S = 300;
const WORKER_HEAP_TARGET_MB = 512;

const mb = (bytes: number) => bytes / 1024 / 1024;
const round = (value: number) => Math.round(value * 10) / 10;

export const suite: BenchSuite = {
  name: 'evidence-pack',
  run: async () => {
    const setupStart = performance.now();
    const history = evidenceHistory({ clusters: CLUSTERS });
    const setupS = (performance.now() - setupStart) / 1000;
    const request = {
      clusters: 'all' as const,
      period: QUARTER,
      frameworks: FRAMEWORKS,
      requestedBy: 'bench',
      generatedAt: QUARTER.to,
    };

    const gzip = createGzip({ level: 6 });
    let compressed = 0;
    gzip.on('data', (chunk: Buffer) => {
      compressed += chunk.length;
    });
    let raw = 0;
    let files = 0;
    const heapBefore = process.memoryUsage().heapUsed;
    let heapPeak = heapBefore;
    const sink: EvidencePackSink = {
      file: async (_path, _type, chunks) => {
        for (const chunk of chunks) {
          raw += chunk.length;
          if (!gzip.write(chunk)) await once(gzip, 'drain');
        }
        files += 1;
        heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
      },
    };
    const start = performance.now();
    const written = await writeEvidencePack(request, historySources(history, true), sink);
    gzip.end();
    await once(gzip, 'end');
    const seconds = (performance.now() - start) / 1000;
    const grownMb = mb(heapPeak - heapBefore);

    const small = evidenceHistory({ clusters: IN_MEMORY_CLUSTERS });
    const memoryBefore = process.memoryUsage().heapUsed;
    const memoryStart = performance.now();
    const pack = await buildEvidencePack(request, historySources(small, true));
    const memorySeconds = (performance.now() - memoryStart) / 1000;
    const held = pack.files.reduce((sum, f) => sum + f.content.length, 0);
    const memoryGrownMb = mb(process.memoryUsage().heapUsed - memoryBefore);

    const root = mkdtempSync(join(tmpdir(), 'kubeguard-bench-pack-'));
    let workerHeapPeak = process.memoryUsage().heapUsed;
    const workerHeapBefore = workerHeapPeak;
    const sampler = setInterval(() => {
      workerHeapPeak = Math.max(workerHeapPeak, process.memoryUsage().heapUsed);
    }, 10);
    const workerStart = performance.now();
    let workerSeconds: number;
    let workerArchiveMb: number;
    try {
      const stored = await createLocalEvidencePackStore(root).write(
        { ...request, period: MIDDLE, generatedAt: MIDDLE.to, requestedBy: 'schedule' },
        historySources(history, true),
      );
      workerSeconds = (performance.now() - workerStart) / 1000;
      workerArchiveMb = mb(stored.stored.bytes);
    } finally {
      clearInterval(sampler);
      rmSync(root, { recursive: true, force: true });
    }
    const workerGrownMb = mb(workerHeapPeak - workerHeapBefore);

    const runs = written.manifest.files.filter((f) => f.path.endsWith('/report.json')).length;
    const figures: Figure[] = [
      {
        name: `evidence history generated (${CLUSTERS} clusters, reports once per state)`,
        value: round(setupS),
        unit: 's',
        target: '',
      },
      {
        name: `evidence pack, ${CLUSTERS} clusters × a quarter (${runs} runs), streamed + gzip`,
        value: round(seconds),
        unit: 's',
        target: verdict(`< ${TIME_TARGET_S} s`, seconds < TIME_TARGET_S),
      },
      {
        name: 'evidence pack streamed: heap growth, peak (garbage included)',
        value: Math.round(grownMb),
        unit: 'MB',
        target: verdict(`< ${HEAP_TARGET_MB} MB`, grownMb < HEAP_TARGET_MB),
      },
      { name: 'evidence pack files', value: files, unit: 'files', target: '' },
      { name: 'evidence pack size, uncompressed', value: Math.round(mb(raw)), unit: 'MB', target: '' },
      { name: 'evidence pack size, gzip', value: Math.round(mb(compressed)), unit: 'MB', target: '' },
      {
        name: `evidence pack in memory, ${IN_MEMORY_CLUSTERS} clusters × a quarter (buildEvidencePack)`,
        value: round(memorySeconds),
        unit: 's',
        target: '',
      },
      {
        name: `evidence pack in memory, ${IN_MEMORY_CLUSTERS} clusters: file text held`,
        value: Math.round(mb(held)),
        unit: 'MB',
        target: '',
      },
      {
        name: `evidence pack in memory, ${IN_MEMORY_CLUSTERS} clusters: heap growth (garbage included)`,
        value: Math.round(memoryGrownMb),
        unit: 'MB',
        target: '',
      },
      {
        name: `worker pack (store.write: staging file, archive, manifest), ${CLUSTERS} clusters × a month`,
        value: round(workerSeconds),
        unit: 's',
        target: verdict(`< ${WORKER_TIME_TARGET_S} s`, workerSeconds < WORKER_TIME_TARGET_S),
      },
      {
        name: 'worker pack: heap growth, peak (garbage included)',
        value: Math.round(workerGrownMb),
        unit: 'MB',
        target: verdict(`< ${WORKER_HEAP_TARGET_MB} MB`, workerGrownMb < WORKER_HEAP_TARGET_MB),
      },
      { name: 'worker pack: archive size', value: round(workerArchiveMb), unit: 'MB', target: '' },
    ];
    return figures;
  },
};
