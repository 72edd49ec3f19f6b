import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { parseConfig } from '../../core/config/schema.ts';
import { DEFAULT_DETECTION_CONFIG } from '../../core/detection/config.ts';
import { analyzeAuditRecords } from '../../core/ingest/audit-analysis.ts';
import {
  decodeCloudWatchLogsEvent,
  type MalformedLogEvent,
  openAuditLogEnvelope,
  parseAuditLogEvents,
} from '../../core/ingest/cloudwatch.ts';
import { esbuildBuildOptions, LAMBDA_BUNDLE } from '../../infra/constructs/lambda-bundle.ts';
import { FUNCTION_ENTRIES } from '../../infra/stacks/stateless-stack.ts';
import type { BenchSuite, Figure } from '../figure.ts';

/**
 * Audit events per second through the whole CloudWatch Logs path (base64 → gunzip → envelope →
 * one JSON.parse + validation per log event → every rule), next to the raw decode + parse rate of
 * the same batch (runtime-facts §3.3's ceiling, about 140k events/s per vCPU): their ratio says how
 * much the analysis costs on top of reading. Then the peak RSS of the audit-logs Lambda on a 1 MB batch:
 * its production bundle (built as the CDK app builds it, run with the function's NODE_OPTIONS) is
 * loaded in a fresh child process, so that neither this run nor TypeScript type stripping pollutes
 * the figure, and invoked once with an in-memory sink and counter.
 *
 * The batch is 1 MB of audit JSON (decompressed) made from the public corpus and the EKS fixtures,
 * each event completed into what kube-apiserver writes (apiVersion, unique auditID, stage,
 * timestamps). The mix is weighted like a production stream, which routine reads and controller
 * writes dominate: BENIGN_SHARE of the events are the corpus lines labelled benign and the benign
 * fixtures, the rest the labelled attack lines (exec, RBAC changes, privileged pods, denials…).
 */

const HERE = dirname(fileURLToPath(import.meta.url));
const FIXTURES = join(HERE, '..', '..', 'test', 'fixtures');
const BATCH_BYTES = 1024 * 1024;
const WARMUP_RUNS = 5;
const MEASURED_RUNS = 40;
/** Out of every 20 events, 17 benign and 3 labelled with at least one rule. */
const BENIGN_SHARE = 17 / 20;

type Json = Record<string, unknown>;

function fixtureEvents(names: string[]): Json[] {
  return names.map(
    (name) => (JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as { event: Json }).event,
  );
}

/** Benign and labelled (attack) source events from the corpus and the fixtures. */
function sourceEvents(): { benign: Json[]; labelled: Json[] } {
  const corpusDir = join(FIXTURES, 'corpus', 'public');
  const labels = (
    JSON.parse(readFileSync(join(corpusDir, 'audit-labels.json'), 'utf8')) as {
      labels: Record<string, { rules: string[] }>;
    }
  ).labels;
  const benign: Json[] = fixtureEvents([
    'eks-audit-anonymous-allowed-version.json',
    'eks-audit-benign-get-pod-log.json',
  ]);
  const labelled: Json[] = fixtureEvents([
    'eks-audit-anonymous-denied.json',
    'eks-audit-clusterrolebinding-cluster-admin.json',
    'eks-audit-exec-pod-create.json',
    'eks-audit-exec-pod-websocket-get.json',
    'eks-audit-node-forbidden.json',
    'eks-audit-privileged-pod-create.json',
    'eks-audit-secrets-list.json',
  ]);
  readFileSync(join(corpusDir, 'audit-events.jsonl'), 'utf8')
    .split('\n')
    .forEach((text, index) => {
      if (text.trim() === '') return;
      const rules = labels[String(index + 1)]?.rules ?? [];
      (rules.length === 0 ? benign : labelled).push(JSON.parse(text) as Json);
    });
  return { benign, labelled };
}

/** The i-th event of the mix: benign ones cycle through their list, labelled ones through theirs. */
function mixedEvent(sources: { benign: Json[]; labelled: Json[] }, i: number): Json {
  const slot = i % 20;
  const cycle = Math.floor(i / 20);
  const benignPerCycle = Math.round(20 * BENIGN_SHARE);
  if (slot < benignPerCycle)
    return sources.benign[(cycle * benignPerCycle + slot) % sources.benign.length] as Json;
  const labelledPerCycle = 20 - benignPerCycle;
  return sources.labelled[
    (cycle * labelledPerCycle + slot - benignPerCycle) % sources.labelled.length
  ] as Json;
}

/** A corpus or fixture event completed into a full kube-apiserver event with a unique auditID. */
function completed(event: Json, index: number): Json {
  const at = new Date(Date.UTC(2024, 10, 14, 12, 0, 0) + index * 50).toISOString();
  return {
    ...event,
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    auditID: `00000000-0000-4000-8000-${index.toString(16).padStart(12, '0')}`,
    verb: typeof event.verb === 'string' ? event.verb : 'get',
    stage: event.stage ?? 'ResponseComplete',
    requestReceivedTimestamp: at,
    stageTimestamp: at,
  };
}

/** A CloudWatch Logs subscription event whose log events add up to `bytes` of audit JSON. */
export function benchLambdaEvent(bytes = BATCH_BYTES): {
  event: { awslogs: { data: string } };
  events: number;
} {
  const sources = sourceEvents();
  const logEvents: { id: string; timestamp: number; message: string }[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const message = JSON.stringify(completed(mixedEvent(sources, i), i));
    size += message.length;
    logEvents.push({
      id: String(38263546512341234567890123456789012345678901234567890000n + BigInt(i)),
      timestamp: 1731585600000 + i,
      message,
    });
  }
  const envelope = {
    messageType: 'DATA_MESSAGE',
    owner: '111122223333',
    logGroup: '/aws/eks/prod-cluster/cluster',
    logStream: 'kube-apiserver-audit-5f1e2d3c4b5a69788796a5b4c3d2e1f0',
    subscriptionFilters: ['eks-audit-to-lambda'],
    logEvents,
  };
  const data = gzipSync(Buffer.from(JSON.stringify(envelope))).toString('base64');
  return { event: { awslogs: { data } }, events: logEvents.length };
}

/** Reading only: what any analyzer pays before its own logic. */
function rawDecodeAndParse(event: { awslogs: { data: string } }): number {
  const envelope = JSON.parse(gunzipSync(Buffer.from(event.awslogs.data, 'base64')).toString('utf8')) as {
    logEvents: { message: string }[];
  };
  let parsed = 0;
  for (const logEvent of envelope.logEvents) if (JSON.parse(logEvent.message) !== null) parsed += 1;
  return parsed;
}

const CONTEXT = {
  cluster: 'prod-cluster',
  config: DEFAULT_DETECTION_CONFIG,
  now: '2024-11-14T13:00:00.000Z',
};

/** The Lambda's path without I/O: decode, validate, every rule, one detection per (auditID, rule). */
export async function fullPath(event: { awslogs: { data: string } }): Promise<number> {
  const batch = openAuditLogEnvelope(decodeCloudWatchLogsEvent(event));
  if (batch.kind !== 'audit') throw new Error(`bench batch decoded as ${batch.kind}`);
  const malformed: MalformedLogEvent[] = [];
  const records = (function* () {
    for (const record of parseAuditLogEvents(batch.logEvents, malformed))
      yield { event: record.event, ref: record.logEventId };
  })();
  const analysis = await analyzeAuditRecords(records, CONTEXT);
  if (analysis.ruleFailures.length > 0 || malformed.length > 0)
    throw new Error('the bench batch did not analyse cleanly');
  return analysis.detections.length;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function timeMs(run: () => unknown): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

/**
 * Times both paths in alternation on the same batch, so that a busy machine slows both alike, and
 * returns the median time of each and the median of the per-pair ratios.
 */
async function compare(
  full: () => unknown,
  raw: () => unknown,
): Promise<{ fullMs: number; rawMs: number; ratio: number }> {
  for (let i = 0; i < WARMUP_RUNS; i++) {
    await full();
    await raw();
  }
  const fullTimes: number[] = [];
  const rawTimes: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < MEASURED_RUNS; i++) {
    const rawMs = await timeMs(raw);
    const fullMs = await timeMs(full);
    rawTimes.push(rawMs);
    fullTimes.push(fullMs);
    ratios.push(rawMs / fullMs);
  }
  return { fullMs: median(fullTimes), rawMs: median(rawTimes), ratio: median(ratios) };
}

/**
 * The child: imports the bundle, builds the handler with in-memory collaborators, runs it once on
 * the batch and prints its peak RSS (Linux reports maxRSS in KB).
 */
const CHILD_SCRIPT = `
import { readFileSync } from 'node:fs';
const { createAuditLogsHandler } = await import('./${LAMBDA_BUNDLE.outputFile}');
const counts = new Map();
const handle = createAuditLogsHandler({
  config: JSON.parse(readFileSync(new URL('./config.json', import.meta.url), 'utf8')),
  sink: { accept: async () => {} },
  counter: { record: async (key) => { counts.set(key, (counts.get(key) ?? 0) + 1); return counts.get(key); } },
  logger: { info() {}, warn() {}, error() {} },
  clock: () => '2024-11-14T13:00:00.000Z',
});
const summary = await handle(JSON.parse(readFileSync(new URL('./batch.json', import.meta.url), 'utf8')));
process.stdout.write(JSON.stringify({ summary, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
`;

async function handlerPeakRss(event: { awslogs: { data: string } }): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'kubeguard-bench-detection-'));
  try {
    await build({ ...esbuildBuildOptions(FUNCTION_ENTRIES.auditLogs, dir), logLevel: 'silent' });
    const config = parseConfig({
      clusters: [{ name: 'prod-cluster', region: 'us-east-1' }],
      slack: { defaultChannel: '#alerts' },
    });
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    writeFileSync(join(dir, 'batch.json'), JSON.stringify(event));
    writeFileSync(join(dir, 'measure.mjs'), CHILD_SCRIPT);
    const output = execFileSync(
      process.execPath,
      [...LAMBDA_BUNDLE.nodeOptions.split(' '), join(dir, 'measure.mjs')],
      {
        encoding: 'utf8',
      },
    );
    const result = JSON.parse(output) as { summary: { records: number }; peakRssMb: number };
    if (result.summary.records === 0) throw new Error('the bundled handler analysed no audit event');
    return result.peakRssMb;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const round = (value: number, digits = 0) => Number(value.toFixed(digits));

export const suite: BenchSuite = {
  name: 'detection',
  run: async () => {
    const { event, events } = benchLambdaEvent();
    const detections = await fullPath(event);
    const { fullMs, rawMs, ratio } = await compare(
      () => fullPath(event),
      () => rawDecodeAndParse(event),
    );
    const fullRate = (events / fullMs) * 1000;
    const rawRate = (events / rawMs) * 1000;
    const figures: Figure[] = [
      {
        name: `1 MB batch: audit events (detections)`,
        value: events,
        unit: `events (${detections} detections)`,
        target: '',
      },
      {
        name: 'full CloudWatch path (decode, parse, all rules)',
        value: round(fullRate),
        unit: 'events/s',
        target: '',
      },
      { name: 'raw decode + parse', value: round(rawRate), unit: 'events/s', target: '' },
      {
        name: 'full path / raw decode + parse',
        value: round(ratio, 3),
        unit: 'ratio',
        target: '>= 0.5',
      },
      {
        name: 'audit-logs bundle peak RSS, 1 MB batch (fresh process)',
        value: round(await handlerPeakRss(event), 1),
        unit: 'MB',
        target: '< 128 MB',
      },
    ];
    return figures;
  },
};
