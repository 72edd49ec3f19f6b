import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRunningImageSource } from '#adapters/kubernetes/running-images.ts';
import type { ClusterConfig } from '#core/config/schema.ts';
import { parseConfig } from '#core/config/schema.ts';
import { KubeguardError } from '#core/errors.ts';
import { findingRecorderFor } from '#core/findings/compose-recorder.ts';
import type { KubeObject } from '#core/model/kube-object.ts';
import { IMAGE_ALERT_RULE_ID } from '#core/supply-chain/image-alerts.ts';
import type { ImageFinding } from '#core/supply-chain/image-finding.ts';
import { decodeInspectorEvent } from '#core/supply-chain/inspector-event.ts';
import type { NotRunningImage, NotRunningImageStore } from '#core/supply-chain/not-running.ts';
import type { ImageFindingSource } from '#core/supply-chain/ports.ts';
import { createImageFindingsHandler, type ImageFindingsResult } from '#lambdas/image-findings/handler.ts';
import { type LogLine, recordingLogger } from '#test/support/audit-logs-doubles.ts';
import { InMemoryFindingStore } from '#test/support/in-memory-finding-store.ts';
import { inspectorEvent } from '#test/support/inspector-double.ts';
import { type JsonObject, KubeApiDouble } from '#test/support/kube-api-double.ts';
import { RecordingMetrics } from '#test/support/recording-metrics.ts';
import { deploymentPods, digestOf } from '../unit/core/supply-chain/image-pods.ts';

/**
 * The image-findings function end to end: the real Inspector2 EventBridge fixtures (values changed
 * only), a fake ListFindings, two clusters served by the Kubernetes API double and read through the
 * real running-image reader, the real finding recorder on the in-memory store.
 */

const MEMBER = '222233334444';
const CONFIG = parseConfig({
  home: { region: 'eu-central-1', account: '123456789012' },
  accounts: [{ id: MEMBER, name: 'prod', externalId: 'kubeguard-prod-7f3a' }],
  clusters: [
    { name: 'prod-eu', region: 'eu-central-1', account: MEMBER },
    { name: 'staging-eu', region: 'eu-central-1' },
  ],
  slack: { defaultChannel: 'C0ALERTS' },
});

const FIXTURE = 'inspector2-finding-ecr-package-vulnerability';
/** The fixture's own digest: what the image was when the tag `ubuntu_latest` pointed at it. */
const OLD = 'sha256:84f507df33c6864d49c296fb734192696e4cb6f78166ac51ac8b9b118181085d';
/** Where the tag points now. */
const NEW = digestOf('inspector2:ubuntu_latest, rebuilt');
const IDLE = digestOf('an image nobody deploys');
const REPO = '123456789012.dkr.ecr.eu-central-1.amazonaws.com/inspector2';

/** The fixture event with its values changed: another finding id, digest, severity or status. */
function event(
  changes: { id?: string; digest?: string; severity?: string; status?: string; updatedAt?: string } = {},
) {
  const envelope = inspectorEvent(FIXTURE);
  const detail = envelope.detail;
  detail.findingArn = `arn:aws:inspector2:eu-central-1:123456789012:finding/${changes.id ?? 'f-openssl'}`;
  if (changes.severity !== undefined) detail.severity = changes.severity;
  if (changes.status !== undefined) detail.status = changes.status;
  if (changes.updatedAt !== undefined) detail.updatedAt = changes.updatedAt;
  if (changes.digest !== undefined) {
    const resource = (detail.resources as Record<string, Record<string, Record<string, unknown>>>[])[0];
    if (resource !== undefined) {
      resource.details.awsEcrContainerImage.imageHash = changes.digest;
      (resource.details.image as Record<string, unknown>).imageDigest = changes.digest;
    }
  }
  return envelope;
}

function findingOf(envelope: unknown): ImageFinding {
  const decoded = decodeInspectorEvent(envelope);
  if (decoded.kind !== 'finding') throw new Error(decoded.reason);
  return decoded.finding;
}

/** ListFindings as a list the test keeps (status ACTIVE, by digest), and the queries it answered. */
class FakeInspector implements ImageFindingSource {
  findings: ImageFinding[] = [];
  queries: { account: string; region: string; digest: string }[] = [];

  async findingsForImage(image: { account: string; region: string; digest: string }) {
    this.queries.push(image);
    return this.findings.filter((f) => f.status === 'ACTIVE' && f.image.digest === image.digest);
  }

  async activeFindings(): Promise<ImageFinding[]> {
    return this.findings.filter((f) => f.status === 'ACTIVE');
  }
}

class MemoryNotRunning implements NotRunningImageStore {
  readonly images = new Map<string, NotRunningImage>();

  async markNotRunning(image: NotRunningImage) {
    const stored = this.images.get(image.digest);
    if (stored === undefined || stored.seenAt <= image.seenAt) this.images.set(image.digest, image);
  }

  async forget(digest: string, at: string) {
    const stored = this.images.get(digest);
    if (stored !== undefined && stored.seenAt <= at) this.images.delete(digest);
  }

  async countNotRunning(range: { from: string; to: string }) {
    return [...this.images.values()].filter((i) => i.seenAt >= range.from && i.seenAt < range.to).length;
  }
}

/** prod-eu: `payments/web` rolled half-way across a moved tag; staging-eu: `shop/api` on the new digest. */
const PROD: KubeObject[] = deploymentPods('payments', 'web', [
  { name: 'web-7d4-a', image: `${REPO}:ubuntu_latest`, imageID: `${REPO}@${OLD}` },
  { name: 'web-7d4-b', image: `${REPO}:ubuntu_latest`, imageID: `${REPO}@${OLD}` },
  { name: 'web-7d4-c', image: `${REPO}:ubuntu_latest`, imageID: `${REPO}@${NEW}` },
]);
const STAGING: KubeObject[] = deploymentPods('shop', 'api', [
  { name: 'api-7d4-a', image: `${REPO}:ubuntu_latest`, imageID: `${REPO}@${NEW}` },
]);

let apis: Map<string, KubeApiDouble>;
let unreachable: Set<string>;
let inspector: FakeInspector;
let store: InMemoryFindingStore;
let notRunning: MemoryNotRunning;
let lines: LogLine[];
let metrics: RecordingMetrics;
let now: string;

beforeEach(async () => {
  apis = new Map([
    ['prod-eu', await new KubeApiDouble({ objects: PROD as unknown as JsonObject[] }).start()],
    ['staging-eu', await new KubeApiDouble({ objects: STAGING as unknown as JsonObject[] }).start()],
  ]);
  unreachable = new Set();
  inspector = new FakeInspector();
  store = new InMemoryFindingStore();
  notRunning = new MemoryNotRunning();
  lines = [];
  metrics = new RecordingMetrics();
  now = '2026-12-03T10:00:00.000Z';
});
afterEach(async () => {
  for (const api of apis.values()) await api.stop();
});

function handler(options: { cacheMs?: number } = {}) {
  return createImageFindingsHandler({
    logger: recordingLogger(lines),
    findings: findingRecorderFor({ config: CONFIG, store, clock: () => now }),
    images: inspector,
    running: createRunningImageSource({
      clusters: CONFIG.clusters,
      cacheMs: options.cacheMs ?? 0,
      access: async (cluster: ClusterConfig) => {
        if (unreachable.has(cluster.name)) {
          throw new KubeguardError(
            'FORBIDDEN',
            `cannot reach cluster ${cluster.name}: eks:DescribeCluster failed`,
          );
        }
        const config = new KubeConfig();
        config.loadFromOptions(apis.get(cluster.name)?.kubeConfigOptions());
        return config;
      },
    }),
    notRunning,
    clock: () => now,
    metrics,
  });
}

function evaluated(result: ImageFindingsResult) {
  if (result.status !== 'evaluated') throw new Error(`not evaluated: ${result.reason}`);
  return result;
}

const storedAlerts = () =>
  [...store.findings.values()].filter((f) => f.detection.ruleId === IMAGE_ALERT_RULE_ID);

describe('the image-findings function', () => {
  it('alerts on the pods running the finding’s digest, not those whose tag moved to a new digest', async () => {
    const envelope = event({ digest: OLD });
    inspector.findings.push(findingOf(envelope));

    const result = evaluated(await handler()(envelope));

    expect(inspector.queries).toEqual([{ account: '123456789012', region: 'eu-central-1', digest: OLD }]);
    expect(result).toMatchObject({
      digest: OLD,
      activeFindings: 1,
      alerts: [{ severity: 'medium', workloads: 1 }],
      occurrencesStored: 1,
      toDeliver: 1,
      notRunning: 'not counted',
      unreadableClusters: [],
    });
    const [alert] = storedAlerts();
    const v = alert?.detection.imageVulnerability;
    expect(v?.digest).toBe(OLD);
    // web-7d4-c runs the same tag on the new digest: not this image.
    expect(v?.pods).toBe(2);
    expect(v?.workloads.map((w) => [w.cluster, w.namespace, w.pods])).toEqual([['prod-eu', 'payments', 2]]);
    expect(v?.workloads[0]?.workload).toMatch(/web/);
    expect(v?.vulnerabilities.map((e) => [e.id, e.packages.map((p) => p.fixed)])).toEqual([
      ['CVE-2024-6119', ['0:3.0.13-0ubuntu3.4', '0:3.0.13-0ubuntu3.4']],
    ]);
    expect(alert?.detection.cluster).toBe('prod-eu');
    expect(metrics.recorded).toContainEqual(expect.objectContaining({ name: 'Detections', value: 1 }));
  });

  it('alerts on the new digest in both clusters when Inspector finds the rebuilt image vulnerable', async () => {
    const envelope = event({ id: 'f-new', digest: NEW, severity: 'CRITICAL' });
    inspector.findings.push(findingOf(envelope));

    const result = evaluated(await handler()(envelope));

    expect(result.alerts).toEqual([expect.objectContaining({ severity: 'critical', workloads: 2 })]);
    const v = storedAlerts()[0]?.detection.imageVulnerability;
    expect(v?.clusters).toEqual(['prod-eu', 'staging-eu']);
    expect(v?.workloads.map((w) => [w.cluster, w.namespace, w.pods])).toEqual([
      ['prod-eu', 'payments', 1],
      ['staging-eu', 'shop', 1],
    ]);
  });

  it('counts an image that runs nowhere for the digest and raises no alert', async () => {
    const envelope = event({ id: 'f-idle', digest: IDLE, severity: 'HIGH' });
    inspector.findings.push(findingOf(envelope));

    const result = evaluated(await handler()(envelope));

    expect(result).toMatchObject({ alerts: [], occurrencesStored: 0, notRunning: 'counted' });
    expect(storedAlerts()).toEqual([]);
    expect([...notRunning.images.values()]).toEqual([
      {
        digest: IDLE,
        repository: '123456789012/inspector2',
        severities: ['high'],
        findings: 1,
        seenAt: now,
      },
    ]);
    expect(
      await notRunning.countNotRunning({ from: '2026-11-30T00:00:00Z', to: '2026-12-07T00:00:00Z' }),
    ).toBe(1);
  });

  it('still alerts when a cluster cannot be read, and the alert names it; nothing is counted as idle', async () => {
    unreachable.add('staging-eu');
    const running = event({ digest: OLD });
    const idle = event({ id: 'f-idle', digest: IDLE });
    inspector.findings.push(findingOf(running), findingOf(idle));

    const alerted = evaluated(await handler()(running));
    const unsure = evaluated(await handler()(idle));

    expect(alerted.unreadableClusters).toEqual(['staging-eu']);
    expect(alerted.alerts).toHaveLength(1);
    expect(storedAlerts()[0]?.detection.imageVulnerability?.unreadableClusters).toEqual([
      { cluster: 'staging-eu', reason: expect.stringContaining('cannot reach cluster staging-eu') },
    ]);
    // The idle image may run in the cluster that could not be read: the count is left alone.
    expect(unsure.notRunning).toBe('unchanged');
    expect(notRunning.images.size).toBe(0);
    expect(lines.filter((l) => l.level === 'warn').map((l) => l.message)).toContain(
      'clusters could not be read: image alerts may miss workloads',
    );
  });

  it('counts a redelivered event once', async () => {
    const envelope = event({ digest: OLD });
    inspector.findings.push(findingOf(envelope));
    const run = handler();

    const first = evaluated(await run(envelope));
    const again = evaluated(await run(structuredClone(envelope)));

    expect(first.occurrencesStored).toBe(1);
    expect(again.occurrencesStored).toBe(0);
    expect(again.alerts[0]?.fingerprint).toBe(first.alerts[0]?.fingerprint);
    expect(storedAlerts()).toHaveLength(1);
    expect(storedAlerts()[0]?.occurrences).toBe(1);
    expect(metrics.totals()[`Detections|${IMAGE_ALERT_RULE_ID}`]).toBe(1);
  });

  it('merges the event’s finding in when ListFindings does not list it yet', async () => {
    const listed = event({ id: 'f-listed', digest: OLD });
    inspector.findings.push(findingOf(listed));
    const lagging = event({ id: 'f-new-cve', digest: OLD });

    const result = evaluated(await handler()(lagging));

    expect(result.activeFindings).toBe(2);
    expect(storedAlerts()[0]?.detection.imageVulnerability?.vulnerabilities).toHaveLength(2);
  });

  it('re-evaluates the image when a finding closes: the alert shrinks, then nothing more is recorded', async () => {
    const a = event({ id: 'f-a', digest: OLD });
    const b = event({ id: 'f-b', digest: OLD });
    inspector.findings.push(findingOf(a), findingOf(b));
    const run = handler();
    evaluated(await run(a));
    expect(storedAlerts()[0]?.detection.imageVulnerability?.vulnerabilities).toHaveLength(2);

    // Inspector closes f-a (fixed image rebuilt…); ListFindings still lists it for a moment.
    const closedA = event({
      id: 'f-a',
      digest: OLD,
      status: 'CLOSED',
      updatedAt: 'Thu Sep 05 09:00:00.000 UTC 2024',
    });
    const shrunk = evaluated(await run(closedA));
    expect(shrunk).toMatchObject({ findingStatus: 'CLOSED', activeFindings: 1, occurrencesStored: 1 });
    expect(storedAlerts()).toHaveLength(1);
    expect(storedAlerts()[0]?.detection.imageVulnerability?.vulnerabilities).toHaveLength(1);

    inspector.findings = [];
    const closedB = event({
      id: 'f-b',
      digest: OLD,
      status: 'CLOSED',
      updatedAt: 'Thu Sep 05 09:05:00.000 UTC 2024',
    });
    const fixed = evaluated(await run(closedB));
    expect(fixed).toMatchObject({
      activeFindings: 0,
      alerts: [],
      occurrencesStored: 0,
      notRunning: 'not counted',
    });
    expect(storedAlerts()[0]?.occurrences).toBe(2);
  });

  it('stops counting an idle image once it runs', async () => {
    const idle = event({ id: 'f-idle', digest: IDLE });
    inspector.findings.push(findingOf(idle));
    await handler()(idle);
    expect(notRunning.images.size).toBe(1);

    apis
      .get('staging-eu')
      ?.seed(
        deploymentPods('shop', 'batch', [
          { name: 'batch-7d4-a', image: `${REPO}@${IDLE}`, imageID: `${REPO}@${IDLE}` },
        ]).at(-1) as unknown as JsonObject,
      );
    now = '2026-12-03T11:00:00.000Z';
    const result = evaluated(await handler()(idle));

    expect(result.notRunning).toBe('not counted');
    expect(result.alerts).toHaveLength(1);
    expect(notRunning.images.size).toBe(0);
  });

  it('lists each cluster once for a burst of events within the cache', async () => {
    const run = handler({ cacheMs: 60_000 });
    for (const id of ['f-1', 'f-2', 'f-3']) {
      const envelope = event({ id, digest: OLD });
      inspector.findings.push(findingOf(envelope));
      await run(envelope);
    }
    const podLists = (name: string) =>
      (apis.get(name)?.requests ?? []).filter((r) => r.method === 'GET' && r.path === '/api/v1/pods').length;
    expect(podLists('prod-eu')).toBe(1);
    expect(podLists('staging-eu')).toBe(1);
  });

  it('ignores a finding about something other than an ECR image, and rejects a malformed event', async () => {
    const lambda = event();
    const resource = (lambda.detail.resources as Record<string, unknown>[])[0] as Record<string, unknown>;
    resource.type = 'AWS_LAMBDA_FUNCTION';

    await expect(handler()(lambda)).resolves.toMatchObject({ status: 'ignored' });
    await expect(handler()({ 'detail-type': 'Inspector2 Finding', detail: 'nope' })).rejects.toMatchObject({
      code: 'INVALID_EVENT',
    });
    expect(lines.filter((l) => l.level === 'error').map((l) => l.message)).toEqual([
      'Inspector event rejected',
    ]);
    expect(inspector.queries).toEqual([]);
  });
});
