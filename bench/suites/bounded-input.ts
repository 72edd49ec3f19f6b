import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { findSecretConsumers } from '../../core/remediation/secret-consumers.ts';
import { compileClusterPattern } from '../../core/secrets/cluster-pattern.ts';
import { realEntryWithMessage, repeatedEntriesEvent } from '../../test/support/cwlogs-payloads.ts';
import { secretConsumerObjects } from '../../test/support/secret-consumer-objects.ts';
import { type BenchSuite, type Figure, verdict } from '../figure.ts';

/**
 * Hostile CloudWatch Logs payloads through the real audit-logs handler (D17), each in a fresh Node
 * process so that its peak memory is its own: the time to refuse it, the log lines written and the
 * memory the refusal added above the process's resident set before the call.
 */
const SCENARIOS: { name: string; build: () => Promise<unknown> }[] = [
  // The payload: 6 KB of gzip, 4.2 MB inflated, 1.4 M `{}` log events (before: 616 MB, 1.4 M lines).
  { name: '6 KB → 1.4 M {} log events', build: () => repeatedEntriesEvent('{}', 1_400_000) },
  {
    name: '1.4 M real-shaped log events (150 MB inflated)',
    build: () => repeatedEntriesEvent(realEntryWithMessage('{}'), 1_400_000, 1),
  },
];

/** Upper bound on the memory one refusal may add: the 8 MB cap plus the inflater's buffers. */
const MEMORY_TARGET_MB = 64;

const HANDLER = pathToFileURL(join(import.meta.dirname, '../../lambdas/audit-logs/handler.ts')).href;

const CHILD = `
import { readFileSync } from 'node:fs';
const { createAuditLogsHandler } = await import(process.argv[1]);
const event = JSON.parse(readFileSync(process.argv[2], 'utf8'));
let lines = 0;
const log = () => { lines += 1; };
const handle = createAuditLogsHandler({
  config: { clusters: [], slack: { defaultChannel: 'C0ALERTS' }, detection: {} },
  sink: { accept: async () => {} },
  counter: { record: async () => 0 },
  logger: { info: log, warn: log, error: log },
  clock: () => '2024-11-14T00:00:00.000Z',
});
const before = process.memoryUsage().rss;
const started = performance.now();
await handle(event);
const ms = performance.now() - started;
const peak = process.resourceUsage().maxRSS * 1024;
process.stdout.write(JSON.stringify({ ms, lines, addedMb: Math.max(0, peak - before) / 1048576 }));
`;

export const suite: BenchSuite = {
  name: 'bounded-input',
  run: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubeguard-bench-bounded-'));
    const figures: Figure[] = [];
    try {
      for (const scenario of SCENARIOS) {
        const event = await scenario.build();
        const file = join(dir, 'event.json');
        writeFileSync(file, JSON.stringify(event));
        const child = spawnSync(process.execPath, ['--input-type=module', '-e', CHILD, HANDLER, file], {
          encoding: 'utf8',
        });
        if (child.status !== 0) throw new Error(`${scenario.name} failed:\n${child.stderr}`);
        const result = JSON.parse(child.stdout) as { ms: number; lines: number; addedMb: number };
        figures.push(
          { name: `${scenario.name}: refused in`, value: round(result.ms), unit: 'ms', target: '' },
          {
            name: `${scenario.name}: log lines`,
            value: result.lines,
            unit: 'lines',
            target: verdict('= 1', result.lines === 1),
          },
          {
            name: `${scenario.name}: memory added`,
            value: round(result.addedMb),
            unit: 'MB',
            target: verdict(`< ${MEMORY_TARGET_MB} MB`, result.addedMb < MEMORY_TARGET_MB),
          },
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    figures.push(...clusterPatternFigures());
    return figures;
  },
};

/**
 * A regular expression an ExternalSecret's author controls (`find.name.regexp`), evaluated against a
 * secret name while looking for a rotation's consumers: `^(.|.)*!$` backtracks exponentially on
 * JavaScript's engine (98 s for 30 characters before); on RE2 it is linear.
 */
function clusterPatternFigures(): Figure[] {
  const secretName = `prod-${'a'.repeat(59)}`;
  const secret = {
    name: secretName,
    arn: `arn:aws:secretsmanager:us-west-2:123456789012:secret:${secretName}-Ab12Cd`,
  };
  const objects = secretConsumerObjects().map((object) =>
    object.kind === 'ExternalSecret' && object.metadata.name === 'catalog-by-name'
      ? {
          ...object,
          spec: { ...(object.spec as object), dataFrom: [{ find: { name: { regexp: '^(.|.)*!$' } } }] },
        }
      : object,
  );
  // The pattern alone, first in the process (RE2's compiler not warmed up), then a whole consumer
  // search over the secret-consumers scenario with that ExternalSecret in it.
  const patternStart = performance.now();
  const pattern = compileClusterPattern('^(.|.)*!$');
  const matched = pattern.ok && pattern.search(secretName);
  const patternMs = performance.now() - patternStart;
  const runs = 20;
  const searchStart = performance.now();
  for (let run = 0; run < runs; run++) findSecretConsumers(secret, objects);
  const searchMs = (performance.now() - searchStart) / runs;
  const name = 'ExternalSecret find.name.regexp ^(.|.)*!$ vs a 64-character name';
  return [
    {
      name: `${name}: answered (${matched ? 'match' : 'no match'})`,
      value: round(patternMs),
      unit: 'ms',
      target: verdict('< 100 ms', patternMs < 100 && !matched),
    },
    { name: `${name}: whole consumer search`, value: round(searchMs), unit: 'ms', target: '' },
  ];
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
