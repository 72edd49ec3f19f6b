import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { KubeObject } from '../../core/model/kube-object.ts';
import type { Severity } from '../../core/model/severity.ts';
import { imageAlertDetection, matchImageFindings } from '../../core/supply-chain/image-alerts.ts';
import type { ImageFinding } from '../../core/supply-chain/image-finding.ts';
import { runningContainersOf } from '../../core/supply-chain/running-images.ts';
import { deploymentPods, digestOf } from '../../test/unit/core/supply-chain/image-pods.ts';
import { type BenchSuite, type Figure, verdict } from '../figure.ts';

/**
 * Inspector findings matched to running pods (core/supply-chain): 10,000 active findings on 4,000
 * image digests against 10,000 pods (2,000 Deployments of 5 pods, each with its ReplicaSet, in 50
 * namespaces; every Deployment's tag moved once, so 2 of its pods run an older digest). Timed: reading
 * the containers out of the listed objects (owner chains included), matching, and building the
 * Detection of every alert — what the ingest does after the cluster reads. Median of RUNS, each
 * after a GC; the heap a run grows by before any collection (its garbage included: an upper bound
 * of its peak) and what its result keeps.
 */
const PODS = 10_000;
const FINDINGS = 10_000;
const DIGESTS = 4_000;
const RUNS = 7;
const TIME_TARGET_MS = 500;
const HEAP_TARGET_MB = 100;
const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low'];
const REPO = '123456789012.dkr.ecr.eu-central-1.amazonaws.com/app';

function cluster(): KubeObject[] {
  const objects: KubeObject[] = [];
  for (let d = 0; d < PODS / 5; d += 1) {
    const tag = `${REPO}:svc-${d}`;
    objects.push(
      ...deploymentPods(
        `ns-${d % 50}`,
        `svc-${d}`,
        Array.from({ length: 5 }, (_, p) => ({
          name: `svc-${d}-7d4-${p}`,
          image: tag,
          imageID: `${REPO}@${digestOf(`image-${d}-${p < 2 ? 'old' : 'new'}`)}`,
        })),
      ),
    );
  }
  return objects;
}

/** Half the digests run (the new image of 2,000 Deployments); the other half runs nowhere. */
function findings(): ImageFinding[] {
  return Array.from({ length: FINDINGS }, (_, n) => {
    const image = n % DIGESTS;
    const digest = image < DIGESTS / 2 ? digestOf(`image-${image}-new`) : digestOf(`image-${image}-gone`);
    const severity = SEVERITIES[n % 4] as Severity;
    return {
      findingArn: `arn:aws:inspector2:eu-central-1:123456789012:finding/${n.toString(16).padStart(32, '0')}`,
      account: '123456789012',
      region: 'eu-central-1',
      type: 'PACKAGE_VULNERABILITY',
      vulnerabilityId: `CVE-2024-${10_000 + n}`,
      title: `CVE-2024-${10_000 + n} - openssl`,
      severity,
      inspectorSeverity: severity.toUpperCase(),
      status: 'ACTIVE',
      inspectorScore: 4 + (n % 60) / 10,
      image: { registry: '123456789012', repositoryName: 'app', digest, tags: [`svc-${image}`] },
      packages: [{ name: 'openssl', version: '3.0.13-0ubuntu3.2', fixedInVersion: '0:3.0.13-0ubuntu3.4' }],
      fixAvailable: 'YES',
      exploitAvailable: n % 7 === 0 ? 'YES' : 'NO',
      firstObservedAt: '2026-11-01T00:00:00.000Z',
      lastObservedAt: '2026-12-01T00:00:00.000Z',
      updatedAt: '2026-12-01T00:00:00.000Z',
    };
  });
}

interface Timing {
  read: number;
  match: number;
  detections: number;
  /** CPU time (user + system) of the whole run: what the run costs on a machine shared with others. */
  cpu: number;
}

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

function once(objects: readonly KubeObject[], list: readonly ImageFinding[]) {
  const c0 = cpuMs();
  const t0 = performance.now();
  const containers = runningContainersOf({ name: 'prod-eu', region: 'eu-central-1' }, objects);
  const t1 = performance.now();
  const match = matchImageFindings(list, containers);
  const t2 = performance.now();
  const detections = match.alerts.map((alert) => imageAlertDetection(alert, { unreadableClusters: [] }));
  const t3 = performance.now();
  const timing: Timing = { read: t1 - t0, match: t2 - t1, detections: t3 - t2, cpu: cpuMs() - c0 };
  return { containers, match, detections, timing };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const round = (value: number) => Math.round(value * 10) / 10;

/** The collector, reachable without `node --expose-gc`. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

export const suite: BenchSuite = {
  name: 'image-matching',
  run: async () => {
    const gc = collector();
    const objects = cluster();
    const list = findings();
    once(objects, list); // warm-up: JIT and the first allocations
    const timings: Timing[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      gc();
      timings.push(once(objects, list).timing);
    }
    gc();
    const before = process.memoryUsage().heapUsed;
    const kept = once(objects, list);
    const grown = (process.memoryUsage().heapUsed - before) / 1024 / 1024;
    gc();
    const retained = (process.memoryUsage().heapUsed - before) / 1024 / 1024;
    const total = median(timings.map((t) => t.read + t.match + t.detections));
    const cpu = median(timings.map((t) => t.cpu));
    const figures: Figure[] = [
      {
        name: `match ${FINDINGS.toLocaleString('en-US')} findings × ${PODS.toLocaleString('en-US')} pods: read + match + detections, CPU time (median of ${RUNS})`,
        value: round(cpu),
        unit: 'ms',
        target: verdict(`< ${TIME_TARGET_MS} ms`, cpu < TIME_TARGET_MS),
      },
      { name: '  the same, wall time', value: round(total), unit: 'ms', target: '' },
      {
        name: '  containers read from the objects (owner chains)',
        value: round(median(timings.map((t) => t.read))),
        unit: 'ms',
        target: '',
      },
      {
        name: '  findings matched by digest',
        value: round(median(timings.map((t) => t.match))),
        unit: 'ms',
        target: '',
      },
      {
        name: '  alert detections built',
        value: round(median(timings.map((t) => t.detections))),
        unit: 'ms',
        target: '',
      },
      {
        name: 'image matching heap growth during one run (garbage included)',
        value: round(grown),
        unit: 'MB',
        target: verdict(`< ${HEAP_TARGET_MB} MB`, grown < HEAP_TARGET_MB),
      },
      { name: 'image matching heap retained by its result', value: round(retained), unit: 'MB', target: '' },
      {
        name: 'image matching result',
        value: kept.containers.length,
        unit: `containers; ${kept.detections.length} alerts; ${kept.match.notRunning.length} images running nowhere`,
        target: '',
      },
    ];
    return figures;
  },
};
